/**
 * The words an auction is told in, shared by the auction's decider (auction.ts) and its routes
 * (auction-route.ts): its state, its commands and events, and its settlement. A route reads and
 * writes only these.
 */
import { DomainError } from '../decider';
import { formatDecimal } from '../math/decimal';
import { decimalsOf } from '../risk/liquidation-rule';
import type { FeedState } from '../oracle/feed';
import type { AuctionParameters, LiquidationRoute, PoolParameters } from '../pool/pool-parameters';
import type { PoolState } from '../pool/pool-state';
import type { PositionState } from '../position/position';
import { LiquidationTerms, ProceedsSplit, splitProceeds } from '../liquidation/liquidation-terms';

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
  /** `route`: the route the lot continues on, when not its own (an English auction that closed without a bid restarts as a Dutch one). */
  | { type: 'AuctionReset'; keeper: string; keeperReward: bigint; round: bigint; price: bigint; top: bigint; at: bigint; route?: LiquidationRoute }
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

/** The auction's end after a last sale of `collateral` for `paid`: the proceeds split between debt, bonus, fee and reserve. */
export function settlement(auction: RunningAuction, collateral: bigint, paid: bigint, now: bigint): AuctionEvent {
  const sold = auction.sold + collateral;
  const raised = auction.raised + paid;
  const split = splitProceeds(raised, auction.debtToCover, auction.parameters, auction.liquidator !== undefined);
  return { type: 'AuctionSettled', sold, raised, collateralLeft: auction.lot - sold, shortfall: auction.debtToCover - split.debtRepaid, at: now, ...split };
}

/** An amount of the debt asset in whole tokens, as refusals tell it. */
export const debtTokens = (auction: RunningAuction, amount: bigint) => formatDecimal(amount, decimalsOf(auction.debtUnit));

export function runningAuction(state: AuctionState): RunningAuction {
  if (state.status === 'absent') throw new DomainError('AUCTION_NOT_FOUND', 'no such auction');
  if (state.status === 'settled') throw new DomainError('AUCTION_SETTLED', 'the auction is over');
  return state;
}
