/**
 * From a volatility forecast to a pool's max LTV and liquidation threshold. Over the liquidation
 * horizon (detection plus the auction), the price falls by more than the adverse move only with
 * probability 1 − confidence. So:
 *   - the threshold is 1 − move: a position liquidated as it crosses the threshold is sold before its
 *     collateral is worth less than its debt;
 *   - max LTV is threshold × (1 − move): a position opened at max LTV does not even reach the threshold
 *     over the horizon (the gap between the two covers the move), and so stays solvent.
 * Both round down (the pool's way: lower means safer), stay within the admin's bounds, move at most
 * one step per adjustment, and a falling threshold takes effect only after a notice.
 */
import { normalQuantile } from '../math/normal-quantile';
import { BPS } from '../math/fixed-point';

export interface RiskBounds {
  minMaxLtvBps: bigint;
  maxMaxLtvBps: bigint;
  minThresholdBps: bigint;
  maxThresholdBps: bigint;
}

export interface RiskTargets {
  maxLtvBps: bigint;
  liquidationThresholdBps: bigint;
}

/** The fall (a fraction of the price) the horizon's log move exceeds with probability 1 − confidence, for a normal log move. */
export function adverseMove(horizonVariance: number, confidenceBps: bigint): number {
  if (confidenceBps <= BPS / 2n || confidenceBps >= BPS) throw new RangeError('confidence must be within 5001..9999 bps');
  return 1 - Math.exp(-normalQuantile(Number(confidenceBps) / Number(BPS)) * Math.sqrt(horizonVariance));
}

/** A fraction as basis points, rounded down. */
function bpsDown(fraction: number): bigint {
  return BigInt(Math.floor(Math.max(0, fraction) * Number(BPS)));
}

function clamp(v: bigint, lo: bigint, hi: bigint): bigint {
  // Stryker disable next-line EqualityOperator: v <= lo and v >= hi are equivalent, the bound being v itself when equal.
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * The parameters the move calls for, within the bounds. The threshold also leaves room for the
 * penalty (threshold × (1 + penalty) ≤ 100%, as the pool requires) and max LTV stays below it.
 */
export function riskTargets(move: number, liquidationPenaltyBps: bigint, bounds: RiskBounds): RiskTargets {
  const roomForPenalty = (BPS * BPS) / (BPS + liquidationPenaltyBps);
  // Stryker disable next-line EqualityOperator: maxThresholdBps <= roomForPenalty is equivalent, both bounds being the same when equal.
  const liquidationThresholdBps = clamp(bpsDown(1 - move), bounds.minThresholdBps, bounds.maxThresholdBps < roomForPenalty ? bounds.maxThresholdBps : roomForPenalty);
  const ltv = (liquidationThresholdBps * bpsDown(1 - move)) / BPS;
  const maxLtvBps = clamp(ltv, bounds.minMaxLtvBps, bounds.maxMaxLtvBps < liquidationThresholdBps ? bounds.maxMaxLtvBps : liquidationThresholdBps - 1n);
  return { maxLtvBps, liquidationThresholdBps };
}

/**
 * One bounded step from the current parameters towards the targets: each moves at most `maxStepBps`.
 * Max LTV stays below the threshold: both start and end in that order, and where both move a full
 * step they keep their gap.
 */
export function stepTowards(current: RiskTargets, target: RiskTargets, maxStepBps: bigint): RiskTargets {
  const step = (from: bigint, to: bigint) => clamp(to, from - maxStepBps, from + maxStepBps);
  return { maxLtvBps: step(current.maxLtvBps, target.maxLtvBps), liquidationThresholdBps: step(current.liquidationThresholdBps, target.liquidationThresholdBps) };
}

/** When new parameters take effect: at once, unless the threshold falls; then after the notice, so no position becomes liquidatable unwarned. */
export function effectiveAt(current: RiskTargets, next: RiskTargets, now: bigint, noticeSeconds: bigint): bigint {
  return next.liquidationThresholdBps < current.liquidationThresholdBps ? now + noticeSeconds : now;
}
