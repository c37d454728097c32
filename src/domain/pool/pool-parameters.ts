/**
 * A pool's assets and its risk and auction parameters, with every rule the parameters must keep: what
 * the pool's state, its liquidations' terms and the risk policy all read (kept apart from the pool's
 * decider, which reads them too, so none of them loops back through it).
 */
import { DomainError } from '../decider';
import { BPS, WAD } from '../math/fixed-point';
import { AMOUNT_BITS } from '../risk/liquidation-rule';
import { AUCTION_CURVES, CurveParameters } from '../liquidation/auction-curves';

export interface Asset {
  symbol: string;
  decimals: number;
}

/** Ratios in basis points, the health factor in WAD, amounts in the asset's smallest unit. */
export interface PoolParameters {
  maxLtvBps: bigint;
  liquidationThresholdBps: bigint;
  /** Charged to the borrower on liquidation. */
  liquidationPenaltyBps: bigint;
  /** Paid to the liquidator out of the penalty... */
  liquidatorBonusBps: bigint;
  /** ...of which this share goes to the protocol reserve. */
  protocolFeeBps: bigint;
  /** Share of the debt one liquidation may repay... */
  closeFactorBps: bigint;
  /** ...and 100% below this health factor (WAD). */
  fullCloseHealthFactor: bigint;
  /** Smallest debt a position may keep (debt asset units). */
  dustLimit: bigint;
  /** Collateral under liquidation at once (collateral asset units): a circuit breaker. */
  liquidationCollateralCap: bigint;
  /** Stability fee per year, WAD (0.05e18 = 5%). */
  stabilityFeeYearly: bigint;
  /** How liquidated collateral is sold; DEFAULT_AUCTION when a pool never set it. */
  auction?: AuctionParameters;
}

/** How a liquidation's collateral is sold: a Dutch auction, an English one, or straight into the pool's constant-product market. */
export const LIQUIDATION_ROUTES = ['dutch', 'english', 'market'] as const;
export type LiquidationRoute = (typeof LIQUIDATION_ROUTES)[number];

/**
 * The Dutch auction a liquidation sells its collateral by (MakerDAO `clip` style), or the market it
 * goes to instead (route `market`). A Dutch auction that needs a reset falls back to the market when
 * the pool has one: the market always clears.
 */
export interface AuctionParameters extends CurveParameters {
  route: LiquidationRoute;
  /** The starting price over the oracle price, bps (11_000 starts 10% above it). */
  bufferBps: bigint;
  /** A keeper may reset an auction older than this... */
  resetAfterSeconds: bigint;
  /** ...or whose price fell below this share of its starting price (bps). */
  resetBelowBps: bigint;
  /** A keeper who starts or resets an auction earns this flat tip (debt asset units)... */
  keeperTip: bigint;
  /** ...plus this share of the auction's tab (bps), paid from the protocol reserve. */
  keeperChipBps: bigint;
  /** English auctions: each bid beats the last by at least this (bps)... */
  bidIncrementBps: bigint;
  /** ...bidding closes this long after the start (or a reset)... */
  biddingSeconds: bigint;
  /** ...and a bid this close to the close pushes it this far past the bid. */
  extendSeconds: bigint;
}

export const DEFAULT_AUCTION: AuctionParameters = {
  route: 'dutch',
  curve: 'stairstep',
  cutBps: 100n,
  stepSeconds: 60n,
  bufferBps: 11_000n,
  resetAfterSeconds: 3_600n,
  resetBelowBps: 5_000n,
  keeperTip: 0n,
  keeperChipBps: 0n,
  bidIncrementBps: 100n,
  biddingSeconds: 600n,
  extendSeconds: 60n,
};

/** Every rule a pool's parameters must keep, refused with the parameter that breaks it. */
export function validateParameters(p: PoolParameters): void {
  const refuse = (parameter: keyof PoolParameters, why: string) => {
    throw new DomainError('INVALID_PARAMETERS', `${parameter} ${why}`, { parameter });
  };
  const inRange = (parameter: Exclude<keyof PoolParameters, 'auction'>, lo: bigint, hi: bigint) => {
    if (p[parameter] < lo || p[parameter] > hi) refuse(parameter, `must be within ${lo}..${hi}`);
  };
  inRange('maxLtvBps', 1n, BPS - 1n);
  inRange('liquidationThresholdBps', 1n, BPS);
  if (p.liquidationThresholdBps <= p.maxLtvBps) refuse('liquidationThresholdBps', 'must be above maxLtvBps');
  inRange('liquidationPenaltyBps', 0n, BPS / 2n);
  inRange('liquidatorBonusBps', 0n, p.liquidationPenaltyBps);
  inRange('protocolFeeBps', 0n, BPS);
  inRange('closeFactorBps', 1n, BPS);
  inRange('fullCloseHealthFactor', 1n, WAD);
  inRange('dustLimit', 0n, (1n << AMOUNT_BITS) - 1n);
  inRange('liquidationCollateralCap', 1n, (1n << AMOUNT_BITS) - 1n);
  inRange('stabilityFeeYearly', 0n, 10n * WAD);
  if (p.auction) validateAuction(p.auction);
  // Liquidating at the threshold must leave room for the penalty: otherwise the sale cannot cover it.
  if ((p.liquidationThresholdBps * (BPS + p.liquidationPenaltyBps)) / BPS > BPS) refuse('liquidationPenaltyBps', 'with the threshold would exceed 100% of the collateral');
}

function validateAuction(a: AuctionParameters): void {
  const refuse = (parameter: keyof AuctionParameters, why: string) => {
    throw new DomainError('INVALID_PARAMETERS', `auction.${parameter} ${why}`, { parameter: `auction.${parameter}` });
  };
  const inRange = (parameter: Exclude<keyof AuctionParameters, 'curve' | 'route'>, lo: bigint, hi: bigint) => {
    if (a[parameter] < lo || a[parameter] > hi) refuse(parameter, `must be within ${lo}..${hi}`);
  };
  if (!LIQUIDATION_ROUTES.includes(a.route)) refuse('route', `must be one of ${LIQUIDATION_ROUTES.join(', ')}`);
  if (!AUCTION_CURVES.includes(a.curve)) refuse('curve', `must be one of ${AUCTION_CURVES.join(', ')}`);
  inRange('cutBps', 1n, BPS - 1n);
  inRange('stepSeconds', 1n, 86_400n);
  inRange('bufferBps', BPS, 3n * BPS);
  inRange('resetAfterSeconds', 1n, 7n * 86_400n);
  inRange('resetBelowBps', 0n, BPS - 1n);
  inRange('keeperTip', 0n, (1n << AMOUNT_BITS) - 1n);
  inRange('keeperChipBps', 0n, 1_000n);
  inRange('bidIncrementBps', 1n, 5_000n);
  inRange('biddingSeconds', 1n, 7n * 86_400n);
  inRange('extendSeconds', 0n, 86_400n);
}
