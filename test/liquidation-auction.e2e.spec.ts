/**
 * A liquidation carried through, end to end on the embedded store: a price drop triggers it, its
 * Dutch auction starts on its own, takers buy at the curve's price, the position settles (collateral
 * left over stays the borrower's), and the pool accounts for the penalty. A crash too deep for the
 * collateral leaves bad debt: covered by the reserve first, the rest socialized. Every refused take
 * (late, above the taker's limit, leaving dust) answers its code and appends nothing. Last, the rest
 * of a ledger's life (repayments, parameters, a revoked key, a paused feed, the risk engine, a
 * liquidator's proof), so that the history all of this made, which must hold in an audit, holds every
 * type of event the ledger defines.
 */
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL, POOL_PARAMETERS } from './support/scenario';
import { waitFor } from './support/wait';
import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { auctionStream } from '../src/domain/auction/auction';
import { Auditor } from '../src/audit/auditor';
import { HistoryEvent, readStore } from '../src/audit/history';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { SCHEMA_VERSIONS } from '../src/domain/events';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

let ledger: RunningLedger;
let market: Market;
/** Liquidator principals: the keepers who take from Dutch auctions, the bidders in English ones. */
/** Position a's auction, settled by takers in the first scenario. */
let auctionIdOfA: string;
let liquidators: Record<'keeper-1' | 'keeper-2' | 'alice' | 'bob' | 'carol', Actor>;

/** Calls as a keeper (keeper-1 unless told) and expects success. */
const asKeeper = (method: string, route: string, body?: unknown, keeper: keyof typeof liquidators = 'keeper-1') => market.ok(method, route, body, liquidators[keeper]);
/** Calls as the owner of the positions, the borrower, and expects success. */
const asOwner = (method: string, route: string, body?: unknown) => market.ok(method, route, body, market.borrower);
/** The CLI's ledger options for a keeper. */
const cliAs = (keeper: keyof typeof liquidators) => ['--url', ledger.url, '--api-key', liquidators[keeper].apiKey];

const auctionOf = (positionId: string, status = 'running') =>
  waitFor(async () => ((await asKeeper('GET', '/auctions')) as any[]).find((a) => a.positionId === positionId && a.status === status));

/** Waits until the auction's price on its curve has fallen below `price`. */
const priceBelow = (auctionId: string, price: number) =>
  waitFor(async () => {
    const quote = await asKeeper('GET', `/auctions/${auctionId}`);
    return Number(quote.price) < price ? quote : undefined;
  }, 15_000);

