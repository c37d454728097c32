/** Every liquidation route by its name (a pool's `auction.route`): one row per file in `routes/`. */
import type { AuctionParameters, LiquidationRoute } from '../pool/pool-parameters';
import type { RunningAuction } from './auction-model';
import type { AuctionRoute } from './auction-route';
import { dutchRoute } from './routes/dutch';
import { englishRoute } from './routes/english';
import { marketRoute } from './routes/market';

export const AUCTION_ROUTES: Record<LiquidationRoute, AuctionRoute> = {
  dutch: dutchRoute,
  english: englishRoute,
  market: marketRoute,
};

/** Whether a route's lot goes to the pool's market as soon as its auction starts, without waiting for a run to end. */
export const sellsAtOnce = (route: LiquidationRoute): boolean => AUCTION_ROUTES[route].sellsToMarket(false);

/** The route an auction's current run sells on. */
export const routeOf = (auction: RunningAuction): AuctionRoute => AUCTION_ROUTES[auction.auction.route];

/** The time a liquidation takes to clear, for the risk policy: detection, then the sale on the pool's route. */
export function liquidationHorizonSeconds(auction: AuctionParameters, detectionSeconds: bigint): bigint {
  return detectionSeconds + AUCTION_ROUTES[auction.route].saleSeconds(auction);
}
