/**
 * A lending pool (stream `pool-<id>`): its assets, its oracle feed, its risk parameters and its borrow
 * index. Parameter changes are events and apply from their own time on: the index is checkpointed at
 * the old rate first.
 */
import { Decider, DomainError } from '../decider';
import { BPS, WAD } from '../math/fixed-point';
import { AMOUNT_BITS, MAX_DECIMALS } from '../risk/liquidation-rule';
import { IndexCheckpoint, indexAt, perSecondRate } from '../interest/stability-fee';
import { debtOf, unitOf } from '../risk/liquidation-rule';
import { liquidationTerms, LiquidationTerms } from '../liquidation/liquidation-terms';
import type { PositionState } from '../position/position';
import type { FeedState } from '../oracle/feed';
import { citedRoundPrice } from '../liquidation/liquidation-trigger';
import { RAY } from '../math/fixed-point';
import { AUCTION_CURVES, CurveParameters } from '../liquidation/auction-curves';
import { checkGlobalLiquidationCap, GlobalLiquidationContext } from '../liquidation/global-liquidation-cap';
import { decideRisk, evolveRisk, RiskCommand, RiskContext, RiskEvent, RiskState } from './risk-adjustment';

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

export function auctionParametersOf(pool: ActivePool): AuctionParameters {
  // Pools set up before English auctions existed have no bidding parameters: the defaults fill them.
  return { ...DEFAULT_AUCTION, ...pool.parameters.auction };
}

export type PoolState =
  | { status: 'absent' }
  | {
      status: 'active';
      poolId: string;
      collateral: Asset;
      debt: Asset;
      feed: string;
      parameters: PoolParameters;
      interest: IndexCheckpoint;
      /** The protocol reserve (debt asset units): penalties and fees in, keeper incentives and bad debt out. */
      reserve: bigint;
      /** Bad debt the reserve could not cover, borne by the lenders (cumulative). */
      socializedLoss: bigint;
      /** Collateral reserved by liquidations whose auctions are not yet accounted for: at most liquidationCollateralCap. */
      collateralUnderAuction: bigint;
      /** What each of those liquidations was reserved for, by auction id. */
      reservations: Record<string, Reservation>;
      /** An admin's pause: no new auction starts until resumed. */
      liquidationsPaused: boolean;
      /** The predictive risk engine's settings and pending proposal, once an admin configured it. */
      risk?: RiskState;
    };

/**
 * A liquidation's room under the cap and its terms, fixed when reserved. `borrowIndex` is the index the
 * covered debt was measured at; reservations recorded before it existed lack it.
 */
export type Reservation = { positionId: string; round: bigint; price: bigint; borrowIndex?: bigint } & LiquidationTerms;

/**
 * What reserving a liquidation needs beyond the pool: the position and the pool's feed (for the round it
 * cites), and the debt under auction across all pools with the global liquidation cap (none: no global cap).
 */
export interface PoolContext {
  position: PositionState;
  feed: FeedState;
  global?: GlobalLiquidationContext;
}

export type PoolCommand =
  | { type: 'CreatePool'; poolId: string; collateral: Asset; debt: Asset; feed: string; parameters: PoolParameters; now: bigint }
  | { type: 'ChangePoolParameters'; changes: Partial<PoolParameters>; now: bigint }
  | { type: 'AccrueInterest'; now: bigint }
  /**
   * Room for a liquidation's auction under the pool's cap on collateral under auction and the global cap
   * on debt under auction across pools, with its terms fixed at the price now (the circuit breakers: a
   * liquidation past either cap waits for room).
   */
  | { type: 'ReserveLiquidation'; auctionId: string; positionId: string; round: bigint; now: bigint }
  /** A settled liquidation's effect on the pool: the reserve's share of the proceeds, keeper incentives paid, bad debt left; its room is released. */
  | { type: 'AccountLiquidation'; auctionId: string; reserveIn: bigint; keeperRewards: bigint; badDebt: bigint; now: bigint }
  /** An admin stops (and lets again) new auctions in this pool. */
  | { type: 'PauseLiquidations'; now: bigint }
  | { type: 'ResumeLiquidations'; now: bigint }
  | RiskCommand;

