/**
 * What a liquidation sells and for how much (Aave v3 LiquidationLogic and MakerDAO `dog` as anchors),
 * each rule named as the domain names it. Rounding favours the pool: the penalty and what a taker
 * owes round up, the debt a sale clears rounds down.
 */
import { BPS, ceilDiv, mulDivDown, mulDivUp, WAD } from '../math/fixed-point';
import { collateralValueOf } from '../risk/liquidation-rule';
import { healthFactor } from '../risk/position-risk';
import { PoolParameters } from '../pool/pool-parameters';

export interface LiquidationTerms {
  /** Debt the sale is to repay: the close factor's share, or all of it. */
  debtToCover: bigint;
  /** Charged to the borrower on top: debtToCover × penalty. */
  penalty: bigint;
  /** What the auction must raise: debtToCover + penalty (debt asset units). */
  tab: bigint;
  /** Collateral put up for sale: the share of the position's collateral the covered debt is of its debt. */
  lot: bigint;
}

export interface PositionAtLiquidation {
  collateral: bigint;
  /** Debt with interest to now. */
  debt: bigint;
  /** WAD, the oracle's. */
  price: bigint;
  collateralUnit: bigint;
  debtUnit: bigint;
}

/**
 * The close factor's share of the debt; all of it below the full-close health factor, and all of it
 * when what would stay is below the dust limit (a liquidation never leaves dust behind).
 */
export function maxLiquidatableDebt(p: PositionAtLiquidation, parameters: PoolParameters): bigint {
  const value = collateralValueOf(p.collateral, p.price, p.collateralUnit, p.debtUnit);
  const hf = healthFactor(value, p.debt, parameters.liquidationThresholdBps);
  if (hf === undefined) return 0n;
  if (hf < parameters.fullCloseHealthFactor) return p.debt;
  const share = mulDivDown(p.debt, parameters.closeFactorBps, BPS);
  return p.debt - share < parameters.dustLimit ? p.debt : share;
}

export function liquidationTerms(p: PositionAtLiquidation, parameters: PoolParameters): LiquidationTerms {
  const debtToCover = maxLiquidatableDebt(p, parameters);
  const penalty = mulDivUp(debtToCover, parameters.liquidationPenaltyBps, BPS);
  const lot = debtToCover === p.debt ? p.collateral : mulDivUp(p.collateral, debtToCover, p.debt);
  return { debtToCover, penalty, tab: debtToCover + penalty, lot };
}

/** What a taker owes for `collateral` at `price` (WAD): its value in debt units, rounded up. */
export function owedFor(collateral: bigint, price: bigint, collateralUnit: bigint, debtUnit: bigint): bigint {
  return ceilDiv(collateral * price * debtUnit, WAD * collateralUnit);
}

/** The most collateral `amount` debt units buy at `price` (WAD), rounded down. */
export function collateralFor(amount: bigint, price: bigint, collateralUnit: bigint, debtUnit: bigint): bigint {
  if (price === 0n) return 0n;
  return (amount * WAD * collateralUnit) / (price * debtUnit);
}

export interface ProceedsSplit {
  /** Raised money that repays the borrower's debt. */
  debtRepaid: bigint;
  /** Raised money beyond it: the penalty collected (all or part). */
  penaltyPaid: bigint;
  /** The liquidator's bonus out of the penalty, before the protocol's fee... */
  liquidatorBonus: bigint;
  /** ...the protocol's fee on that bonus... */
  protocolFee: bigint;
  /** ...and what the reserve receives: the penalty beyond the bonus, plus the fee. */
  reserveIn: bigint;
}

/**
 * How an auction's proceeds are shared: the debt first, then the penalty; of the penalty collected,
 * the liquidator's bonus is its bonus-to-penalty share (rounded down), the protocol fee is its share
 * of the bonus (rounded up), and the reserve takes the rest. A liquidation the ledger detected itself
 * has no liquidator to pay: its whole penalty goes to the reserve.
 */
export function splitProceeds(raised: bigint, debtToCover: bigint, parameters: PoolParameters, hasLiquidator: boolean): ProceedsSplit {
  // Stryker disable next-line EqualityOperator: raised <= debtToCover is equivalent, both sides being the same amount when equal (its sibling >= is killed).
  const debtRepaid = raised < debtToCover ? raised : debtToCover;
  const penaltyPaid = raised - debtRepaid;
  const liquidatorBonus =
    !hasLiquidator || parameters.liquidationPenaltyBps === 0n ? 0n : mulDivDown(penaltyPaid, parameters.liquidatorBonusBps, parameters.liquidationPenaltyBps);
  const protocolFee = mulDivUp(liquidatorBonus, parameters.protocolFeeBps, BPS);
  return { debtRepaid, penaltyPaid, liquidatorBonus, protocolFee, reserveIn: penaltyPaid - liquidatorBonus + protocolFee };
}
