/**
 * The liquidation rule exactly as the circuit computes it (circuits/liquidation.circom), in bigint
 * fixed point. The circuit and this file must agree on every input: the boundary property test in
 * liquidation-rule.spec.ts runs both. Rounding favours the pool: debt rounds up, collateral value
 * rounds down. The domain's health-factor code may re-export these; they stay the reference for the proof.
 */

/** 1e18: prices are WAD (value of one whole collateral token in whole debt tokens). */
export const WAD = 10n ** 18n;
/** 1e27: the borrow index is RAY. */
export const RAY = 10n ** 27n;
/** 10_000 basis points = 100%. */
export const BPS = 10_000n;

/** Bit widths the circuit range-checks. Inputs outside them cannot be proven. */
export const AMOUNT_BITS = 88n;
export const TIMESTAMP_BITS = 64n;
export const THRESHOLD_BITS = 14n;
export const BORROW_INDEX_BITS = 128n;
export const UNIT_BITS = 60n;
/** Token decimals the pool scales accept (10^18 < 2^60). */
export const MAX_DECIMALS = 18;

export function ceilDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n || a < 0n) throw new RangeError('ceilDiv needs a >= 0 and b > 0');
  return (a + b - 1n) / b;
}

export function floorDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n || a < 0n) throw new RangeError('floorDiv needs a >= 0 and b > 0');
  return a / b;
}

/** 10^decimals: the smallest-unit scale of a token with that many decimals (0..18). */
export function unitOf(decimals: number): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new RangeError(`token decimals must be an integer in 0..${MAX_DECIMALS}: ${decimals}`);
  }
  return 10n ** BigInt(decimals);
}

/** Debt in the debt token's smallest unit: ceil(scaledDebt × borrowIndex / RAY). */
export function debtOf(scaledDebt: bigint, borrowIndex: bigint): bigint {
  return ceilDiv(scaledDebt * borrowIndex, RAY);
}

/**
 * Collateral value in the debt token's smallest unit:
 * floor(collateral × price × debtUnit / (WAD × collateralUnit)).
 */
export function collateralValueOf(collateral: bigint, price: bigint, collateralUnit: bigint, debtUnit: bigint): bigint {
  return floorDiv(collateral * price * debtUnit, WAD * collateralUnit);
}

export interface LiquidationRuleInput {
  collateral: bigint;
  scaledDebt: bigint;
  /** WAD. */
  price: bigint;
  thresholdBps: bigint;
  /** RAY. */
  borrowIndex: bigint;
  collateralUnit: bigint;
  debtUnit: bigint;
}

/** Health factor below one: collateralValue × thresholdBps < debt × 10_000. */
export function isLiquidatable(x: LiquidationRuleInput): boolean {
  const value = collateralValueOf(x.collateral, x.price, x.collateralUnit, x.debtUnit);
  return value * x.thresholdBps < debtOf(x.scaledDebt, x.borrowIndex) * BPS;
}

/** True if every value fits the widths the circuit range-checks (else no proof can exist). */
export function fitsCircuit(x: LiquidationRuleInput): boolean {
  const below = (v: bigint, bits: bigint): boolean => v >= 0n && v < 1n << bits;
  return (
    below(x.collateral, AMOUNT_BITS) &&
    below(x.scaledDebt, AMOUNT_BITS) &&
    below(x.price, AMOUNT_BITS) &&
    below(x.thresholdBps, THRESHOLD_BITS) &&
    below(x.borrowIndex, BORROW_INDEX_BITS) &&
    x.collateralUnit > 0n &&
    below(x.collateralUnit, UNIT_BITS) &&
    below(x.debtUnit, UNIT_BITS)
  );
}
