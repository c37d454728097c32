/**
 * The pool price of a round: the median of its quorum's reports. With an even count the lower of the
 * two middle prices is taken, so no borrower can draw against a price no oracle's half vouched for.
 */
export function medianPrice(prices: readonly bigint[]): bigint {
  if (prices.length === 0) throw new RangeError('the median of no prices');
  const sorted = [...prices].sort((a, b) =>
    // Stryker disable next-line EqualityOperator: a <= b is equivalent, equal bigints being the same price (its sibling a >= b, ignored with it, is killed).
    a < b
      ? -1
      : // Stryker disable next-line EqualityOperator,ConditionalExpression: equivalent, as V8's sort only asks whether the comparison is below 0.
        a > b
        ? 1
        : 0,
  );
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Whether a move from `previous` to `next` is beyond `limitBps` of `previous`. */
export function deviatesBeyond(previous: bigint, next: bigint, limitBps: bigint): boolean {
  // Stryker disable next-line EqualityOperator: next >= previous is equivalent, both moves being 0 when equal (its sibling next <= previous, ignored with it, is killed).
  const move = next > previous ? next - previous : previous - next;
  return move * 10_000n > previous * limitBps;
}
