/**
 * An English auction's reserve: the least a bid must offer to be able to win the lot. A bid may buy
 * the lot at no deeper discount than the largest the pool grants, its liquidation penalty (the
 * liquidator's bonus is paid out of it): the reserve price is the oracle price of the auction's start
 * (or last reset) less the penalty, rounded up. The reserve is what is left of the lot at that price,
 * rounded up, but never more than what is left of the tab (a bid of the whole tab always wins).
 * Below it a bid is refused; an auction that closes without a bid falls back to the pool market, or
 * a keeper's reset restarts it as a Dutch auction.
 */
import { BPS, mulDivUp } from '../math/fixed-point';
import { owedFor } from '../liquidation/liquidation-terms';

/** The reserve price (WAD): the oracle price less the liquidation penalty, rounded up (in the pool's favour). */
export function reservePrice(oraclePrice: bigint, liquidationPenaltyBps: bigint): bigint {
  return mulDivUp(oraclePrice, BPS - liquidationPenaltyBps, BPS);
}

export interface EnglishLot {
  /** Collateral left to sell, and debt left to raise. */
  lotLeft: bigint;
  tabLeft: bigint;
  /** The oracle price (WAD) the auction started (or was last reset) at. */
  oraclePrice: bigint;
  liquidationPenaltyBps: bigint;
  collateralUnit: bigint;
  debtUnit: bigint;
}

/** The least bid that can win: what is left of the lot at the reserve price, at most what is left of the tab. */
export function englishReserve(lot: EnglishLot): bigint {
  const atReserve = owedFor(lot.lotLeft, reservePrice(lot.oraclePrice, lot.liquidationPenaltyBps), lot.collateralUnit, lot.debtUnit);
  // Stryker disable next-line EqualityOperator: atReserve <= lot.tabLeft is equivalent, both branches giving the same amount when equal.
  return atReserve < lot.tabLeft ? atReserve : lot.tabLeft;
}
