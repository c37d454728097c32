/**
 * A Dutch auction of a liquidated position's collateral (stream `auction-<id>`), MakerDAO `clip`
 * style. The pool first reserves room for it under its cap and fixes its terms (pool.ts,
 * ReserveLiquidation). It starts above that oracle price by the pool's buffer and falls along the pool's curve; any
 * taker buys part or all of the lot at the current price, up to the tab (debt to cover plus penalty).
 * Too old or too far down, a keeper resets it at a fresh oracle price and earns an incentive. It
 * settles when the tab is raised or the lot is sold; the split of what was raised is recorded then.
 * The pool's parameters are copied in at the start: a later change never alters a running auction.
 */
import { Decider, DomainError } from '../decider';
import { formatDecimal } from '../math/decimal';
import { BPS, ceilDiv, mulDivDown, WAD_DECIMALS } from '../math/fixed-point';
import { FeedState } from '../oracle/feed';
import { citedRoundPrice } from '../liquidation/liquidation-trigger';
import { activePool, AuctionParameters, auctionParametersOf, PoolParameters, PoolState } from '../pool/pool';
import { decimalsOf, unitOf } from '../risk/liquidation-rule';
import { englishReserve } from './english-reserve';
import { PositionState } from '../position/position';
import { auctionPrice } from '../liquidation/auction-curves';
import { collateralFor, LiquidationTerms, owedFor, ProceedsSplit, splitProceeds } from '../liquidation/liquidation-terms';

export type RunningAuction = {
  status: 'running' | 'settled';
  auctionId: string;
  positionId: string;
  poolId: string;
  /** Whose liquidation it is (a proof's liquidator), paid the bonus; none for the ledger's own detection. */
  liquidator?: string;
  parameters: PoolParameters;
  auction: AuctionParameters;
  collateralUnit: bigint;
  debtUnit: bigint;
  /** Collateral sold and money raised so far. */
  sold: bigint;
  raised: bigint;
  /** The oracle price the current run started from (WAD): an English auction's reserve follows it. */
  oracle: bigint;
  /** The starting price of the current run (WAD), and when it started. */
  top: bigint;
  startedAt: bigint;
  /** English auctions: when bidding closes, and the best bid so far (the debt asset offered for what is left of the lot). */
  deadline?: bigint;
  bid?: { bidder: string; amount: bigint };
} & LiquidationTerms;

export type AuctionState = { status: 'absent' } | RunningAuction;

export type AuctionCommand =
  /** Starts the auction of a position in liquidation; the starter (a proof's liquidator) is its keeper. */
  | { type: 'StartAuction'; auctionId: string; positionId: string; keeper?: string }
  | { type: 'TakeCollateral'; taker: string; collateral: bigint; maxPrice: bigint }
  /** Restart at the price of `round`, a recent round of the pool's feed. */
  | { type: 'ResetAuction'; keeper: string; round: bigint }
  /** English auctions: offer `amount` of the debt asset for what is left of the lot. */
  | { type: 'PlaceBid'; bidder: string; amount: bigint }
  /** English auctions: after the close, the best bid wins. */
  | { type: 'CloseAuction' }
  /** The pool market bought what is left (its swap is on the market's stream): the route `market`, or a Dutch auction's fallback. */
  | { type: 'SellToMarket'; collateral: bigint; paid: bigint; price: bigint };

export type AuctionEvent =
  | ({
      type: 'AuctionStarted';
      auctionId: string;
      positionId: string;
      poolId: string;
      liquidator?: string;
      keeper?: string;
      keeperReward: bigint;
      /** The oracle price it started from, and its starting price. */
      price: bigint;
      top: bigint;
      parameters: PoolParameters;
      auction: AuctionParameters;
      collateralUnit: bigint;
      debtUnit: bigint;
      at: bigint;
    } & LiquidationTerms)
  /** What the taker asked for (at most `asked`, at no more than `maxPrice`) and what it got, at which price. */
  | { type: 'CollateralTaken'; taker: string; asked: bigint; maxPrice: bigint; collateral: bigint; paid: bigint; price: bigint; at: bigint }
  /** `route: 'dutch'`: an English auction that closed without a bid restarts as a Dutch one. */
  | { type: 'AuctionReset'; keeper: string; keeperReward: bigint; round: bigint; price: bigint; top: bigint; at: bigint; route?: 'dutch' }
  | { type: 'SoldToMarket'; collateral: bigint; paid: bigint; price: bigint; at: bigint }
  | { type: 'BidPlaced'; bidder: string; amount: bigint; deadline: bigint; at: bigint }
  /** The outbid bidder's deposit goes back to it. */
  | { type: 'BidRefunded'; bidder: string; amount: bigint }
  | { type: 'AuctionWon'; bidder: string; collateral: bigint; paid: bigint; at: bigint }
  | ({ type: 'AuctionSettled'; sold: bigint; raised: bigint; collateralLeft: bigint; shortfall: bigint; at: bigint } & ProceedsSplit);

