import { DEFAULT_AUCTION, LIQUIDATION_ROUTES } from '../pool/pool-parameters';
import { AUCTION_ROUTES, liquidationHorizonSeconds } from './auction-routes';

describe('liquidation routes', () => {
  it('every route a pool may name has its strategy', () => {
    expect(Object.keys(AUCTION_ROUTES).sort()).toEqual([...LIQUIDATION_ROUTES].sort());
  });

  it('the liquidation horizon is detection plus the sale: a Dutch auction until reset, an English one its bidding, a market sale nothing', () => {
    expect(liquidationHorizonSeconds({ ...DEFAULT_AUCTION, route: 'dutch', resetAfterSeconds: 3_600n }, 60n)).toBe(3_660n);
    expect(liquidationHorizonSeconds({ ...DEFAULT_AUCTION, route: 'english', biddingSeconds: 600n }, 60n)).toBe(660n);
    expect(liquidationHorizonSeconds({ ...DEFAULT_AUCTION, route: 'market' }, 60n)).toBe(60n);
  });

  it('the market buys at once on the market route, and on the others only once a run is over', () => {
    expect(LIQUIDATION_ROUTES.map((r) => [r, AUCTION_ROUTES[r].sellsToMarket(false), AUCTION_ROUTES[r].sellsToMarket(true)])).toEqual([
      ['dutch', false, true],
      ['english', false, true],
      ['market', true, true],
    ]);
  });

  it('a reset continues an English auction as a Dutch one, and the others on their own route', () => {
    expect(LIQUIDATION_ROUTES.map((r) => AUCTION_ROUTES[r].afterReset)).toEqual(['dutch', 'dutch', 'market']);
  });

  it('only an English run opens with a close of bidding', () => {
    expect(AUCTION_ROUTES.english.opened({ ...DEFAULT_AUCTION, biddingSeconds: 600n }, 1_000n)).toEqual({ deadline: 1_600n });
    expect(AUCTION_ROUTES.dutch.opened(DEFAULT_AUCTION, 1_000n)).toEqual({});
    expect(AUCTION_ROUTES.market.opened(DEFAULT_AUCTION, 1_000n)).toEqual({});
  });
});
