/**
 * The liquidation rule, one definition for the ledger and the circuit (circuits/liquidation.circom):
 * health factor below one ⇔ collateralValue × threshold < debt × 10_000. The circuit and this file
 * must agree on every input: src/zk/liquidation-rule.spec.ts runs both at the boundary. Rounding
 * favours the pool: debt rounds up, collateral value rounds down.
 */
import { BPS, ceilDiv, floorDiv, RAY, WAD } from '../math/fixed-point';

/** Bit widths the circuit range-checks. Inputs outside them cannot be proven. */
export const AMOUNT_BITS = 88n;
export const THRESHOLD_BITS = 14n;
export const BORROW_INDEX_BITS = 128n;
export const UNIT_BITS = 60n;
/** Token decimals the pool scales accept (10^18 < 2^60). */
export const MAX_DECIMALS = 18;

/** 10^decimals: the smallest-unit scale of a token with that many decimals (0..18). */
export function unitOf(decimals: number): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS) {
    throw new RangeError(`token decimals must be an integer in 0..${MAX_DECIMALS}: ${decimals}`);
  }
  return 10n ** BigInt(decimals);
}

/** The decimals of a smallest-unit scale: unitOf's inverse. */
export function decimalsOf(unit: bigint): number {
  return unit.toString().length - 1;
}

/** Debt in the debt token's smallest unit: ceil(scaledDebt × borrowIndex / RAY). */
export function debtOf(scaledDebt: bigint, borrowIndex: bigint): bigint {
  return ceilDiv(scaledDebt * borrowIndex, RAY);
}

/**
 * Scaled debt left after repaying `amount` of a `debt` (both in the debt token, at `borrowIndex`): a
 * repayment clears at most what it pays for (the scaled amount rounds down), and only repaying the
 * whole debt clears it exactly.
 */
export function scaledDebtAfterRepaying(scaledDebt: bigint, debt: bigint, amount: bigint, borrowIndex: bigint): bigint {
  return amount === debt ? 0n : scaledDebt - (amount * RAY) / borrowIndex;
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
