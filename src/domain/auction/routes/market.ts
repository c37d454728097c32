/**
 * The market route: the pool's constant-product market buys the lot as soon as the auction starts (the
 * market always clears). Until its swap lands, the lot is priced as a Dutch auction's and may be taken.
 */
import type { AuctionRoute } from '../auction-route';
import { dutchRoute } from './dutch';

export const marketRoute: AuctionRoute = {
  ...dutchRoute,
  sellsToMarket: () => true,
  afterReset: 'market',
  saleSeconds: () => 0n,
};
