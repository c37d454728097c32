/**
 * The pool as an aggregate (stream `pool-<id>`): a reservation is decided against the position being
 * liquidated, the pool's feed and, when an admin set one, the global liquidation cap with the debt under
 * auction in every pool; a risk proposal against its feed's accepted prices; anything else against the
 * pool alone.
 */
import { LedgerAggregateSpec, DistributiveOmit, read, Reads } from '../aggregate';
import { EventCodec, ledgerEventCodec } from '../events';
import { debtUnderAuction, GlobalLiquidationContext } from '../liquidation/global-liquidation-cap';
import { ActivePool, PoolCommand, PoolContext, poolDecider, PoolEvent, PoolState, poolStream } from './pool';
import { RiskContext } from './risk-adjustment';

export type PoolRequest = DistributiveOmit<PoolCommand, 'now'>;

export const poolAggregate: LedgerAggregateSpec<PoolState, PoolCommand, PoolEvent, PoolContext | RiskContext | undefined, PoolRequest> = {
  kind: 'pool',
  streamOf: poolStream,
  decider: poolDecider,
  codec: ledgerEventCodec as EventCodec<PoolEvent>,
  issue: (request, { now }) => ({ ...request, now }) as PoolCommand,
  contextOf: poolContextOf,
  commandOf: poolCommandOf,
};

function* poolContextOf(command: PoolCommand, pool: PoolState): Reads<PoolContext | RiskContext | undefined> {
  if (pool.status !== 'active') return undefined;
  if (command.type === 'ProposeRiskParameters') return { prices: yield* read('acceptedPrices', pool.feed) };
  if (command.type !== 'ReserveLiquidation') return undefined;
  const position = yield* read('position', command.positionId);
  const feed = yield* read('feed', pool.feed);
  return { position, feed, global: yield* globalContextOf(pool) };
}

/** The cap in force and the debt under auction in every pool, this one as the command sees it. No cap: nothing to add up. */
function* globalContextOf(pool: ActivePool): Reads<GlobalLiquidationContext | undefined> {
  const { cap } = yield* read('globalLiquidationCap');
  if (cap === undefined) return undefined;
  const others = (yield* read('activePools')).filter((other) => other.poolId !== pool.poolId);
  return { debtUnderAuction: debtUnderAuction([pool, ...others]), cap };
}

/** The pool command that appends these events. */
function poolCommandOf(events: readonly PoolEvent[], now: bigint): PoolCommand {
  const [first, second] = events;
  switch (first.type) {
    case 'PoolCreated': {
      const { poolId, collateral, debt, feed, parameters } = first;
      return { type: 'CreatePool', poolId, collateral, debt, feed, parameters, now };
    }
    case 'InterestAccrued':
      return second?.type === 'PoolParametersChanged' ? { type: 'ChangePoolParameters', changes: second.changes, now } : { type: 'AccrueInterest', now };
    case 'PoolParametersChanged':
      return { type: 'ChangePoolParameters', changes: first.changes, now };
    case 'LiquidationAccounted':
      return { type: 'AccountLiquidation', auctionId: first.auctionId, reserveIn: first.reserveIn, keeperRewards: first.keeperRewards, badDebt: first.badDebt, now };
    case 'LiquidationReserved':
      return { type: 'ReserveLiquidation', auctionId: first.auctionId, positionId: first.positionId, round: first.round, now };
    case 'PoolLiquidationsPaused':
      return { type: 'PauseLiquidations', now };
    case 'PoolLiquidationsResumed':
      return { type: 'ResumeLiquidations', now };
    case 'RiskEngineConfigured':
      return { type: 'ConfigureRiskEngine', settings: first.settings, now };
    case 'RiskParametersProposed':
      return { type: 'ProposeRiskParameters', proposalId: first.proposalId, round: first.round, now };
    case 'RiskParametersApplied':
      return { type: 'ApplyRiskParameters', proposalId: first.proposalId, now };
  }
}