/** A take refused with `code` leaves the auction's stream as it was (other streams may move: the saga runs on its own). */
async function refusedTake(auctionId: string, body: Record<string, string>, code: string): Promise<void> {
  const before = await revisionOf(auctionStream(auctionId));
  const res = await ledger.as(liquidators['keeper-1'])('POST', `/auctions/${auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-1', ...body });
  expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code });
  expect(await revisionOf(auctionStream(auctionId))).toBe(before);
}

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  // A global cap that holds nothing back here, so every reservation is decided, and audited, under one.
  await market.ok('PUT', '/liquidations/global-cap', { commandId: market.id('global-cap'), cap: '1000000' });
  liquidators = {} as typeof liquidators;
  for (const id of ['keeper-1', 'keeper-2', 'alice', 'bob', 'carol'] as const) liquidators[id] = await ledger.principal(id, 'liquidator');
  await market.borrow('a', '1', '1490');
  await market.borrow('b', '1', '1490');
}, 180_000);

afterAll(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('a liquidation carried through by its auction', () => {
  let auction: any;

  it('starts the auction on its own once the price drop triggers the position, 10% above the oracle price', async () => {
    await market.publish(2n, '1700');
    auction = await auctionOf('a');
    auctionIdOfA = auction.auctionId;
    // Health factor 1700 × 0.825 / 1490 ≈ 0.94 is below 0.95: the whole debt is covered, all the collateral is for sale.
    expect(auction).toMatchObject({ poolId: POOL, lot: '1', sold: '0', raised: '0', top: '1870', curve: 'stairstep', needsReset: false });
    // The tab is the debt (1,490 plus a few seconds of interest) and the 5% penalty on it.
    expect(Number(auction.tab)).toBeCloseTo(1490 * 1.05, 1);
  });

  it('refuses a take above the taker’s price limit, and one that would leave dust of the tab, appending nothing', async () => {
    await refusedTake(auction.auctionId, { collateral: '0.1', maxPrice: '1500' }, 'PRICE_ABOVE_LIMIT');
    // Pool dust limit is 10 USDC: buying all but a sliver of the tab would leave less than that to raise.
    await refusedTake(auction.auctionId, { collateral: '0.8345', maxPrice: '1870' }, 'TAKE_WOULD_LEAVE_DUST');
  });

  it('sells part of the lot at the curve’s price, then the rest of the tab, and settles', async () => {
    const first = await asKeeper('POST', `/auctions/${auction.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-1', collateral: '0.5', maxPrice: '1870' }, 'keeper-1');
    expect(first).toMatchObject({ events: ['CollateralTaken'], sold: '0.5', status: 'running' });
    expect(Number(first.raised)).toBeCloseTo(935, 0);
    const second = await asKeeper('POST', `/auctions/${auction.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-2', collateral: '1', maxPrice: '1870' }, 'keeper-2');
    expect(second.events).toEqual(['CollateralTaken', 'AuctionSettled']);
    expect(second.raised).toBe(auction.tab);
    // Only what the tab needed was sold: about 1,564.5 / 1,870 ≈ 0.8366 WETH.
    expect(Number(second.sold)).toBeCloseTo(1564.5 / 1870, 3);
  });

  it('settles the position: the debt repaid, the unsold collateral still the borrower’s, the liquidation over', async () => {
    const position = await waitFor(async () => {
      const p = await asOwner('GET', '/positions/a');
      return p.debt === '0' ? p : undefined;
    });
    expect(Number(position.collateral)).toBeCloseTo(1 - 1564.5 / 1870, 3);
    expect(await asKeeper('GET', '/liquidations')).not.toContainEqual(expect.objectContaining({ positionId: 'a' }));
    // The ledger detected it, so no liquidator earns a bonus: the whole penalty goes to the reserve.
    // (The pool's reserve and losses are shown to its admin, who reads them here.)
    const pool = await waitFor(async () => {
      const p = await market.ok('GET', `/pools/${POOL}`);
      return p.reserve !== '0' ? p : undefined;
    });
    expect(Number(pool.reserve)).toBeCloseTo(1490 * 0.05, 1);
    expect(pool.socializedLoss).toBe('0');
    // Free again: the borrower takes the rest of the collateral home.
    await asOwner('POST', '/positions/a/close', { commandId: market.id('close') });
  });

  it('refuses a late take, appending nothing', async () => {
    await refusedTake(auction.auctionId, { collateral: '0.1', maxPrice: '1870' }, 'AUCTION_SETTLED');
  });

  it('serves keepers on the command line: the running auctions, and a refused take exits non-zero with its code', async () => {
    const listed = await cli('liquidator', 'auctions', ...cliAs('keeper-1'), '--pool', POOL);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ positionId: 'b', status: 'running' })]);
    const before = await revisionOf(auctionStream(auction.auctionId));
    const late = await cli('liquidator', 'take', ...cliAs('keeper-1'), '--auction', auction.auctionId, '--taker', 'keeper-1', '--collateral', '0.1', '--max-price', '1870');
    expect(late.code).not.toBe(0);
    expect(late.err).toContain('AUCTION_SETTLED');
    expect(await revisionOf(auctionStream(auction.auctionId))).toBe(before);
  });
});

describe('a crash deeper than the collateral', () => {
  const FAST = 'weth-usdc-fast';

  it('records bad debt: the reserve covers first, the lenders the rest', async () => {
    // A pool whose auctions fall fast: 10% of the starting price every second, on a straight line.
    await market.ok('POST', '/pools', {
      commandId: market.id('pool'), poolId: FAST, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD',
      parameters: { ...POOL_PARAMETERS, auction: { curve: 'linear', cutBps: 1000, stepSeconds: 1, resetBelowBps: 500 } },
    });
    for (const id of ['c', 'd']) await market.borrow(id, '1', '1200', FAST);
    // 1,200 / 0.825 = 1,454.5: at 1,400 both are liquidatable. Their health factor 0.9625 is above the
    // full-close 0.95, so the close factor applies: half the debt (600) and half the collateral each.
    await market.publish(3n, '1400');
    const c = await auctionOf('c');
    const d = await auctionOf('d');
    expect(c).toMatchObject({ poolId: FAST, curve: 'linear' });
    // Half, give or take the few seconds of interest the debt has accrued.
    expect(Number(c.lot)).toBeCloseTo(0.5, 6);
    // `c` sells at once, near the top: its penalty (5% of 600) goes to the pool's reserve.
    const taken = await cli('liquidator', 'take', ...cliAs('keeper-1'), '--auction', c.auctionId, '--taker', 'keeper-1', '--collateral', c.lot, '--max-price', '1540');
    expect({ code: taken.code, events: JSON.parse(taken.out).events }).toEqual({ code: 0, events: ['CollateralTaken', 'AuctionSettled'] });
    // `d` finds no taker until its price has fallen to a fraction of the market: its half-lot then raises too little.
    const cheap = await priceBelow(d.auctionId, 300);
    const take = await asKeeper('POST', `/auctions/${d.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-2', collateral: d.lot, maxPrice: cheap.price }, 'keeper-2');
    expect(take.events).toEqual(['CollateralTaken', 'AuctionSettled']);
    const raised = Number(take.raised);
    expect(raised).toBeLessThan(150);
    // Half the collateral is left, so the position keeps what the sale did not repay: no bad debt yet...
    const reserveBefore = Number((await waitFor(async () => {
      const p = await market.ok('GET', `/pools/${FAST}`);
      return p.reserve !== '0' ? p : undefined;
    })).reserve);
    expect(reserveBefore).toBeCloseTo(600 * 0.05, 1);
    // ...but it is still below the line, so it goes again at once: all that is left, to cover all that is owed.
    const again = await auctionOf('d');
    expect(again.auctionId).not.toBe(d.auctionId);
    expect(Number(again.lot)).toBeCloseTo(0.5, 6);
    const owed = Number((await asOwner('GET', '/positions/d')).debt);
    expect(owed).toBeCloseTo(1200 - raised, 0);
    const cheaper = await priceBelow(again.auctionId, 300);
    const last = await asKeeper('POST', `/auctions/${again.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-2', collateral: again.lot, maxPrice: cheaper.price }, 'keeper-2');
    expect(last.events).toEqual(['CollateralTaken', 'AuctionSettled']);
    // No collateral left: what the sales did not repay is bad debt. The reserve covers what it holds, the lenders the rest.
    const badDebt = owed - Number(last.raised);
    const pool = await waitFor(async () => {
      const p = await market.ok('GET', `/pools/${FAST}`);
      return p.socializedLoss !== '0' ? p : undefined;
    });
    expect(pool.reserve).toBe('0');
    expect(Number(pool.socializedLoss)).toBeCloseTo(badDebt - reserveBefore, 0);
    const settled = await asOwner('GET', '/positions/d');
    expect({ collateral: settled.collateral, debt: settled.debt }).toEqual({ collateral: '0', debt: '0' });
  }, 45_000);
});

describe("the pool's circuit breakers", () => {
  const CAPPED = 'weth-usdc-capped';

  it('holds a liquidation past the cap on collateral under auction until room frees, and starts none while an admin pauses the pool', async () => {
    // At most 1.5 WETH under auction at once in this pool.
    await market.ok('POST', '/pools', {
      commandId: market.id('pool'), poolId: CAPPED, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD',
      parameters: { ...POOL_PARAMETERS, liquidationCollateralCap: '1.5' },
    });
    for (const id of ['e', 'f']) await market.borrow(id, '1', '700', CAPPED);
    await market.ok('POST', `/pools/${CAPPED}/liquidations/pause`, { commandId: market.id('pause') });
    // At 800 both are deep below the line (health factor 0.94): both are triggered, neither auctioned.
    await market.publish(5n, '800');
    await waitFor(async () => ((await asKeeper('GET', `/liquidations?poolId=${CAPPED}`)) as unknown[]).length === 2 || undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await asKeeper('GET', `/auctions?poolId=${CAPPED}`)).toEqual([]);
    // Resumed: one whole WETH fits under the cap, the second would not; it waits.
    await market.ok('POST', `/pools/${CAPPED}/liquidations/resume`, { commandId: market.id('resume') });
    const first = await waitFor(async () => ((await asKeeper('GET', `/auctions?poolId=${CAPPED}`)) as any[])[0]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await asKeeper('GET', `/auctions?poolId=${CAPPED}`)).toHaveLength(1);
    // Once the first is sold and accounted for, the second starts.
    await asKeeper('POST', `/auctions/${first.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-1', collateral: first.lot, maxPrice: first.top }, 'keeper-1');
    const second = await waitFor(async () => ((await asKeeper('GET', `/auctions?poolId=${CAPPED}`)) as any[]).find((a) => a.status === 'running' && a.positionId !== first.positionId));
    expect(['e', 'f']).toContain(second.positionId);
  }, 30_000);
});

describe('the pool market, the route that always clears', () => {
  const openPool = async (poolId: string, auction: Record<string, unknown>) => {
    await market.ok('POST', '/pools', {
      commandId: market.id('pool'), poolId, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD',
      parameters: { ...POOL_PARAMETERS, auction },
    });
    // 100 WETH against 80,000 USDC: the market's price is 800, the oracle's too.
    const seeded = await market.ok('POST', `/pools/${poolId}/market/liquidity`, { commandId: market.id('liquidity'), collateral: '100', debt: '80000' });
    expect(seeded).toMatchObject({ events: ['LiquidityAdded'], collateral: '100', debt: '80000', price: '800' });
  };

  it('sells a liquidation routed to the market at once, with its slippage, and settles it', async () => {
    await openPool('weth-usdc-market', { route: 'market' });
    await market.borrow('g', '1', '550', 'weth-usdc-market');
    // 800 → 640: health factor 640 × 0.825 / 550 = 0.96, so half the debt (275 and its 5% penalty) is to raise.
    await market.publish(6n, '640');
    // Triggered at its fourth event (revision 3), its auction is `g.3`; the market ends it at once.
    const settled = await waitFor(async () => {
      const res = await ledger.as(liquidators['keeper-1'])('GET', '/auctions/g.3');
      return res.status === 200 && res.body.status === 'settled' ? res.body : undefined;
    });
    expect(Number(settled.raised)).toBeCloseTo(275 * 1.05, 1);
    const reserves = await market.ok('GET', '/pools/weth-usdc-market/market');
    expect(Number(reserves.debt)).toBeCloseTo(80000 - 275 * 1.05, 1);
    // Constant product: what came in was just enough collateral at the sliding price, and the slide is reported.
    expect(Number(reserves.collateral) * Number(reserves.debt)).toBeGreaterThanOrEqual(100 * 80000 - 1e-6);
    expect(reserves.lastSwap).toMatchObject({ auctionId: 'g.3', priceBefore: '800', paid: settled.raised });
    // Selling 0.36 WETH into 100 slides the price by about 0.36%.
    expect(Number(reserves.lastSwap.slippageBps)).toBeGreaterThanOrEqual(30);
    expect(Number(reserves.lastSwap.slippageBps)).toBeLessThanOrEqual(40);
    const position = await waitFor(async () => {
      const p = await asOwner('GET', '/positions/g');
      return Number(p.debt) < 300 ? p : undefined;
    });
    expect(Number(position.collateral)).toBeCloseTo(1 - (100 * 288.75) / (80000 - 288.75), 4);
  }, 30_000);

  it('lists the settled auction after the market sale: by status, and on the command line', async () => {
    const query = '/auctions?poolId=weth-usdc-market';
    // Seen through, it leaves the default list (auctions not yet seen through) and the running ones...
    await waitFor(async () => ((await asKeeper('GET', query)) as unknown[]).length === 0 || undefined);
    expect(await asKeeper('GET', `${query}&status=running`)).toEqual([]);
    // ...and is listed among the settled ones, as GET /auctions/{id} shows it.
    const settled = await waitFor(async () => ((await asKeeper('GET', `${query}&status=settled`)) as any[]).find((a) => a.auctionId === 'g.3'));
    // (Less its price now, which moves with the clock between the two calls.)
    const { price: _listedPrice, ...listed } = settled;
    const { price: _price, ...single } = await asKeeper('GET', '/auctions/g.3');
    expect(listed).toEqual(single);
    expect(settled).toMatchObject({ status: 'settled', route: 'market', poolId: 'weth-usdc-market' });
    // Another pool's settled auctions are not in this pool's list; all pools' are in the list without one.
    expect(((await asKeeper('GET', `${query}&status=settled`)) as any[]).map((a) => a.poolId)).toEqual(['weth-usdc-market']);
    expect(((await asKeeper('GET', '/auctions?status=settled&limit=500')) as any[]).map((a) => a.auctionId)).toEqual(expect.arrayContaining(['g.3', auctionIdOfA]));
    const onCli = await cli('liquidator', 'auctions', ...cliAs('keeper-1'), '--pool', 'weth-usdc-market', '--status', 'settled');
    expect(onCli.code).toBe(0);
    expect(JSON.parse(onCli.out)).toEqual([expect.objectContaining({ auctionId: 'g.3', status: 'settled' })]);
  });

  it('refuses an unknown status or a bad limit with 400 and its code', async () => {
    for (const [query, code] of [['status=closed', 'INVALID_STATUS'], ['status=settled&limit=0', 'INVALID_LIMIT'], ['status=settled&limit=x', 'INVALID_LIMIT'], ['status=settled&limit=501', 'INVALID_LIMIT']]) {
      const res = await ledger.as(liquidators['keeper-1'])('GET', `/auctions?${query}`);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code });
    }
  });

  it('takes over a Dutch auction that needs a reset', async () => {
    // A Dutch auction that keepers ignore goes stale after two seconds; the market then buys.
    await market.publish(7n, '800');
    await openPool('weth-usdc-fallback', { route: 'dutch', resetAfterSeconds: 2 });
    await market.borrow('h', '1', '550', 'weth-usdc-fallback');
    await market.publish(8n, '640');
    const running = await auctionOf('h');
    expect(running.auctionId).toBe('h.3');
    const settled = await waitFor(async () => {
      const res = await ledger.as(liquidators['keeper-1'])('GET', '/auctions/h.3');
      return res.body.status === 'settled' ? res.body : undefined;
    });
    expect(Number(settled.raised)).toBeCloseTo(275 * 1.05, 1);
  }, 30_000);
});

describe('an English auction', () => {
  const POOL_EN = 'weth-usdc-english';

  it('takes rising bids from its reserve up, refunds the outbid, refuses low and late ones appending nothing, and goes to the best bid at the close', async () => {
    await market.ok('POST', '/pools', {
      commandId: market.id('pool'), poolId: POOL_EN, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD',
      // Bidding long enough for the bids below on a loaded machine, short enough to wait for the close.
      parameters: { ...POOL_PARAMETERS, auction: { route: 'english', bidIncrementBps: 100, biddingSeconds: 8, extendSeconds: 2 } },
    });
    await market.borrow('i', '1', '400', POOL_EN);
    // 640 → 420: health factor 420 × 0.825 / 400 ≈ 0.87, so the whole debt is to cover: a tab of 420 for the WETH.
    await market.publish(9n, '420');
    const auction = await auctionOf('i');
    // The reserve: the WETH at 420 less the 5% penalty.
    expect(auction).toMatchObject({ auctionId: 'i.3', route: 'english', lot: '1', reserve: '399' });
    // Each bidder bids as itself.
    const bid = (bidder: 'alice' | 'bob' | 'carol', amount: string) => ledger.as(liquidators[bidder])('POST', '/auctions/i.3/bids', { commandId: market.id('bid'), bidder, amount });
    const before = await revisionOf(auctionStream('i.3'));
    const belowReserve = await bid('alice', '300');
    expect({ status: belowReserve.status, code: belowReserve.body.code, reserve: belowReserve.body.details?.reserve }).toEqual({ status: 422, code: 'BID_BELOW_RESERVE', reserve: '399' });
    expect(await revisionOf(auctionStream('i.3'))).toBe(before);
    expect((await bid('alice', '400')).body.events).toEqual(['BidPlaced']);
    const afterFirst = await revisionOf(auctionStream('i.3'));
    const low = await bid('bob', '402');
    expect({ status: low.status, code: low.body.code, minBid: low.body.details?.minBid }).toEqual({ status: 422, code: 'BID_TOO_LOW', minBid: '404' });
    expect(await revisionOf(auctionStream('i.3'))).toBe(afterFirst);
    const outbid = await bid('bob', '410');
    expect(outbid.body).toMatchObject({ events: ['BidRefunded', 'BidPlaced'], bid: { bidder: 'bob', amount: '410' } });
    // The close comes, the ledger hands the lot to the best bid.
    const settled = await waitFor(async () => {
      const res = await ledger.as(liquidators.alice)('GET', '/auctions/i.3');
      return res.body.status === 'settled' ? res.body : undefined;
    }, 30_000);
    expect(settled).toMatchObject({ raised: '410', sold: auction.lot });
    const late = await bid('carol', '415');
    expect(late.body.code).toBe('AUCTION_SETTLED');
  }, 60_000);

  const englishPool = async (poolId: string, liquidity?: { collateral: string; debt: string }) => {
    await market.ok('POST', '/pools', {
      commandId: market.id('pool'), poolId, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD',
      parameters: { ...POOL_PARAMETERS, auction: { route: 'english', biddingSeconds: 3, extendSeconds: 1 } },
    });
    if (liquidity) await market.ok('POST', `/pools/${poolId}/market/liquidity`, { commandId: market.id('liquidity'), ...liquidity });
  };

  it('falls back to the pool market when no bid reached the reserve by the close', async () => {
    await englishPool('weth-usdc-english-market', { collateral: '100', debt: '34000' });
    await market.borrow('j', '1', '300', 'weth-usdc-english-market');
    // 420 → 340: health factor 0.94, the whole debt: a tab of 315, a reserve of min(315, 340 × 0.95) = 315.
    await market.publish(10n, '340');
    const auction = await auctionOf('j');
    expect(auction).toMatchObject({ route: 'english', reserve: auction.tab });
    const low = await ledger.as(liquidators.alice)('POST', `/auctions/${auction.auctionId}/bids`, { commandId: market.id('bid'), bidder: 'alice', amount: '200' });
    expect(low.body).toMatchObject({ code: 'BID_BELOW_RESERVE', details: { reserve: auction.tab } });
    const settled = await waitFor(async () => {
      const res = await ledger.as(liquidators.alice)('GET', `/auctions/${auction.auctionId}`);
      return res.body.status === 'settled' ? res.body : undefined;
    }, 30_000);
    // The market bought the lot for the tab, at its own price (about 340, not 200).
    expect(settled.raised).toBe(auction.tab);
    expect((await market.ok('GET', '/pools/weth-usdc-english-market/market')).lastSwap).toMatchObject({ auctionId: auction.auctionId, paid: auction.tab });
  }, 60_000);

  it('falls back to a Dutch auction in a pool without a market: a keeper’s reset restarts it on the curve', async () => {
    await englishPool('weth-usdc-english-alone');
    await market.borrow('k', '1', '250', 'weth-usdc-english-alone');
    // 340 → 290: health factor 0.957, above the full close: half the debt is to cover.
    await market.publish(11n, '290');
    const auction = await auctionOf('k');
    expect(auction.route).toBe('english');
    // Bidding closes with no bid: the auction waits for a keeper.
    await waitFor(async () => ((await asKeeper('GET', `/auctions/${auction.auctionId}`)).needsReset ? true : undefined), 30_000);
    const reset = await asKeeper('POST', `/auctions/${auction.auctionId}/reset`, { commandId: market.id('reset'), keeper: 'keeper-1' });
    expect(reset).toMatchObject({ events: ['AuctionReset'], route: 'dutch', top: '319', needsReset: false });
    expect(reset).not.toHaveProperty('deadline');
    expect(reset).not.toHaveProperty('reserve');
    const taken = await asKeeper('POST', `/auctions/${auction.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-1', collateral: reset.lot, maxPrice: '319' });
    expect(taken.events).toEqual(['CollateralTaken', 'AuctionSettled']);
  }, 60_000);
});

describe("the rest of a pool's life", () => {
  const LAST = 'weth-usdc-last';
  /** The feed's last round so far, in the tests above. */
  let round = 11n;

  it('a borrower repays and withdraws, an admin accrues and changes parameters, an oracle key is revoked, a jump pauses the feed until confirmed, and the risk engine proposes what the admin applies', async () => {
    await market.ok('POST', '/pools', {
      commandId: market.id('pool'), poolId: LAST, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD', parameters: POOL_PARAMETERS,
    });
    await market.borrow('l', '2', '100', LAST);
    expect((await asOwner('POST', '/positions/l/debt/repay', { commandId: market.id('repay'), amount: '40' })).events).toEqual(['DebtRepaid']);
    expect((await asOwner('POST', '/positions/l/collateral/withdraw', { commandId: market.id('withdraw'), amount: '0.5' })).events).toEqual(['CollateralWithdrawn']);
    expect((await market.ok('POST', `/pools/${LAST}/accrue`, { commandId: market.id('accrue') })).events).toEqual(['InterestAccrued']);
    const changed = await market.ok('PATCH', `/pools/${LAST}/parameters`, { commandId: market.id('params'), parameters: { closeFactorBps: 4000 } });
    expect(changed.events).toContain('PoolParametersChanged');
    expect((await market.ok('POST', '/feeds/ETH-USD/oracles/oracle-c/revoke', { commandId: market.id('revoke') })).events).toEqual(['OracleKeyRevoked']);
    // The risk engine watches the feed for this pool only, and proposes without applying.
    await market.ok('PUT', `/pools/${LAST}/risk-engine`, {
      commandId: market.id('risk'), model: 'ewma', mode: 'propose', confidenceBps: 9_900,
      bounds: { minMaxLtvBps: 5_000, maxMaxLtvBps: 7_500, minThresholdBps: 6_000, maxThresholdBps: 8_250 },
      maxStepBps: 250, noticeSeconds: 0, window: 10, observationSeconds: 3_600, detectionSeconds: 60,
    });
    for (let i = 0; i < 10; i++) await market.publish(++round, i % 2 ? '290' : '291');
    // More than the feed's 50% deviation limit: the price is taken, liquidations on the feed wait for a confirming round.
    expect((await market.publish(++round, '600')).events).toEqual(['PriceReportAccepted', 'PriceUpdated', 'LiquidationsPaused']);
    expect((await market.publish(++round, '600')).events).toEqual(['PriceReportAccepted', 'PriceUpdated', 'LiquidationsResumed']);
    const pending = await waitFor(async () => (await market.ok('GET', `/pools/${LAST}/risk-engine`)).pending);
    const applied = await market.ok('POST', `/pools/${LAST}/risk-engine/proposals/${pending.proposalId}/apply`, { commandId: market.id('apply') });
    expect(applied.events).toEqual(['RiskParametersApplied']);
  }, 60_000);

  it("a liquidator's proof liquidates a position when the ledger's own detection is off", async () => {
    // Restarted on the same store, without detection: what a liquidator proves is the only trigger.
    await ledger.stop();
    ledger = await startLedger(ledger.dataDir, { LIQUIDATION_DETECTION: 'off' });
    market.ledger = ledger;
    await market.borrow('m', '1', '440');
    // 440 / 0.825 = 533: at 500 the position is below the line.
    await market.publish(++round, '500');
    const opening = path.join(ledger.dataDir, 'm-opening.json');
    writeFileSync(opening, JSON.stringify(await asOwner('GET', '/positions/m/opening')));
    const proven = await cli('liquidator', 'submit', '--url', ledger.url, '--api-key', liquidators.alice.apiKey, '--position', 'm', '--liquidator', 'alice', '--opening', opening);
    expect(proven).toMatchObject({ code: 0, err: '' });
    expect(await asKeeper('GET', '/liquidations')).toContainEqual(expect.objectContaining({ positionId: 'm' }));
  }, 120_000);
});

/** The revision of a stream's last event. */
async function revisionOf(stream: string): Promise<bigint> {
  let revision: bigint | undefined;
  for await (const e of ledger.app.get(EventStoreDBClient).readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) revision = e.event?.revision;
  if (revision === undefined) throw new Error(`${stream} has no events`);
  return revision;
}

describe('the history all of this made', () => {
  it('holds in an audit, with every type of event: market liquidity and sales, bad debt, Dutch and English auctions, both kinds of proof, pauses', async () => {
    const history: HistoryEvent[] = [];
    for await (const e of readStore(ledger.app.get(EventStoreDBClient))) history.push(e);
    const report = await new Auditor().run((async function* () { yield* history; })());
    expect(report.failures).toEqual([]);
    // Every event type the ledger defines is in this history: a new one cannot escape the audit.
    const types = new Set(history.map((e) => e.type));
    expect(Object.keys(SCHEMA_VERSIONS).filter((type) => !types.has(type))).toEqual([]);
    // Both kinds of proof: the liquidator's, and the ledger's own for each detection.
    const triggers = history.filter((e) => e.type === 'LiquidationTriggered').map((e) => (e.data as { by: string }).by);
    expect(triggers).toContain('proof');
    expect(triggers).toContain('detection');
    expect(report.checks.find((c) => c.check.startsWith('liquidation proofs verify'))?.holds).toBe(true);
    expect(report.pools.some((p) => p.badDebt !== '0')).toBe(true);
  }, 60_000);
});
