/**
 * The global liquidation cap (LIQUIDATION_GLOBAL_DEBT_CAP), end to end: two pools on one feed, with
 * debt assets of 6 and 18 decimals, and a price drop that liquidates more debt than the cap allows
 * under auction at once. Only as many auctions start as fit under the cap; the rest wait, listed as
 * liquidations under way without an auction; once a keeper's take settles an auction and its pool
 * accounts for it, the one waiting starts, though it is in the other pool.
 */
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, Market, POOL, POOL_PARAMETERS } from './support/scenario';
import { waitFor } from './support/wait';

const DAI_POOL = 'weth-dai';

let ledger: RunningLedger;
let market: Market;
let keeper: Actor;

const running = async () => ((await market.ok('GET', '/auctions')) as any[]).filter((a) => a.status === 'running');
const underWay = async () => (await market.ok('GET', '/liquidations')) as any[];

beforeAll(async () => {
  // Each liquidation below has a tab of about 1,564.5 (1,490 of debt and the 5% penalty): two fit under 3,200, three do not.
  ledger = await startLedger(undefined, { LIQUIDATION_GLOBAL_DEBT_CAP: '3200' });
  market = new Market(ledger);
  await market.open('2000');
  keeper = await ledger.principal('keeper-1', 'liquidator');
  await market.ok('POST', '/pools', {
    commandId: market.id('pool'), poolId: DAI_POOL, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'DAI', decimals: 18 }, feed: FEED, parameters: POOL_PARAMETERS,
  });
  await market.borrow('a', '1', '1490');
  await market.borrow('b', '1', '1490', DAI_POOL);
  await market.borrow('c', '1', '1490', DAI_POOL);
}, 60_000);

afterAll(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('the global cap on debt under auction across pools', () => {
  let first: any[];
  let waiting: { positionId: string; poolId: string };

  it('starts only as many auctions as fit under the cap; the rest wait without an auction', async () => {
    // 1,700 × 0.825 / 1,490 ≈ 0.94: all three are liquidatable, each in full (below the full-close 0.95).
    await market.publish(2n, '1700');
    const liquidations = await waitFor(async () => {
      const found = await underWay();
      return found.length === 3 ? found : undefined;
    });
    expect(liquidations.map((l) => l.poolId).sort()).toEqual([DAI_POOL, DAI_POOL, POOL].sort());
    first = await waitFor(async () => {
      const found = await running();
      return found.length === 2 ? found : undefined;
    });
    // However long it waits, the third stays without an auction: its tab would take the debt under auction past 3,200.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await running()).toHaveLength(2);
    const total = first.reduce((sum, a) => sum + Number(a.tab), 0);
    expect(total).toBeGreaterThan(3_000);
    expect(total).toBeLessThanOrEqual(3_200);
    const withAuction = new Set(first.map((a) => a.positionId));
    const without = (await underWay()).filter((l) => !withAuction.has(l.positionId));
    expect(without).toHaveLength(1);
    waiting = without[0];
  });

  it('starts the waiting one once a keeper’s take settles an auction in the other pool and that pool accounts for it', async () => {
    // The auction sold is in the pool the waiting liquidation is not in (there always is one): room freed in
    // any pool is room under the global cap.
    const sold = first.find((a) => a.poolId !== waiting.poolId);
    const kept = first.find((a) => a !== sold);
    const take = await market.ok('POST', `/auctions/${sold.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-1', collateral: '1', maxPrice: '1870' }, keeper);
    expect(take.events).toEqual(['CollateralTaken', 'AuctionSettled']);
    const started = await waitFor(async () => (await running()).find((a) => a.positionId === waiting.positionId));
    expect(started.status).toBe('running');
    // The settled auction's room went to the waiting one: two under auction again, never three.
    const now = await running();
    expect(now.map((a) => a.positionId).sort()).toEqual([kept.positionId, waiting.positionId].sort());
    expect(await underWay()).not.toContainEqual(expect.objectContaining({ positionId: sold.positionId }));
  });
});
