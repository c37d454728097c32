import { LedgerState } from './ledger-state';
import { healthOf } from './risk/position-health';
import { RAY, WAD } from './math/fixed-point';
import type { ActivePool } from './pool/pool-state';

const registered = { type: 'FeedRegistered', feed: 'ETH-USD', quorum: 1, heartbeatSeconds: 60, deviationLimitBps: 5000n, maxFutureSkewSeconds: 30 };

describe('LedgerState', () => {
  it("folds a stream's events with its aggregate's evolve, dispatched by the stream's kind", () => {
    const ledger = new LedgerState();
    expect(ledger.stateOf({ kind: 'oracle', decider: { initialState: () => ({ status: 'absent' }) } } as never, 'ETH-USD')).toEqual({ status: 'absent' });
    const after = ledger.apply('oracle-ETH-USD', [registered]);
    expect(after).toMatchObject({ status: 'active', quorum: 1 });
    expect(ledger.feeds.get('ETH-USD')).toBe(after);
    expect(ledger.pools.size).toBe(0);
  });

  it('folds all of a command or none: an event its aggregate cannot follow leaves the state as it was', () => {
    const ledger = new LedgerState();
    const created = { type: 'PoolCreated', poolId: 'x', collateral: {}, debt: {}, feed: 'F', parameters: {}, ratePerSecond: 0n, at: 0n };
    const before = ledger.apply('pool-x', [created]);
    const seen: unknown[] = [];
    // Interest accrues, then a reservation without a lot, which the pool cannot add up.
    const accrued = { type: 'InterestAccrued', index: 2n * RAY, at: 5n };
    expect(() => ledger.apply('pool-x', [accrued, { type: 'LiquidationReserved', auctionId: 'a', at: 5n }], (after) => seen.push(after))).toThrow();
    expect(ledger.pools.get('x')).toBe(before);
    expect(seen).toEqual([expect.objectContaining({ interest: { index: 2n * RAY, at: 5n, ratePerSecond: 0n } })]);
  });

  it("names the active pools priced by a feed, and only those", () => {
    const ledger = new LedgerState();
    const created = (poolId: string, feed: string) => ({ type: 'PoolCreated', poolId, collateral: {}, debt: {}, feed, parameters: {}, ratePerSecond: 0n, at: 0n });
    ledger.apply('pool-a', [created('a', 'ETH-USD')]);
    ledger.apply('pool-b', [created('b', 'BTC-USD')]);
    ledger.apply('pool-c', [created('c', 'ETH-USD')]);
    expect(ledger.poolsOnFeed('ETH-USD')).toEqual(['a', 'c']);
    expect(ledger.poolsOnFeed('SOL-USD')).toEqual([]);
    expect(ledger.activePool('b')).toMatchObject({ feed: 'BTC-USD' });
    expect(ledger.activePool('d')).toBeUndefined();
  });

  it('answers the initial state of an aggregate without events, and keeps only the kinds it was asked to', () => {
    const lean = new LedgerState(['pool', 'oracle']);
    expect(lean.stateOf({ kind: 'oracle', decider: { initialState: () => ({ status: 'absent' }) } } as never, 'none')).toEqual({ status: 'absent' });
    expect(lean.apply('position-p1', [{ type: 'PositionOpened' }])).toBeUndefined();
    expect(lean.apply('snapshot-pool-x', [])).toBeUndefined();
    expect(() => lean.positions).toThrow(/does not keep position/);
    expect(() => new LedgerState(['ledger'])).toThrow(/no aggregate of kind ledger/);
  });
});

describe('healthOf', () => {
  // WETH (18 decimals) against USDC (6), threshold 82.5%.
  const pool = { collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, parameters: { liquidationThresholdBps: 8250n } } as unknown as ActivePool;

  it('values collateral down, debt up, and gives the health factor (WAD, down) and band', () => {
    // 1.5 WETH at 2,000.000000000000000001 is worth 3,000.000000 USDC (the 1.5e-18 rounds away).
    const price = 2000n * WAD + 1n;
    // 1,000 USDC scaled at index 1.1 RAY, plus one unit: 1,100.000001 owed after rounding up.
    const health = healthOf(pool, { collateral: 15n * 10n ** 17n, scaledDebt: 1_000_000_001n }, price, (11n * RAY) / 10n);
    expect(health.collateralValue).toBe(3_000_000_000n);
    expect(health.debt).toBe(1_100_000_002n);
    // 3,000 × 0.825 / 1,100.000002 = 2.249999995909090916528..., rounded down.
    expect(health.healthFactor).toBe(2_249_999_995_909_090_916n);
    expect(health.band).toBe('safe');
  });

  it('without debt: no health factor, band noDebt', () => {
    expect(healthOf(pool, { collateral: WAD, scaledDebt: 0n }, 2000n * WAD, RAY)).toStrictEqual({ collateralValue: 2_000_000_000n, debt: 0n, band: 'noDebt' });
  });
});
