/**
 * The auction as an aggregate (stream `auction-<id>`): a start is decided against the position in
 * liquidation; every command against the position's pool and that pool's feed (for the round a reset
 * cites) at ledger time.
 */
import { LedgerAggregateSpec, read, Reads } from '../aggregate';
import { DomainError } from '../decider';
import { EventCodec, ledgerEventCodec } from '../events';
import { AuctionCommand, AuctionContext, auctionDecider, AuctionEvent, AuctionState, auctionStream } from './auction';

export const auctionAggregate: LedgerAggregateSpec<AuctionState, AuctionCommand, AuctionEvent, AuctionContext> = {
  kind: 'auction',
  streamOf: auctionStream,
  decider: auctionDecider,
  codec: ledgerEventCodec as EventCodec<AuctionEvent>,
  issue: (request) => request,
  contextOf: auctionContextOf,
  commandOf: auctionCommandOf,
};

function* auctionContextOf(command: AuctionCommand, state: AuctionState, { now }: { now: bigint }): Reads<AuctionContext> {
  const position = command.type === 'StartAuction' ? yield* read('position', command.positionId) : ({ status: 'absent' } as const);
  const poolId = state.status !== 'absent' ? state.poolId : position.status !== 'absent' ? position.poolId : undefined;
  const pool = poolId === undefined ? ({ status: 'absent' } as const) : yield* read('pool', poolId);
  const feed = pool.status === 'active' ? yield* read('feed', pool.feed) : ({ status: 'absent' } as const);
  return { position, pool, feed, now };
}

/** The auction command that appends these events. */
function auctionCommandOf(events: readonly AuctionEvent[]): AuctionCommand {
  const [first] = events;
  switch (first.type) {
    case 'AuctionStarted':
      return { type: 'StartAuction', auctionId: first.auctionId, positionId: first.positionId, ...(first.keeper !== undefined ? { keeper: first.keeper } : {}) };
    case 'CollateralTaken':
      return { type: 'TakeCollateral', taker: first.taker, collateral: first.asked, maxPrice: first.maxPrice };
    case 'AuctionReset':
      return { type: 'ResetAuction', keeper: first.keeper, round: first.round };
    case 'SoldToMarket':
      return { type: 'SellToMarket', collateral: first.collateral, paid: first.paid, price: first.price };
    case 'BidRefunded':
    case 'BidPlaced': {
      // An outbid bidder's refund comes first, in the same command as the bid that outbid it.
      const placed = events.find((e): e is Extract<AuctionEvent, { type: 'BidPlaced' }> => e.type === 'BidPlaced');
      if (!placed) throw new DomainError('RESULT_DIFFERS', 'a refund without the bid that caused it');
      return { type: 'PlaceBid', bidder: placed.bidder, amount: placed.amount };
    }
    case 'AuctionWon':
      return { type: 'CloseAuction' };
    case 'AuctionSettled':
      throw new DomainError('RESULT_DIFFERS', 'AuctionSettled only ever follows the take that settles the auction');
  }
}
