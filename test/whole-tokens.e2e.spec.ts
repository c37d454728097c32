/**
 * Whole tokens everywhere: every amount and price the ledger tells a user, in a response, in a
 * refusal's details or in the auditor's report (JSON and HTML), is a decimal string of whole tokens,
 * never smallest units or WAD. A scenario that reaches those surfaces (pool parameters, a Dutch and an
 * English auction and their refusals, positions, the audit report) records every answer, and a walk
 * over them checks the format; the values that matter are pinned exactly.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AuditReport } from '../src/audit/auditor';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { cli } from './support/cli';
import { Actor, ApiResponse, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL, POOL_PARAMETERS } from './support/scenario';
import { waitFor } from './support/wait';

const ENGLISH = 'weth-usdc-english';

let ledger: RunningLedger;
let market: Market;
let keeper: Actor;
let auditor: Actor;
/** Every answer the scenario got, by the call that got it. */
const answers: { call: string; body: unknown }[] = [];

/** Calls as `who`, records the answer, and returns it whatever its status. */
async function call<T = any>(who: Actor, method: string, route: string, body?: unknown): Promise<ApiResponse<T>> {
  const res = await ledger.as(who)<T>(method, route, body);
  answers.push({ call: `${method} ${route}`, body: res.body });
  return res;
}

