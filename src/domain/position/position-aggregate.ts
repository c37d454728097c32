/**
 * The position as an aggregate (stream `position-<id>`): every command is decided against the
 * position's pool (the one an open names), that pool's feed, and the feed's price at ledger time. Each
 * position command appends exactly one event, whose fresh salt the ledger draws.
 */
import { LedgerAggregateSpec, DistributiveOmit, read, Reads } from '../aggregate';
import { DomainError } from '../decider';
import { EventCodec, ledgerEventCodec } from '../events';
import { parsePublicSignals, PublicSignalsError } from '../liquidation/public-signals';
import { priceAt } from '../oracle/feed';
import { PositionCommand, PositionContext, positionDecider, PositionEvent, PositionState, positionStream } from './position';

/** The command without its salt, which the ledger draws. */
export type PositionRequest = DistributiveOmit<PositionCommand, 'salt'>;

export const positionAggregate: LedgerAggregateSpec<PositionState, PositionCommand, PositionEvent, PositionContext, PositionRequest> = {
  kind: 'position',
  streamOf: positionStream,
  decider: positionDecider,
  codec: ledgerEventCodec as EventCodec<PositionEvent>,
  issue: (request, { salt }) => ({ ...request, salt: salt() }) as PositionCommand,
  contextOf: (command, state, { now }) => positionContextOf(poolIdOf(command, state), now),
  commandOf: (events) => {
    if (events.length !== 1) throw new DomainError('RESULT_DIFFERS', `a position command appends one event, not ${events.length}`);
    return positionCommandOf(events[0]);
  },
};

/** The position's pool: the one an open names, or the one it was opened in. */
export function poolIdOf(command: { type: string; poolId?: string }, state: PositionState): string | undefined {
  if (command.type === 'OpenPosition') return command.poolId;
  return state.status === 'absent' ? undefined : state.poolId;
}

/** The pool, that pool's feed and the feed's price at `now`. */
export function* positionContextOf(poolId: string | undefined, now: bigint): Reads<PositionContext> {
  const pool = poolId === undefined ? ({ status: 'absent' } as const) : yield* read('pool', poolId);
  const feed = pool.status === 'active' ? yield* read('feed', pool.feed) : ({ status: 'absent' } as const);
  return { pool, price: priceAt(feed, now), feed, now };
}

/** The position command behind one event. */
function positionCommandOf(e: PositionEvent): PositionCommand {
  switch (e.type) {
    case 'PositionOpened':
      return { type: 'OpenPosition', positionId: e.positionId, poolId: e.poolId, owner: e.owner, salt: e.salt };
    case 'CollateralDeposited':
      return { type: 'DepositCollateral', amount: e.amount, salt: e.salt };
    case 'CollateralWithdrawn':
      return { type: 'WithdrawCollateral', amount: e.amount, salt: e.salt };
    case 'DebtDrawn':
      return { type: 'DrawDebt', amount: e.amount, salt: e.salt };
    case 'DebtRepaid':
      return { type: 'RepayDebt', amount: e.amount, salt: e.salt };
    case 'PositionClosed':
      return { type: 'ClosePosition', salt: e.salt };
    case 'LiquidationSettled':
      return { type: 'SettleLiquidation', auctionId: e.auctionId, collateralSold: e.collateralSold, debtRepaid: e.debtRepaid, salt: e.salt };
    case 'LiquidationTriggered':
      if (e.by === 'detection') return { type: 'DetectLiquidation', round: e.round, salt: e.salt };
      // A proof of the retired circuit (schema v2) cited one oracle's report and binds no round price.
      if (e.price === undefined) throw new DomainError('PRICE_NOT_ROUND_PRICE', "the proof is of the retired circuit, which binds one oracle's report, not the round's accepted price");
      // The proof is verified in a batch apart; here, whether its public signals are the ledger's.
      return { type: 'TriggerLiquidation', liquidator: e.liquidator, proof: e.proof, publicSignals: e.publicSignals, signals: signalsOf(e.publicSignals), proofVerified: true, salt: e.salt };
  }
}

function signalsOf(publicSignals: string[]) {
  try {
    return parsePublicSignals(publicSignals);
  } catch (err) {
    if (err instanceof PublicSignalsError) throw new DomainError('INVALID_PUBLIC_SIGNALS', err.message);
    throw err;
  }
}