export interface AuctionContext {
  /** The position in liquidation (for StartAuction). */
  position: PositionState;
  /** The position's pool. */
  pool: PoolState;
  /** The pool's feed (for the round a reset cites). */
  feed: FeedState;
  now: bigint;
}

export const auctionStream = (auctionId: string) => `auction-${auctionId}`;

export const auctionDecider: Decider<AuctionState, AuctionCommand, AuctionEvent, AuctionContext> = {
  initialState: () => ({ status: 'absent' }),

  decide(command, state, context) {
    const { now } = context;
    if (command.type === 'StartAuction') {
      if (state.status !== 'absent') throw new DomainError('AUCTION_EXISTS', `auction ${command.auctionId} already exists`);
      const position = context.position;
      if (position.status !== 'open' || position.positionId !== command.positionId || !position.liquidation) throw new DomainError('NOT_IN_LIQUIDATION', 'the position is not being liquidated');
      const pool = activePool(context.pool);
      // The pool reserved room for it under its cap, with its terms fixed at the price then.
      const reservation = pool.reservations[command.auctionId];
      if (!reservation || reservation.positionId !== position.positionId) throw new DomainError('NOT_RESERVED', `the pool holds no room for auction ${command.auctionId}`);
      const { price, debtToCover, penalty, tab, lot } = reservation;
      const terms = { debtToCover, penalty, tab, lot };
      const collateralUnit = unitOf(pool.collateral.decimals);
      const debtUnit = unitOf(pool.debt.decimals);
      const auction = auctionParametersOf(pool);
      const { auctionId, keeper } = command;
      const { positionId } = position;
      const liquidator = position.liquidation.by === 'proof' ? position.liquidation.liquidator : undefined;
      return [
        {
          type: 'AuctionStarted',
          auctionId,
          positionId,
          poolId: pool.poolId,
          ...(liquidator !== undefined ? { liquidator } : {}),
          ...(keeper !== undefined ? { keeper } : {}),
          keeperReward: keeper !== undefined ? keeperReward(auction, terms.tab) : 0n,
          price,
          top: mulDivDown(price, auction.bufferBps, BPS),
          parameters: pool.parameters,
          auction,
          collateralUnit,
          debtUnit,
          at: now,
          ...terms,
        },
      ];
    }
    if (command.type === 'PlaceBid' || command.type === 'CloseAuction') return english(runningAuction(state), command, now);
    const auction = runningAuction(state);
    const { price, needsReset: due } = auctionQuote(auction, now);
    switch (command.type) {
      case 'TakeCollateral': {
        if (auction.auction.route === 'english') throw new DomainError('NOT_A_DUTCH_AUCTION', 'an English auction takes bids, not takes');
        if (due) throw new DomainError('AUCTION_NEEDS_RESET', 'the auction is too old or too far down: a keeper must reset it first');
        if (price > command.maxPrice) throw new DomainError('PRICE_ABOVE_LIMIT', 'the auction price is above the most the taker would pay', { price: formatDecimal(price, WAD_DECIMALS) });
        if (command.collateral <= 0n) throw new DomainError('AMOUNT_NOT_POSITIVE', 'the amount must be positive');
        const lotLeft = auction.lot - auction.sold;
        const tabLeft = auction.tab - auction.raised;
        // Stryker disable next-line EqualityOperator: `<=` is equivalent, both sides being the same amount when equal (its sibling `>=` is killed).
        let collateral = command.collateral < lotLeft ? command.collateral : lotLeft;
        let paid = owedFor(collateral, price, auction.collateralUnit, auction.debtUnit);
        if (paid >= tabLeft) {
          // The rest of the tab: the taker gets what it buys, and not a unit more.
          paid = tabLeft;
          const bought = collateralFor(tabLeft, price, auction.collateralUnit, auction.debtUnit);
          // Stryker disable next-line EqualityOperator: `<=` is equivalent, both sides being the same amount when equal (its sibling `>=` is killed).
          if (bought < collateral) collateral = bought;
        } else if (collateral < lotLeft && tabLeft - paid < auction.parameters.dustLimit) {
          throw new DomainError('TAKE_WOULD_LEAVE_DUST', 'take all that is left, or leave at least the dust limit of the tab');
        }
        if (collateral === 0n || paid === 0n) throw new DomainError('TAKE_TOO_SMALL', 'the take buys nothing at the current price');
        const taken: AuctionEvent = { type: 'CollateralTaken', taker: command.taker, asked: command.collateral, maxPrice: command.maxPrice, collateral, paid, price, at: now };
        if (auction.raised + paid < auction.tab && auction.sold + collateral < auction.lot) return [taken];
        return [taken, settlement(auction, collateral, paid, now)];
      }
      case 'SellToMarket': {
        if (auction.auction.route !== 'market' && !due) throw new DomainError('AUCTION_RUNNING', 'a Dutch auction goes to the market only once it needs a reset');
        if (command.collateral <= 0n || command.collateral > auction.lot - auction.sold || command.paid > auction.tab - auction.raised) {
          throw new DomainError('INVALID_SETTLEMENT', 'the market sale does not fit what is left of the lot and the tab');
        }
        // The market's sale ends the auction, whatever it raised: collateral it did not need goes back to the borrower.
        const { collateral, paid, price } = command;
        return [{ type: 'SoldToMarket', collateral, paid, price, at: now }, settlement(auction, collateral, paid, now)];
      }
      case 'ResetAuction': {
        if (!due) throw new DomainError('AUCTION_NOT_RESETTABLE', 'the auction is neither too old nor too far down to reset');
        const oracle = citedRoundPrice(context.feed, activePool(context.pool).feed, command.round, now);
        return [
          {
            type: 'AuctionReset',
            keeper: command.keeper,
            keeperReward: keeperReward(auction.auction, auction.tab - auction.raised),
            round: command.round,
            price: oracle,
            top: mulDivDown(oracle, auction.auction.bufferBps, BPS),
            at: now,
            // No bid reached the English auction's reserve: the lot falls back to the Dutch route.
            ...(auction.auction.route === 'english' ? { route: 'dutch' as const } : {}),
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'AuctionStarted': {
        const { auctionId, positionId, poolId, liquidator, parameters, auction, collateralUnit, debtUnit, price, top, at, debtToCover, penalty, tab, lot } = event;
        return {
          status: 'running',
          auctionId, positionId, poolId,
          ...(liquidator !== undefined ? { liquidator } : {}),
          parameters, auction, collateralUnit, debtUnit,
          sold: 0n, raised: 0n, oracle: price, top, startedAt: at,
          ...(auction.route === 'english' ? { deadline: at + auction.biddingSeconds } : {}),
          debtToCover, penalty, tab, lot,
        };
      }
      case 'CollateralTaken':
      case 'SoldToMarket': {
        const auction = state as RunningAuction;
        return { ...auction, sold: auction.sold + event.collateral, raised: auction.raised + event.paid };
      }
      case 'AuctionReset': {
        const auction = state as RunningAuction;
        const restarted = { ...auction, oracle: event.price, top: event.top, startedAt: event.at };
        if (event.route === 'dutch') {
          const { deadline: _closed, bid: _none, ...dutch } = restarted;
          return { ...dutch, auction: { ...auction.auction, route: 'dutch' } };
        }
        return { ...restarted, ...(auction.deadline !== undefined ? { deadline: event.at + auction.auction.biddingSeconds } : {}) };
      }
      case 'BidPlaced':
        return { ...(state as RunningAuction), bid: { bidder: event.bidder, amount: event.amount }, deadline: event.deadline };
      case 'BidRefunded':
        return state;
      case 'AuctionWon': {
        const auction = state as RunningAuction;
        return { ...auction, sold: auction.sold + event.collateral, raised: auction.raised + event.paid };
      }
      case 'AuctionSettled':
        return { ...(state as RunningAuction), status: 'settled' };
    }
  },
};

/** The auction's end after a last sale of `collateral` for `paid`: the proceeds split between debt, bonus, fee and reserve. */
function settlement(auction: RunningAuction, collateral: bigint, paid: bigint, now: bigint): AuctionEvent {
  const sold = auction.sold + collateral;
  const raised = auction.raised + paid;
  const split = splitProceeds(raised, auction.debtToCover, auction.parameters, auction.liquidator !== undefined);
  return { type: 'AuctionSettled', sold, raised, collateralLeft: auction.lot - sold, shortfall: auction.debtToCover - split.debtRepaid, at: now, ...split };
}

/** The auction's price now, and whether a keeper may (and a taker must wait for a) reset. */
export function auctionQuote(auction: RunningAuction, now: bigint): { price: bigint; needsReset: boolean } {
  const price = auctionPrice(auction.top, now - auction.startedAt, auction.auction);
  return { price, needsReset: needsReset(auction, price, now) };
}

function needsReset(auction: RunningAuction, price: bigint, now: bigint): boolean {
  // An English auction needs one only when bidding closed without a bid.
  if (auction.deadline !== undefined) return now > auction.deadline && auction.bid === undefined;
  return now - auction.startedAt > auction.auction.resetAfterSeconds || price * BPS < auction.top * auction.auction.resetBelowBps;
}

/**
 * An English auction's bids, for what is left of the lot: each beats the last by the pool's increment
 * (a bid of the whole tab always wins), the outbid deposit is refunded, a bid near the close pushes
 * the close back, and after the close the best bid wins. A bid of the whole tab ends it at once.
 */
function english(auction: RunningAuction, command: Extract<AuctionCommand, { type: 'PlaceBid' | 'CloseAuction' }>, now: bigint): AuctionEvent[] {
  if (auction.deadline === undefined) throw new DomainError('NOT_AN_ENGLISH_AUCTION', 'a Dutch auction takes takes, not bids');
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
    if (now <= auction.deadline) throw new DomainError('AUCTION_NOT_ENDED', 'bidding is still open', { deadline: auction.deadline.toString() });
    if (!auction.bid) throw new DomainError('AUCTION_NEEDS_RESET', 'bidding closed without a bid: a keeper must reset it');
    return win(auction.bid);
  }
  if (now > auction.deadline) throw new DomainError('AUCTION_ENDED', 'bidding has closed', { deadline: auction.deadline.toString() });
  if (command.amount <= 0n) throw new DomainError('AMOUNT_NOT_POSITIVE', 'the bid must be positive');
  if (command.amount > tabLeft) throw new DomainError('BID_ABOVE_TAB', 'no bid may offer more than the tab', { tab: debtTokens(auction, tabLeft) });
  const reserve = reserveOf(auction);
  if (command.amount < reserve) {
    throw new DomainError('BID_BELOW_RESERVE', "the bid is below the auction's reserve: the lot at the oracle price less the liquidation penalty", { reserve: debtTokens(auction, reserve) });
  }
  const minBid = auction.bid ? ceilDiv(auction.bid.amount * (BPS + auction.auction.bidIncrementBps), BPS) : 1n;
  if (command.amount < minBid && command.amount !== tabLeft) throw new DomainError('BID_TOO_LOW', 'the bid does not beat the best bid by the increment', { minBid: debtTokens(auction, minBid) });
  if (auction.bid && command.amount <= auction.bid.amount) throw new DomainError('BID_TOO_LOW', 'the bid does not beat the best bid', { minBid: debtTokens(auction, minBid) });
  const deadline = auction.deadline - now < auction.auction.extendSeconds ? now + auction.auction.extendSeconds : auction.deadline;
  const bid = { bidder: command.bidder, amount: command.amount };
  return [
    ...(auction.bid ? [{ type: 'BidRefunded' as const, bidder: auction.bid.bidder, amount: auction.bid.amount }] : []),
    { type: 'BidPlaced', ...bid, deadline, at: now },
    ...(command.amount === tabLeft ? win(bid) : []),
  ];
}

/** An English auction's reserve now (english-reserve.ts): the least bid that can win what is left of the lot. */
export function reserveOf(auction: RunningAuction): bigint {
  return englishReserve({
    lotLeft: auction.lot - auction.sold, tabLeft: auction.tab - auction.raised, oraclePrice: auction.oracle,
    liquidationPenaltyBps: auction.parameters.liquidationPenaltyBps, collateralUnit: auction.collateralUnit, debtUnit: auction.debtUnit,
  });
}

/** An amount of the debt asset in whole tokens, as refusals tell it. */
const debtTokens = (auction: RunningAuction, amount: bigint) => formatDecimal(amount, decimalsOf(auction.debtUnit));

/** The keeper's incentive: the flat tip plus its share of what is still to raise. */
function keeperReward(auction: AuctionParameters, tab: bigint): bigint {
  return auction.keeperTip + mulDivDown(tab, auction.keeperChipBps, BPS);
}

function runningAuction(state: AuctionState): RunningAuction {
  if (state.status === 'absent') throw new DomainError('AUCTION_NOT_FOUND', 'no such auction');
  if (state.status === 'settled') throw new DomainError('AUCTION_SETTLED', 'the auction is over');
  return state;
}