async function ok(who: Actor, method: string, route: string, body?: unknown): Promise<any> {
  const res = await call(who, method, route, body);
  if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${res.text}`);
  return res.body;
}

/**
 * Fields whose digits are not an amount or a price: ids, rounds, times, positions in the store,
 * commitments and field elements of keys, signatures and proofs.
 */
const NOT_AMOUNTS = new Set(['commandId', 'position', 'prepare', 'round', 'priceRound', 'latestRound', 'lastRound', 'startedAt', 'deadline', 'at', 'priceAt', 'timestamp', 'commitment', 'x', 'y', 'r8x', 'r8y', 's', 'upTo', 'commitPosition', 'revision']);

/**
 * Decimal strings at amount or price fields that look like smallest units or WAD: in this scenario no
 * whole-token amount reaches ten million, while one USDC is already a million smallest units.
 */
function smallestUnitsIn(value: unknown, where: string, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => smallestUnitsIn(v, `${where}[${i}]`, found));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && !NOT_AMOUNTS.has(k) && /^[0-9]{8,}(\.[0-9]+)?$/.test(v)) found.push(`${where}.${k} = ${v}`);
    else smallestUnitsIn(v, `${where}.${k}`, found);
  }
  return found;
}

const WHOLE_TOKENS = /^[0-9]{1,7}(\.[0-9]+)?$/;

beforeAll(async () => {
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  keeper = await ledger.principal('keeper-1', 'liquidator');
  auditor = await ledger.principal('auditor-1', 'auditor');
  await market.ok('POST', '/pools', {
    commandId: market.id('pool'), poolId: ENGLISH, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD',
    parameters: { ...POOL_PARAMETERS, auction: { route: 'english', bidIncrementBps: 100, biddingSeconds: 600 } },
  });
  await market.borrow('a', '1', '1490');
  await market.borrow('e', '1', '1490', ENGLISH);
  // 2,000 → 1,600: both deep enough below the line (health factor 0.89) to sell all their collateral.
  await market.publish(2n, '1600');
}, 180_000);

afterAll(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('whole tokens on every outward surface', () => {
  it("shows a pool's parameters as a client sends them, and takes them back unchanged", async () => {
    const pool = await ok(market.admin, 'GET', `/pools/${POOL}`);
    expect(pool.parameters).toEqual({
      maxLtvBps: 7500, liquidationThresholdBps: 8250, liquidationPenaltyBps: 500, liquidatorBonusBps: 300, protocolFeeBps: 1000, closeFactorBps: 5000,
      fullCloseHealthFactor: '0.95', dustLimit: '10', liquidationCollateralCap: '1000', stabilityFeeYearly: '0.05',
      auction: expect.objectContaining({ route: 'dutch', curve: 'stairstep', bufferBps: 11000, keeperTip: '0' }),
    });
    // What a client reads it can send back: the same parameters again change nothing.
    await ok(market.admin, 'PATCH', `/pools/${POOL}/parameters`, { commandId: market.id('same'), parameters: pool.parameters });
    expect((await ok(market.admin, 'GET', `/pools/${POOL}`)).parameters).toEqual(pool.parameters);
  });

  it('tells the auction price in a refused take, and the tab and the least bid in refused bids, in whole tokens', async () => {
    const dutch = await waitFor(async () => ((await ok(keeper, 'GET', `/auctions?poolId=${POOL}`)) as any[])[0]);
    const tooLow = await call(keeper, 'POST', `/auctions/${dutch.auctionId}/take`, { commandId: market.id('take'), taker: 'keeper-1', collateral: '0.1', maxPrice: '1500' });
    expect(tooLow.body).toMatchObject({ code: 'PRICE_ABOVE_LIMIT', details: { price: expect.stringMatching(WHOLE_TOKENS) } });
    // Started 10% above 1,600, it has fallen at most a step or two of 1% since.
    expect(Number(tooLow.body.details.price)).toBeGreaterThan(1700);
    expect(Number(tooLow.body.details.price)).toBeLessThanOrEqual(1760);

    const english = await waitFor(async () => ((await ok(keeper, 'GET', `/auctions?poolId=${ENGLISH}`)) as any[])[0]);
    const bid = (amount: string) => call(keeper, 'POST', `/auctions/${english.auctionId}/bids`, { commandId: market.id('bid'), bidder: 'keeper-1', amount });
    const aboveTab = await bid('1600');
    expect(aboveTab.body).toMatchObject({ code: 'BID_ABOVE_TAB', details: { tab: english.tab } });
    expect(english.tab).toMatch(/^1564\.5[0-9]*$/);
    expect((await bid('1530')).status).toBe(201);
    const low = await bid('1540');
    // The next bid beats 1,530 by the 1% increment: 1,545.3.
    expect(low.body).toMatchObject({ code: 'BID_TOO_LOW', details: { minBid: '1545.3' } });
  });

  it('keeps the auditor’s report, JSON and HTML, in whole tokens', async () => {
    await ok(keeper, 'GET', '/liquidations');
    await ok(market.borrower, 'GET', '/positions/a');
    await ok(auditor, 'GET', `/audit/pools/${POOL}`);
    await ok(market.admin, 'GET', '/feeds/ETH-USD');
    const store = ledger.app.get(EventStoreConnection).connectionString!;
    const json = path.join(ledger.dataDir, 'report.json');
    const html = path.join(ledger.dataDir, 'report.html');
    // As an auditor runs it: holding the ledger's published key, so every link's signature is checked.
    const replayed = await cli('audit', 'replay', '--eventstore', store, '--ledger-key', `${ledger.url}/audit/ledger-key`, '--json', json, '--html', html);
    const report = JSON.parse(readFileSync(json, 'utf8')) as AuditReport;
    // The failures themselves, if any: they say what did not hold.
    expect({ code: replayed.code, err: replayed.err, failures: report.failures }).toEqual({ code: 0, err: '', failures: [] });
    answers.push({ call: 'audit replay', body: report });
    expect(report.pools.find((p) => p.poolId === POOL)).toMatchObject({ collateralDeposited: '1', debtDrawn: '1490' });
    expect(report.timeline.map((t) => t.price)).toContain('1600');
    const page = readFileSync(html, 'utf8');
    const poolTable = page.slice(page.indexOf('<h2>Pools</h2>'), page.indexOf('<h2>Pool health'));
    expect(poolTable).toContain(`<td>${POOL}</td><td>1</td>`);
    expect(poolTable).toContain('<td>1490</td>');
    expect(poolTable).not.toMatch(/<td>[0-9]{8,}/);
  });

  it('walks every answer the scenario got: no amount or price in smallest units or WAD', () => {
    expect(answers.length).toBeGreaterThan(10);
    expect(answers.flatMap((a) => smallestUnitsIn(a.body, a.call))).toEqual([]);
  });
});
