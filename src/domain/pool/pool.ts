/**
 * A lending pool (stream `pool-<id>`): its assets, its oracle feed, its risk parameters and its borrow
 * index. Parameter changes are events and apply from their own time on: the index is checkpointed at
 * the old rate first.
 */
import { Decider, DomainError } from '../decider';
import { MAX_DECIMALS } from '../risk/liquidation-rule';
import { indexAt, perSecondRate } from '../interest/stability-fee';
import { debtOf, unitOf } from '../risk/liquidation-rule';
import { liquidationTerms } from '../liquidation/liquidation-terms';
import type { PositionState } from '../position/position';
import type { FeedState } from '../oracle/feed';
import { citedRoundPrice } from '../liquidation/liquidation-trigger';
import { RAY } from '../math/fixed-point';
import { checkGlobalLiquidationCap, GlobalLiquidationContext } from '../liquidation/global-liquidation-cap';
import { decideRisk, evolveRisk, RiskCommand, RiskContext, RiskEvent } from './risk-adjustment';
import { Asset, PoolParameters, validateParameters } from './pool-parameters';
import { activePool, noReservations, PoolState, Reservation } from './pool-state';

// The pool's parameters and state have files of their own (what the rest of the domain reads); the
// pool is still imported from here as a whole.
export { DEFAULT_AUCTION, LIQUIDATION_ROUTES, validateParameters } from './pool-parameters';
export type { Asset, AuctionParameters, LiquidationRoute, PoolParameters } from './pool-parameters';
export { activePool, auctionParametersOf, noReservations } from './pool-state';
export type { ActivePool, PoolState, Reservation, Reservations } from './pool-state';

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
        if (pool.reservations.has(command.auctionId)) throw new DomainError('AUCTION_EXISTS', `auction ${command.auctionId} is already reserved`);
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
        if (!pool.reservations.has(auctionId)) throw new DomainError('AUCTION_NOT_FOUND', `auction ${auctionId} holds no reservation in this pool`);
        if (reserveIn < 0n || keeperRewards < 0n || badDebt < 0n) throw new DomainError('INVALID_SETTLEMENT', 'liquidation amounts are never negative');
        const available = pool.reserve + reserveIn - keeperRewards;
        // Stryker disable next-line EqualityOperator: at zero, -0n and 0n are the same.
        const unpaidRewards = available < 0n ? -available : 0n;
        // Stryker disable next-line EqualityOperator: at zero, either branch is 0n.
        const afterRewards = available < 0n ? 0n : available;
        // Stryker disable next-line EqualityOperator: when equal, either is the same amount.
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
          reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: noReservations(), liquidationsPaused: false,
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
        return { ...pool, collateralUnderAuction: pool.collateralUnderAuction + event.lot, reservations: pool.reservations.with(auctionId, reservation) };
      }
      case 'LiquidationAccounted': {
        const pool = activePool(state);
        const released = pool.reservations.get(event.auctionId);
        return {
          ...pool,
          reserve: event.reserve,
          socializedLoss: pool.socializedLoss + event.socialized,
          // Stryker disable next-line OptionalChaining: decide accounts only a reserved auction (AUCTION_NOT_FOUND), so its reservation is always there.
          collateralUnderAuction: pool.collateralUnderAuction - (released?.lot ?? 0n),
          reservations: pool.reservations.without(event.auctionId),
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

function definedOnly(changes: Partial<PoolParameters>): Partial<PoolParameters> {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<PoolParameters>;
}
