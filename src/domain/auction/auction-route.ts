/**
 * A liquidation route: how an auction's lot is sold. The auction (auction.ts) holds what every route
 * shares (its start at the reserved terms, a keeper's reset at a fresh price, a sale to the pool's
 * market, the settlement); a route says what is its own, as a price curve says how a price falls
 * (auction-curves.ts). A new route is one file in `routes/` and a row in `auction-routes.ts`.
 */
import type { AuctionParameters, LiquidationRoute } from '../pool/pool-parameters';
import type { AuctionCommand, AuctionEvent, RunningAuction } from './auction-model';

/** The commands a route decides itself; the others are the auction's. */
export type RouteCommand = Extract<AuctionCommand, { type: 'TakeCollateral' | 'PlaceBid' | 'CloseAuction' }>;

/** The auction's price now on its curve, and whether the run is over without a sale. */
export interface AuctionQuote {
  price: bigint;
  needsReset: boolean;
}

export interface AuctionRoute {
  /** What the route keeps beside the auction when a run starts on it at `at` (an English auction's close of bidding). */
  opened(auction: AuctionParameters, at: bigint): Pick<RunningAuction, 'deadline'>;
  /** Whether the run is over without a sale: a keeper may reset it, and the pool's market may buy the lot. */
  needsReset(auction: RunningAuction, price: bigint, now: bigint): boolean;
  /** Whether the pool's market may buy the lot now (`due`: the run needs a reset). */
  sellsToMarket(due: boolean): boolean;
  /** The route a reset continues on. */
  afterReset: LiquidationRoute;
  /** How long a run may sell before a keeper steps in: the sale's part of the risk policy's liquidation horizon. */
  saleSeconds(auction: AuctionParameters): bigint;
  /** A take, a bid or a close: the route's events, or a refusal when it takes no such command. */
  decide(command: RouteCommand, auction: RunningAuction, quote: AuctionQuote, now: bigint): AuctionEvent[];
  /** What time alone makes due that a keeper must do (an English auction won at its close). */
  dueStep?(auction: RunningAuction, now: bigint): 'close' | undefined;
  /** The least bid that can win what is left of the lot, where the route has one. */
  reserve?(auction: RunningAuction): bigint;
}
