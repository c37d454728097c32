/**
 * The global liquidation cap, end to end: an admin sets it through the API (an event the audit checks),
 * and two pools on one feed, with
 * debt assets of 6 and 18 decimals, and a price drop that liquidates more debt than the cap allows
 * under auction at once. Only as many auctions start as fit under the cap; the rest wait, listed as
 * liquidations under way without an auction; once a keeper's take settles an auction and its pool
 * accounts for it, the one waiting starts, though it is in the other pool. Raising the cap starts a
 * waiting one at once; the audit decides every reservation again under the cap it was decided under.
 */
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { cli } from './support/cli';
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
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  keeper = await ledger.principal('keeper-1', 'liquidator');
  const set = await market.ok('PUT', '/liquidations/global-cap', { commandId: market.id('cap'), cap: '3200' });
  expect(set).toMatchObject({ cap: '3200', events: ['GlobalLiquidationCapSet'] });
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

describe('setting the global cap', () => {
  it('is shown to every role, and the same cap again appends nothing', async () => {
    expect((await ledger.as(keeper)('GET', '/liquidations/global-cap')).body).toEqual({ cap: '3200' });
    const before = await ledger.lastPosition();
    const again = await market.ok('PUT', '/liquidations/global-cap', { commandId: market.id('cap-again'), cap: '3200.000' });
    expect(again).toMatchObject({ cap: '3200', events: [], duplicate: false });
    expect(await ledger.lastPosition()).toBe(before);
  });

  it('refuses a cap out of range, malformed, or from anyone but an admin, with a code, appending nothing', async () => {
    const before = await ledger.lastPosition();
    const put = (body: unknown, as: Actor = market.admin) => ledger.as(as)<{ code: string }>('PUT', '/liquidations/global-cap', body);
    const refusals = [
      [await put({ commandId: market.id('zero'), cap: '0' }), 422, 'GLOBAL_CAP_OUT_OF_RANGE'],
      [await put({ commandId: market.id('huge'), cap: '1000000000001' }), 422, 'GLOBAL_CAP_OUT_OF_RANGE'],
      [await put({ commandId: market.id('fine'), cap: '1.0000000000000000001' }), 422, 'TOO_MANY_DECIMALS'],
      [await put({ commandId: market.id('neg'), cap: '-5' }), 400, 'VALIDATION_FAILED'],
      [await put({ commandId: market.id('exp'), cap: '3e3' }), 400, 'VALIDATION_FAILED'],
      [await put({ commandId: market.id('num'), cap: 3200 }), 400, 'VALIDATION_FAILED'],
      [await put({ commandId: market.id('none') }), 400, 'VALIDATION_FAILED'],
      [await put({ commandId: market.id('null'), cap: null }), 400, 'VALIDATION_FAILED'],
      [await put({ commandId: market.id('keeper'), cap: '1000000' }, keeper), 403, 'ROLE_NOT_ALLOWED'],
    ] as const;
    expect(refusals.map(([res]) => [res.status, res.body.code])).toEqual(refusals.map(([, status, code]) => [status, code]));
    expect(await ledger.lastPosition()).toBe(before);
    expect((await ledger.as(keeper)('GET', '/liquidations/global-cap')).body).toEqual({ cap: '3200' });
  });
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

  it('starts a waiting liquidation at once when an admin raises the cap, and lifts it', async () => {
    // Two auctions run (about 3,129 under auction); a fourth position falls below its threshold
    // (1,400 × 0.825 / 1,200 ≈ 0.96), and its tab does not fit under 3,200.
    await market.borrow('d', '1', '1200');
    await market.publish(3n, '1400');
    const fourth = await waitFor(async () => (await underWay()).find((l) => l.positionId === 'd'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await running()).map((a) => a.positionId)).not.toContain(fourth.positionId);
    const raised = await market.ok('PUT', '/liquidations/global-cap', { commandId: market.id('raise'), cap: '5000' });
    expect(raised).toMatchObject({ cap: '5000', events: ['GlobalLiquidationCapSet'] });
    await waitFor(async () => (await running()).find((a) => a.positionId === 'd'));
    const lifted = await market.ok('POST', '/liquidations/global-cap/lift', { commandId: market.id('lift') });
    expect(lifted).toMatchObject({ cap: null, events: ['GlobalLiquidationCapSet'] });
    expect((await ledger.as(keeper)('GET', '/liquidations/global-cap')).body).toEqual({ cap: null });
  });

  it('audits every reservation under the cap it was decided under', async () => {
    const store = ledger.app.get(EventStoreConnection).connectionString!;
    const audited = await cli('audit', 'replay', '--eventstore', store, '--ledger-key', `${ledger.url}/audit/ledger-key`);
    expect({ code: audited.code, err: audited.err }).toEqual({ code: 0, err: '' });
  });
});