export type PoolEvent =
  | { type: 'PoolCreated'; poolId: string; collateral: Asset; debt: Asset; feed: string; parameters: PoolParameters; ratePerSecond: bigint; at: bigint }
  | { type: 'InterestAccrued'; index: bigint; at: bigint }
  | { type: 'PoolParametersChanged'; changes: Partial<PoolParameters>; parameters: PoolParameters; ratePerSecond: bigint; at: bigint }
  /**
   * The reserve takes the proceeds' share and pays the keepers; bad debt is covered by the reserve
   * first, and the rest (with any incentive the reserve could not pay) is socialized across lenders.
   */
  | { type: 'LiquidationAccounted'; auctionId: string; reserveIn: bigint; keeperRewards: bigint; badDebt: bigint; coveredByReserve: bigint; socialized: bigint; reserve: bigint }
  | ({ type: 'LiquidationReserved'; auctionId: string; at: bigint } & Reservation)
  | { type: 'PoolLiquidationsPaused'; at: bigint }
  | { type: 'PoolLiquidationsResumed'; at: bigint }
  | RiskEvent;

export const poolStream = (poolId: string) => `pool-${poolId}`;

export const poolDecider: Decider<PoolState, PoolCommand, PoolEvent, PoolContext | RiskContext | undefined> = {
  initialState: () => ({ status: 'absent' }),

  decide(command, state, context) {
    switch (command.type) {
      case 'CreatePool': {
        if (state.status !== 'absent') throw new DomainError('POOL_EXISTS', `pool ${command.poolId} already exists`);
        for (const asset of [command.collateral, command.debt]) {
          if (!Number.isInteger(asset.decimals) || asset.decimals < 0 || asset.decimals > MAX_DECIMALS) {
            throw new DomainError('INVALID_PARAMETERS', `asset decimals must be 0..${MAX_DECIMALS}`, { parameter: 'decimals' });
          }
        }
        validateParameters(command.parameters);
        const { poolId, collateral, debt, feed, parameters, now } = command;
        return [{ type: 'PoolCreated', poolId, collateral, debt, feed, parameters, ratePerSecond: perSecondRate(parameters.stabilityFeeYearly), at: now }];
      }
      case 'ChangePoolParameters': {
        const pool = activePool(state);
        const parameters = { ...pool.parameters, ...definedOnly(command.changes) };
        validateParameters(parameters);
        // Checkpoint the index at the old rate so the new one applies from now on only.
        return [
          { type: 'InterestAccrued', index: indexAt(pool.interest, command.now), at: command.now },
          { type: 'PoolParametersChanged', changes: definedOnly(command.changes), parameters, ratePerSecond: perSecondRate(parameters.stabilityFeeYearly), at: command.now },
        ];
      }
      case 'AccrueInterest': {
        const pool = activePool(state);
        return [{ type: 'InterestAccrued', index: indexAt(pool.interest, command.now), at: command.now }];
      }
      case 'ReserveLiquidation': {
        const pool = activePool(state);
        if (!context || !('position' in context)) throw new DomainError('NOT_IN_LIQUIDATION', 'reserving a liquidation needs its position');
        if (pool.liquidationsPaused) throw new DomainError('LIQUIDATIONS_PAUSED', `liquidations in pool ${pool.poolId} are paused by an admin`);
        if (command.auctionId in pool.reservations) throw new DomainError('AUCTION_EXISTS', `auction ${command.auctionId} is already reserved`);
        const position = context.position;
        if (position.status !== 'open' || position.positionId !== command.positionId || position.poolId !== pool.poolId || !position.liquidation) {
          throw new DomainError('NOT_IN_LIQUIDATION', 'the position is not being liquidated');
        }
        const price = citedRoundPrice(context.feed, pool.feed, command.round, command.now);
        const borrowIndex = indexAt(pool.interest, command.now);
        const debt = debtOf(position.scaledDebt, borrowIndex);
        const terms = liquidationTerms({ collateral: position.collateral, debt, price, collateralUnit: unitOf(pool.collateral.decimals), debtUnit: unitOf(pool.debt.decimals) }, pool.parameters);
        if (terms.debtToCover === 0n) throw new DomainError('NOTHING_TO_LIQUIDATE', 'the position has no debt to cover');
        if (pool.collateralUnderAuction + terms.lot > pool.parameters.liquidationCollateralCap) {
          throw new DomainError('LIQUIDATION_CAP_REACHED', `pool ${pool.poolId} has as much collateral under auction as its cap allows; this liquidation waits for room`);
        }
        checkGlobalLiquidationCap(context.global, terms.tab, pool.debt.decimals);
        return [{ type: 'LiquidationReserved', auctionId: command.auctionId, positionId: position.positionId, round: command.round, price, borrowIndex, ...terms, at: command.now }];
      }
      case 'PauseLiquidations':
      case 'ResumeLiquidations': {
        const pool = activePool(state);
        const pause = command.type === 'PauseLiquidations';
        if (pool.liquidationsPaused === pause) throw new DomainError(pause ? 'ALREADY_PAUSED' : 'NOT_PAUSED', `liquidations in pool ${pool.poolId} are ${pause ? 'already paused' : 'not paused'}`);
        return [pause ? { type: 'PoolLiquidationsPaused', at: command.now } : { type: 'PoolLiquidationsResumed', at: command.now }];
      }
      case 'AccountLiquidation': {
        const pool = activePool(state);
        const { auctionId, reserveIn, keeperRewards, badDebt } = command;
        if (!(auctionId in pool.reservations)) throw new DomainError('AUCTION_NOT_FOUND', `auction ${auctionId} holds no reservation in this pool`);
        if (reserveIn < 0n || keeperRewards < 0n || badDebt < 0n) throw new DomainError('INVALID_SETTLEMENT', 'liquidation amounts are never negative');
        const available = pool.reserve + reserveIn - keeperRewards;
        const unpaidRewards = available < 0n ? -available : 0n;
        const afterRewards = available < 0n ? 0n : available;
        const coveredByReserve = badDebt < afterRewards ? badDebt : afterRewards;
        const socialized = badDebt - coveredByReserve + unpaidRewards;
        return [{ type: 'LiquidationAccounted', auctionId, reserveIn, keeperRewards, badDebt, coveredByReserve, socialized, reserve: afterRewards - coveredByReserve }];
      }
      case 'ConfigureRiskEngine':
      case 'ProposeRiskParameters':
      case 'ApplyRiskParameters':
        return decideRisk(command, activePool(state), context && 'prices' in context ? context : undefined);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PoolCreated': {
        const { poolId, collateral, debt, feed, parameters, ratePerSecond, at } = event;
        return {
          status: 'active', poolId, collateral, debt, feed, parameters,
          interest: { index: RAY, at, ratePerSecond },
          reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: {}, liquidationsPaused: false,
        };
      }
      case 'InterestAccrued': {
        const pool = activePool(state);
        return { ...pool, interest: { ...pool.interest, index: event.index, at: event.at } };
      }
      case 'PoolParametersChanged': {
        const pool = activePool(state);
        return { ...pool, parameters: event.parameters, interest: { ...pool.interest, ratePerSecond: event.ratePerSecond } };
      }
      case 'LiquidationReserved': {
        const pool = activePool(state);
        const { type: _, auctionId, at: __, ...reservation } = event;
        return { ...pool, collateralUnderAuction: pool.collateralUnderAuction + event.lot, reservations: { ...pool.reservations, [auctionId]: reservation } };
      }
      case 'LiquidationAccounted': {
        const pool = activePool(state);
        const { [event.auctionId]: released, ...reservations } = pool.reservations;
        return {
          ...pool,
          reserve: event.reserve,
          socializedLoss: pool.socializedLoss + event.socialized,
          collateralUnderAuction: pool.collateralUnderAuction - (released?.lot ?? 0n),
          reservations,
        };
      }
      case 'PoolLiquidationsPaused':
      case 'PoolLiquidationsResumed':
        return { ...activePool(state), liquidationsPaused: event.type === 'PoolLiquidationsPaused' };
      case 'RiskEngineConfigured':
      case 'RiskParametersProposed':
      case 'RiskParametersApplied':
        return evolveRisk(activePool(state), event);
    }
  },
};

export type ActivePool = Extract<PoolState, { status: 'active' }>;

export function activePool(state: PoolState): ActivePool {
  if (state.status !== 'active') throw new DomainError('POOL_NOT_FOUND', 'no such pool');
  return state;
}

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

function definedOnly(changes: Partial<PoolParameters>): Partial<PoolParameters> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<PoolParameters>;
}
