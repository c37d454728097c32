/** A pool's state as others read it: only an active pool is one, and its auction parameters are complete. */
import { RAY } from '../math/fixed-point';
import { refusalOf } from '../testing';
import { DEFAULT_AUCTION } from './pool-parameters';
import { activePool, auctionParametersOf, ActivePool, noReservations } from './pool-state';

const pool: ActivePool = {
  status: 'active', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F',
  parameters: {
    maxLtvBps: 7_500n, liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
    closeFactorBps: 5_000n, fullCloseHealthFactor: 1n, dustLimit: 10n, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 0n,
  },
  interest: { index: RAY, at: 0n, ratePerSecond: RAY }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: noReservations(), liquidationsPaused: false,
};

describe('a pool’s state', () => {
  it('is active only once created: reading an absent one is refused', () => {
    expect(activePool(pool)).toBe(pool);
    expect(refusalOf(() => activePool({ status: 'absent' }))).toEqual({ code: 'POOL_NOT_FOUND', message: 'no such pool' });
  });

  it('fills the auction parameters a pool set up before they existed from the defaults, and keeps those it set', () => {
    expect(auctionParametersOf(pool)).toStrictEqual(DEFAULT_AUCTION);
    // A pool stored before English auctions had no bidding parameters.
    const { bidIncrementBps: _b, biddingSeconds: _s, extendSeconds: _e, ...older } = { ...DEFAULT_AUCTION, route: 'market' as const, cutBps: 250n };
    const stored = { ...pool, parameters: { ...pool.parameters, auction: older as typeof DEFAULT_AUCTION } };
    expect(auctionParametersOf(stored)).toStrictEqual({ ...DEFAULT_AUCTION, route: 'market', cutBps: 250n });
  });
});
