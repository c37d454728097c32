/**
 * Interest, MakerDAO `jug` style: each pool has a stability fee, a per-second rate in RAY, and a borrow
 * index that compounds by it: index(t) = index(t0) × rate^(t − t0). Positions hold debt scaled by the
 * index, so interest accrues to every position at once with no per-position update. The index is
 * computed lazily from its last checkpoint; `InterestAccrued` events checkpoint it (on request, and
 * before any change of rate, so a new rate never applies to time before it). Rounded up throughout.
 */
import { RAY, mulDivUp, rpowUp } from '../math/fixed-point';

export const SECONDS_PER_YEAR = 31_536_000n;

export interface IndexCheckpoint {
  /** RAY */
  index: bigint;
  /** Unix seconds */
  at: bigint;
  /** Per-second rate, RAY (RAY = no interest). */
  ratePerSecond: bigint;
}

/** The borrow index at `now`, compounded from the checkpoint. */
export function indexAt(checkpoint: IndexCheckpoint, now: bigint): bigint {
  // Stryker disable next-line EqualityOperator: at the checkpoint's own second, rate^0 is RAY and the compounding gives back the index.
  if (now <= checkpoint.at) return checkpoint.index;
  return mulDivUp(checkpoint.index, rpowUp(checkpoint.ratePerSecond, now - checkpoint.at), RAY);
}

/**
 * The per-second rate (RAY) that compounds to at most the given yearly rate (WAD, 0.05e18 = 5%):
 * the largest r with r^SECONDS_PER_YEAR ≤ 1 + yearly, found by bisection, so the fee charged over a
 * year never exceeds the one announced.
 */
export function perSecondRate(yearlyWad: bigint): bigint {
  const target = RAY + yearlyWad * 10n ** 9n;
  let lo = RAY;
  // Stryker disable next-line ArithmeticOperator: `+ 1n` made `- 1n` keeps hi above the answer, which is always below the yearly fee spread evenly (the spec's property).
  let hi = RAY + (yearlyWad * 10n ** 9n) / SECONDS_PER_YEAR + 1n;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (rpowUp(mid, SECONDS_PER_YEAR) <= target) lo = mid;
    else hi = mid - 1n;
  }
  return lo;
}
