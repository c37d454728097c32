/**
 * The English route: bids for what is left of the lot, each beating the last by the pool's increment (a
 * bid of the whole tab always wins), none below the reserve (english-reserve.ts). The outbid deposit is
 * refunded, a bid near the close pushes the close back, and after the close the best bid wins. A bid of
 * the whole tab ends it at once. Closed without a bid, the run is over: a keeper's reset restarts the
 * lot as a Dutch auction, or the pool's market buys it.
 */
import { DomainError } from '../../decider';
import { BPS, ceilDiv } from '../../math/fixed-point';
import { AuctionEvent, debtTokens, RunningAuction, settlement } from '../auction-model';
import type { AuctionRoute } from '../auction-route';
import { englishReserve } from '../english-reserve';

export const englishRoute: AuctionRoute = {
  opened: (auction, at) => ({ deadline: at + auction.biddingSeconds }),

  needsReset: (auction, _price, now) => now > closeOf(auction) && auction.bid === undefined,

  sellsToMarket: (due) => due,
  afterReset: 'dutch',
  saleSeconds: (auction) => auction.biddingSeconds,

  decide(command, auction, _quote, now) {
    if (command.type === 'TakeCollateral') throw new DomainError('NOT_A_DUTCH_AUCTION', 'an English auction takes bids, not takes');
    const deadline = closeOf(auction);
    // An English auction sells and raises nothing before its win (takes are refused, and a reset makes it Dutch): `sold` and `raised` are 0 here.
    // Stryker disable next-line ArithmeticOperator: `tab + raised` is equivalent, raised being 0 (see above).
    const tabLeft = auction.tab - auction.raised;
    const win = (bid: { bidder: string; amount: bigint }): AuctionEvent[] => [
      // Stryker disable next-line ArithmeticOperator: `lot + sold` is equivalent, sold being 0 (see above).
      { type: 'AuctionWon', bidder: bid.bidder, collateral: auction.lot - auction.sold, paid: bid.amount, at: now },
      // Stryker disable next-line ArithmeticOperator: `lot + sold` is equivalent, sold being 0 (see above).
      settlement(auction, auction.lot - auction.sold, bid.amount, now),
    ];
    if (command.type === 'CloseAuction') {
      if (now <= deadline) throw new DomainError('AUCTION_NOT_ENDED', 'bidding is still open', { deadline: deadline.toString() });
      if (!auction.bid) throw new DomainError('AUCTION_NEEDS_RESET', 'bidding closed without a bid: a keeper must reset it');
      return win(auction.bid);
    }
    if (now > deadline) throw new DomainError('AUCTION_ENDED', 'bidding has closed', { deadline: deadline.toString() });
    if (command.amount <= 0n) throw new DomainError('AMOUNT_NOT_POSITIVE', 'the bid must be positive');
    if (command.amount > tabLeft) throw new DomainError('BID_ABOVE_TAB', 'no bid may offer more than the tab', { tab: debtTokens(auction, tabLeft) });
    const reserve = reserveOf(auction);
    if (command.amount < reserve) {
      throw new DomainError('BID_BELOW_RESERVE', "the bid is below the auction's reserve: the lot at the oracle price less the liquidation penalty", { reserve: debtTokens(auction, reserve) });
    }
    const minBid = auction.bid ? ceilDiv(auction.bid.amount * (BPS + auction.auction.bidIncrementBps), BPS) : 1n;
    if (command.amount < minBid && command.amount !== tabLeft) throw new DomainError('BID_TOO_LOW', 'the bid does not beat the best bid by the increment', { minBid: debtTokens(auction, minBid) });
    if (auction.bid && command.amount <= auction.bid.amount) throw new DomainError('BID_TOO_LOW', 'the bid does not beat the best bid', { minBid: debtTokens(auction, minBid) });
    // Stryker disable next-line EqualityOperator: `<=` is equivalent: a bid exactly `extendSeconds` before the close moves it to now + extendSeconds, which is the close itself.
    const closes = deadline - now < auction.auction.extendSeconds ? now + auction.auction.extendSeconds : deadline;
    const bid = { bidder: command.bidder, amount: command.amount };
    return [
      ...(auction.bid ? [{ type: 'BidRefunded' as const, bidder: auction.bid.bidder, amount: auction.bid.amount }] : []),
      { type: 'BidPlaced', ...bid, deadline: closes, at: now },
      ...(command.amount === tabLeft ? win(bid) : []),
    ];
  },

  dueStep: (auction, now) => (auction.bid && now > closeOf(auction) ? 'close' : undefined),

  reserve: reserveOf,
};

/** An English auction's reserve now (english-reserve.ts): the least bid that can win what is left of the lot. */
function reserveOf(auction: RunningAuction): bigint {
  return englishReserve({
    // Stryker disable next-line ArithmeticOperator: `lot + sold` and `tab + raised` are equivalent, a running English auction having sold and raised nothing (see decide); only a running auction's reserve is asked for.
    lotLeft: auction.lot - auction.sold, tabLeft: auction.tab - auction.raised, oraclePrice: auction.oracle,
    liquidationPenaltyBps: auction.parameters.liquidationPenaltyBps, collateralUnit: auction.collateralUnit, debtUnit: auction.debtUnit,
  });
}


/** When bidding closes: set whenever a run opens on this route (`opened`). */
function closeOf(auction: RunningAuction): bigint {
  if (auction.deadline === undefined) throw new DomainError('NOT_AN_ENGLISH_AUCTION', 'a Dutch auction takes takes, not bids');
  return auction.deadline;
}
