/**
 * The pool price of a round: the median of its quorum's reports. With an even count the lower of the
 * two middle prices is taken, so no borrower can draw against a price no oracle's half vouched for.
 */
export function medianPrice(prices: readonly bigint[]): bigint {
  if (prices.length === 0) throw new RangeError('the median of no prices');
  const sorted = [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Whether a move from `previous` to `next` is beyond `limitBps` of `previous`. */
export function deviatesBeyond(previous: bigint, next: bigint, limitBps: bigint): boolean {
  const move = next > previous ? next - previous : previous - next;
  return move * 10_000n > previous * limitBps;
}
