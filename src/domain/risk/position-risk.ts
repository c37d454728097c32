/**
 * The risk rules a position's commands and the liquidation engine apply, named as the domain names
 * them, on top of the liquidation rule's collateral value and debt (rounded in the pool's favour).
 */
import { BPS, ceilDiv, mulDivDown, RAY, WAD } from '../math/fixed-point';

/** Health factor in WAD, rounded down: collateralValue × threshold / debt. Undefined without debt. */
export function healthFactor(collateralValue: bigint, debt: bigint, thresholdBps: bigint): bigint | undefined {
  if (debt === 0n) return undefined;
  return mulDivDown(collateralValue * thresholdBps, WAD, debt * BPS);
}

/** Loan-to-value above the pool's maximum: debt × 10_000 > collateralValue × maxLtv. */
export function exceedsMaxLtv(collateralValue: bigint, debt: bigint, maxLtvBps: bigint): boolean {
  return debt * BPS > collateralValue * maxLtvBps;
}

/**
 * The most a position can draw now without passing max LTV. A draw adds its amount scaled by the
 * borrow index (rounded up) and the debt is the scaled debt times the index (rounded up again), so a
 * draw of exactly the headroom to the limit can land a unit over it. Every step rounds down:
 * the largest debt within the limit, the largest scaled debt whose debt stays within it, and the
 * largest amount whose scaled addition fits.
 */
export function maxDraw(collateralValue: bigint, scaledDebt: bigint, borrowIndex: bigint, maxLtvBps: bigint): bigint {
  const maxDebt = mulDivDown(collateralValue, maxLtvBps, BPS);
  const maxScaledDebt = mulDivDown(maxDebt, RAY, borrowIndex);
  // Stryker disable next-line EqualityOperator: maxScaledDebt >= scaledDebt is equivalent, a headroom of 0 drawing 0 either way.
  return maxScaledDebt > scaledDebt ? mulDivDown(maxScaledDebt - scaledDebt, borrowIndex, RAY) : 0n;
}

/**
 * The lowest price (WAD) at which the position is not liquidatable: below it, it is. 0n for a position
 * without debt; undefined when no price can save it (debt and no collateral). The liquidation engine
 * keeps positions ordered by this, so a price update touches only those it crosses.
 */
export function safePrice(collateral: bigint, debt: bigint, thresholdBps: bigint, collateralUnit: bigint, debtUnit: bigint): bigint | undefined {
  if (debt === 0n) return 0n;
  if (collateral === 0n) return undefined;
  // Not liquidatable ⇔ collateralValue ≥ ceil(debt × 10_000 / threshold) =: v, and collateralValue =
  // floor(collateral × price × debtUnit / (WAD × collateralUnit)) ≥ v ⇔ price ≥ ceil(v × WAD × cu / (c × du)).
  const v = ceilDiv(debt * BPS, thresholdBps);
  return ceilDiv(v * WAD * collateralUnit, collateral * debtUnit);
}

export type HealthBand = 'liquidatable' | 'atRisk' | 'watch' | 'safe' | 'noDebt';

/**
 * The band a position's health factor falls in, as the pool-state read model counts them (its SQL
 * twin is in pool-state.query.ts): below 1, 1 to 1.1, 1.1 to 1.5, 1.5 and above, or no debt.
 */
export function healthBand(collateralValue: bigint, debt: bigint, thresholdBps: bigint): HealthBand {
  if (debt === 0n) return 'noDebt';
  const weighted = collateralValue * thresholdBps;
  if (weighted < debt * BPS) return 'liquidatable';
  if (weighted < debt * 11_000n) return 'atRisk';
  if (weighted < debt * 15_000n) return 'watch';
  return 'safe';
}
