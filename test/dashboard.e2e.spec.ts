/**
 * A person watching a pool on the dashboard, in a real (headless) Chromium, sees it as the public
 * streams tell it and as it changes, without reloading: a picker of the pools, "connecting…" until the
 * pool's state arrives, the price and the pool's size-free state (borrow index, open positions, pause),
 * never its sums (total collateral or debt, reserve, socialized loss, which with few positions are one
 * position's amounts); a price chart that gets a liquidation mark when a crash triggers one, the
 * position among the liquidations, its auction with its curve, the positions counted by health band,
 * and the ledger's latency from price to trigger and from trigger to proof. A page opened later
 * catches up to the same, and one that cannot reach a stream says so and recovers. The page loads
 * nothing from anywhere but the ledger and raises no script error; an unknown pool is said to be one,
 * and a malformed pool id is refused with a code. A page fed fixed streams looks like the committed
 * screenshot, within a tolerance.
 */
import { EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DASHBOARD_CSP, dashboardHtml } from '../src/projections/dashboard/dashboard.html';
import { removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let ledger: RunningLedger;
let market: Market;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Everything the pages asked for, and every script error or console error they raised. */
const requested: string[] = [];
const errors: string[] = [];

/** A page whose requests and errors are recorded. */
async function watchedPage(): Promise<Page> {
  const opened = await context.newPage();
  opened.on('request', (request) => requested.push(request.url()));
  opened.on('websocket', (socket) => requested.push(socket.url().replace(/^ws/, 'http')));
  opened.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  opened.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return opened;
}

async function openDashboard(route = `/dashboard?pool=${POOL}`): Promise<Page> {
  const opened = await watchedPage();
  const res = await opened.goto(`${ledger.url}${route}`);
  expect(res?.status()).toBe(200);
  return opened;
}

/** Waits until `attribute` of `selector` reaches at least `least` (a count the page publishes). */
async function counts(on: Page, selector: string, attribute: string, least: number): Promise<void> {
  try {
    await on.waitForFunction(({ selector, attribute, least }) => Number((globalThis as any).document.querySelector(selector)?.getAttribute(attribute)) >= least, { selector, attribute, least }, { timeout: 30_000, polling: 100 });
  } catch {
    throw new Error(`${selector} has ${attribute}=${await on.locator(selector).getAttribute(attribute)}, not at least ${least}`);
  }
}

/** Waits until `selector` shows `expected` (the whole text, or matching a pattern); says what it showed instead if it never does. */
async function shows(on: Page, selector: string, expected: string | RegExp, timeout = 15_000): Promise<void> {
  const pattern = typeof expected === 'string' ? { source: `^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, flags: '' } : { source: expected.source, flags: expected.flags };
  try {
    await on.waitForFunction(
      ({ selector, source, flags }) => new RegExp(source, flags).test((globalThis as any).document.querySelector(selector)?.textContent ?? ''),
      { selector, ...pattern },
      { timeout, polling: 100 },
    );
  } catch {
    const actual = await on.locator(selector).textContent({ timeout: 1_000 }).catch(() => null);
    throw new Error(`${selector} shows ${JSON.stringify(actual)}, not ${expected}`);
  }
}

const liquidationRows = (on: Page) => on.locator('#liquidations tr');
/** A pool's sums: no public stream carries them, and the page shows none. */
const POOL_SUMS = ['totalCollateral', 'totalDebt', 'reserve', 'socializedLoss'];
/** The time of a published state as the page shows it. */
const asOf = (at: number) => `${new Date(at * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
const cellOf = (on: Page, positionId: string, cell: string) => on.locator(`#liquidations tr[data-position-id="${positionId}"] td.${cell}`);

async function readStream(stream: string): Promise<Array<{ type: string; data: any }>> {
  const out: Array<{ type: string; data: any }> = [];
  for await (const { event } of ledger.app.get(EventStoreDBClient).readStream(stream, { direction: FORWARDS, fromRevision: START })) {
    if (event) out.push({ type: event.type, data: event.data });
  }
  return out;
}

/**
 * The screenshot's page: the pool's streams and histogram answered with fixed events (times, prices, a
 * crash at round 5 that triggers one liquidation, proven 1.2 s later, and its auction with one take)
 * and the clock frozen, so the page draws the same pixels on every run.
 */
const BASELINE = path.join(__dirname, 'fixtures', 'dashboard.png');
const T0 = Date.parse('2026-12-01T12:00:00Z') / 1000;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** A stream's messages as its WebSocket sends them. */
function messages(stream: string, events: Array<{ type: string; data: Record<string, unknown>; at: number }>): string[] {
  return events.map((e, revision) => JSON.stringify({ stream, revision: String(revision), type: e.type, data: e.data, source: { at: iso(e.at) } }));
}

function fixedStreams(): Record<string, string[]> {
  const prices = ['2000', '1980', '1995', '1950', '1700', '1720', '1745'];
  const roundAt = (i: number) => T0 + i * 60;
  const state = (i: number) => ({ type: 'PoolStateChanged', at: roundAt(i), data: { poolId: POOL, price: prices[i], priceRound: String(i + 1), liquidationsPaused: false, borrowIndex: '1.000001234567891234', openPositions: 9, at: roundAt(i) } });
  const crash = roundAt(4);
  return {
    [`public-pool-state-${POOL}`]: messages(`public-pool-state-${POOL}`, prices.map((_, i) => state(i))),
    'public-prices': messages('public-prices', prices.map((price, i) => ({ type: 'PriceUpdated', at: roundAt(i), data: { feed: 'ETH-USD', round: String(i + 1), price, at: roundAt(i), reports: [] } }))),
    'public-liquidations': messages('public-liquidations', [
      { type: 'LiquidationTriggered', at: crash + 0.35, data: { positionId: 'a', poolId: POOL, commitment: '1234567890123456789012345', by: 'detection', feed: 'ETH-USD', round: '5', healthBand: 'liquidatable' } },
      { type: 'LiquidationProven', at: crash + 1.55, data: { liquidationId: 'a.3', positionId: 'a', poolId: POOL, commitment: '1234567890123456789012345', feed: 'ETH-USD', round: '5', price: '1700' } },
    ]),
    'public-auctions': messages('public-auctions', [
      { type: 'AuctionStarted', at: crash + 1, data: { auctionId: 'a.3', poolId: POOL, route: 'dutch', curve: 'exponential', cutBps: '100', stepSeconds: '60', oraclePrice: '1700', top: '1870', at: crash + 1 } },
      { type: 'CollateralTaken', at: crash + 600, data: { auctionId: 'a.3', poolId: POOL, price: '1692.5', at: crash + 600 } },
    ]),
  };
}

/** A dashboard page whose streams and histogram are answered with fixed data, its clock frozen. */
async function pageFedWith(on: BrowserContext, streams: Record<string, string[]>): Promise<Page> {
  const page = await on.newPage();
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  await page.routeWebSocket(/\/streams\/[^/]+\/ws/, (socket) => {
    const stream = decodeURIComponent(new URL(socket.url()).pathname.split('/')[2]);
    for (const message of streams[stream] ?? []) socket.send(message);
  });
  await page.route('**/dashboard/pools/*/health-bands', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ poolId: POOL, price: '1745', priceRound: '7', healthBands: { liquidatable: 1, atRisk: 2, watch: 3, safe: 7, noDebt: 1 } }) }),
  );
  await page.clock.setFixedTime(new Date((T0 + 4 * 60 + 900) * 1000));
  await page.goto(`${ledger.url}/dashboard?pool=${POOL}`);
  return page;
}

/**
 * The share of pixels of two PNGs of one size that differ (any channel by more than 48 of 255), worked out
 * in the browser. The same Chromium draws the fixed page identically (a share of 0); the 0.1% allowed is
 * for antialiasing, while a histogram bar redrawn at another length moves about 0.4%.
 */
async function differingShare(on: Page, actual: Buffer, expected: Buffer): Promise<number> {
  return on.evaluate(
    async ({ actual, expected }) => {
      const g = globalThis as any;
      const pixels = async (base64: string) => {
        const bitmap = await g.createImageBitmap(await (await g.fetch(`data:image/png;base64,${base64}`)).blob());
        const canvas = new g.OffscreenCanvas(bitmap.width, bitmap.height);
        const drawing = canvas.getContext('2d');
        drawing.drawImage(bitmap, 0, 0);
        return { width: bitmap.width, height: bitmap.height, data: drawing.getImageData(0, 0, bitmap.width, bitmap.height).data as Uint8ClampedArray };
      };
      const [a, b] = [await pixels(actual), await pixels(expected)];
      if (a.width !== b.width || a.height !== b.height) return 1;
      let differing = 0;
      for (let i = 0; i < a.data.length; i += 4) {
        if ([0, 1, 2, 3].some((c) => Math.abs(a.data[i + c] - b.data[i + c]) > 48)) differing++;
      }
      return differing / (a.width * a.height);
    },
    { actual: actual.toString('base64'), expected: expected.toString('base64') },
  );
}

beforeAll(async () => {
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  // At 1,700 `a`'s health factor is 1700 × 0.825 / 1490 ≈ 0.94: liquidatable. `b`'s stays above 4.
  await market.borrow('a', '1', '1490');
  await market.borrow('b', '3', '1000');
  // The pool's aggregates are published on the pool's own events: a checkpoint of its interest is one.
  await market.ok('POST', `/pools/${POOL}/accrue`, { commandId: market.id('accrue') });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext();
}, 60_000);

afterAll(async () => {
  // The browser first: its open event streams would hold the ledger's HTTP server open.
  await browser?.close();
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('the pool dashboard', () => {
  it('shows the pool’s price and size-free state once it has connected to the streams, and none of its sums', async () => {
    page = await openDashboard();
    await shows(page, '#status', 'live');
    await shows(page, '#price', '2000');
    await shows(page, '#round', '1');
    // The state published on the accrual, the pool's last event: both positions open.
    await shows(page, '#open-positions', '2');
    await shows(page, '#paused', 'no');
    await shows(page, '#liquidation-count', '0');
    const states = (await readStream(`public-pool-state-${POOL}`)).filter((e) => e.type === 'PoolStateChanged');
    const last = states[states.length - 1].data;
    expect(last).toMatchObject({ poolId: POOL, price: '2000', priceRound: '1', openPositions: 2, liquidationsPaused: false });
    for (const sum of POOL_SUMS) expect(last).not.toHaveProperty(sum);
    // The borrow index to 12 decimals (1 when no second has passed), whole in its title; and when the state was published.
    expect(last.borrowIndex).toMatch(/^1(\.\d+)?$/);
    await shows(page, '#borrow-index', last.borrowIndex.replace(/(\.\d{12})\d+$/, '$1'));
    expect(await page.locator('#borrow-index').getAttribute('title')).toBe(last.borrowIndex);
    await shows(page, '#as-of', asOf(last.at));
    // No sum of the pool: neither a field for one nor the 4 WETH and 2,490 USDC (plus interest) it holds.
    expect(await page.locator('#total-collateral, #total-debt, #reserve, #socialized-loss').count()).toBe(0);
    expect(await page.locator('dt').allTextContents()).toEqual(['price', 'price round', 'borrow index', 'open positions', 'liquidations paused', 'liquidations', 'price → trigger', 'trigger → proof']);
    // The histogram: at 2,000 `a`'s health factor is 2000 × 0.825 / 1490 ≈ 1.11 (watch), `b`'s about 4.95 (safe).
    const bands = await ledger.api('GET', `/dashboard/pools/${POOL}/health-bands`);
    expect(bands.body).toEqual({ poolId: POOL, price: '2000', priceRound: '1', healthBands: { liquidatable: 0, atRisk: 0, watch: 1, safe: 1, noDebt: 0 } });
    for (const [band, count] of Object.entries(bands.body.healthBands)) await shows(page, `#bands [data-band="${band}"] .count`, String(count));
    // The price chart has the one round, and no liquidation mark yet.
    await counts(page, '#price-chart', 'data-points', 1);
    expect(await page.locator('#price-chart').getAttribute('data-marks')).toBe('0');
    await shows(page, '#latency-trigger-detail', 'none yet');
    expect(await page.locator('dd').allTextContents()).not.toContainEqual(expect.stringMatching(/^(4|2490(\.\d+)?)$/));
    expect(await page.locator('body').innerText()).not.toMatch(/2490/);
    expect(await liquidationRows(page).count()).toBe(0);
    expect(await page.locator('#no-liquidations').isVisible()).toBe(true);
  });

  it('follows a price drop without reloading: the new price, and the position it makes liquidatable among the liquidations', async () => {
    await page.evaluate(() => ((globalThis as any).sameDocument = true));
    await market.publish(2n, '1700');
    await shows(page, '#price', '1700');
    await shows(page, '#round', '2');
    await shows(page, '#liquidations tr[data-position-id="a"] td.band', 'liquidatable');
    await shows(page, '#liquidation-count', '1');
    expect(await cellOf(page, 'a', 'status').textContent()).toBe('triggered');
    expect(await cellOf(page, 'a', 'position').textContent()).toBe('a');
    // The commitment is shortened on the row, and whole in its title.
    const [triggered] = (await readStream('public-liquidations')).filter((e) => e.type === 'LiquidationTriggered');
    expect(await cellOf(page, 'a', 'commitment').getAttribute('title')).toBe(triggered.data.commitment);
    expect(await cellOf(page, 'a', 'commitment').textContent()).toBe(`${triggered.data.commitment.slice(0, 8)}…${triggered.data.commitment.slice(-6)}`);
    // `b` is safe: only `a` is listed, and the page is the one loaded before.
    expect(await liquidationRows(page).count()).toBe(1);
    expect(await page.locator('#no-liquidations').isVisible()).toBe(false);
    expect(await page.evaluate(() => (globalThis as any).sameDocument)).toBe(true);
  });

  it('marks the crash on the price chart, shows the auction it starts with its curve, and the latency from price to trigger and from trigger to proof', async () => {
    await counts(page, '#price-chart', 'data-points', 2);
    await counts(page, '#price-chart', 'data-marks', 1);
    expect(await page.locator('#price-chart canvas').count()).toBeGreaterThan(0);
    // The ledger detected `a` at round 2 and started its auction: a running Dutch auction on the pool's curve.
    const card = page.locator('#auctions [data-auction-id^="a."]');
    await card.waitFor({ timeout: 30_000 });
    await shows(page, '#auctions [data-auction-id^="a."] .state', 'running');
    await shows(page, '#auctions [data-auction-id^="a."] .route', /^dutch · (linear|stairstep|exponential)$/);
    await shows(page, '#auctions [data-auction-id^="a."] .price', /^\d+\.\d\d$/);
    await shows(page, '#auctions [data-auction-id^="a."] .takes', '0');
    await counts(page, '#auctions [data-auction-id^="a."] .curve', 'data-points', 2);
    // Latency: measured on the ledger's own times of the price, the trigger and the ledger's proof of it.
    await shows(page, '#latency-trigger', /^\d+(\.\d+)? (ms|s)$/);
    await shows(page, '#latency-trigger-detail', /^median of 1 liquidation; slowest /);
    await shows(page, '#latency-proof', /^\d+(\.\d+)? (ms|s)$/, 120_000);
    await shows(page, '#latency-proof-detail', /^median of 1 liquidation; slowest /);
    // No amount of the position or its lot shows anywhere: not its 1 WETH, not its 1,490 USDC debt.
    expect(await page.locator('body').innerText()).not.toMatch(/1490|1,490/);
  }, 150_000);

  it('shows liquidations paused when the pool is paused', async () => {
    await market.ok('POST', `/pools/${POOL}/liquidations/pause`, { commandId: market.id('pause') });
    await shows(page, '#paused', 'yes');
    await shows(page, '#open-positions', '2');
    const states = (await readStream(`public-pool-state-${POOL}`)).filter((e) => e.type === 'PoolStateChanged');
    const paused = states[states.length - 1].data;
    expect(paused).toMatchObject({ poolId: POOL, price: '1700', priceRound: '2', liquidationsPaused: true, openPositions: 2 });
    for (const sum of POOL_SUMS) expect(paused).not.toHaveProperty(sum);
    await shows(page, '#as-of', asOf(paused.at));
  });

  it('catches up when opened later: the same price, pool state and liquidations', async () => {
    const later = await openDashboard();
    try {
      await shows(later, '#status', 'live');
      for (const id of ['#price', '#round', '#borrow-index', '#paused', '#open-positions', '#liquidation-count', '#as-of']) {
        await shows(later, id, (await page.locator(id).textContent())!);
      }
      await shows(later, '#liquidations tr[data-position-id="a"] td.band', 'liquidatable');
      expect(await liquidationRows(later).count()).toBe(1);
    } finally {
      await later.close();
    }
  });

  it('without a pool is a picker of the pools, whose link opens the pool', async () => {
    const picker = await openDashboard('/dashboard');
    try {
      expect(await picker.locator('#pools a').allTextContents()).toEqual([`${POOL} WETH/USDC`]);
      await picker.locator(`#pools a[data-pool-id="${POOL}"]`).click();
      await shows(picker, 'h1', new RegExp(`^Pool ${POOL} `));
      await shows(picker, '#status', 'live');
      expect(await picker.locator(`#pools a[aria-current="page"]`).textContent()).toBe(`${POOL} WETH/USDC`);
    } finally {
      await picker.close();
    }
    const res = await fetch(`${ledger.url}/dashboard`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
  });

  it('says so for a pool the ledger does not have, with the picker, instead of a page of dashes', async () => {
    // Not a watched page: Chromium logs the page's own 404 as a console error.
    const unknown = await context.newPage();
    try {
      expect((await unknown.goto(`${ledger.url}/dashboard?pool=no-such-pool`))?.status()).toBe(404);
      expect(await unknown.locator('#unknown-pool').textContent()).toBe("There is no pool no-such-pool. Pick one of the ledger's pools:");
      expect(await unknown.locator('#pools a').count()).toBe(1);
      expect(await unknown.locator('#price').count()).toBe(0);
    } finally {
      await unknown.close();
    }
  });

  it('says connecting… until the pool’s state arrives, not live while empty', async () => {
    const waiting = await watchedPage();
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await waiting.routeWebSocket(new RegExp(`/streams/public-pool-state-${POOL}/ws`), async (socket) => {
        await held;
        socket.connectToServer();
      });
      await waiting.goto(`${ledger.url}/dashboard?pool=${POOL}`);
      // The other streams are open and delivering; the pool's state is not there yet.
      await counts(waiting, '#price-chart', 'data-points', 2);
      expect(await waiting.locator('#status').textContent()).toBe('connecting…');
      expect(await waiting.locator('#price').textContent()).toBe('—');
      release();
      await shows(waiting, '#status', 'live');
      await shows(waiting, '#price', '1700');
    } finally {
      await waiting.close();
    }
  });

  it('serves the histogram’s counts to anyone, and refuses a malformed or unknown pool with a code', async () => {
    const pools = await fetch(`${ledger.url}/dashboard/pools`);
    expect(pools.status).toBe(200);
    expect(await pools.json()).toEqual({ pools: [{ poolId: POOL, feed: 'ETH-USD', collateral: 'WETH', debt: 'USDC' }] });
    for (const [route, status, code] of [
      ['/dashboard/pools/weth%20usdc/health-bands', 400, 'INVALID_PATH_ID'],
      [`/dashboard/pools/${'p'.repeat(65)}/health-bands`, 400, 'INVALID_PATH_ID'],
      ['/dashboard/pools/no-such-pool/health-bands', 404, 'POOL_NOT_FOUND'],
      ['/dashboard/assets/..%2Fpackage.json', 400, 'INVALID_PATH_ID'],
      ['/dashboard/assets/main.js', 404, 'ASSET_NOT_FOUND'],
    ] as const) {
      const res = await ledger.api('GET', route);
      expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status, code });
    }
    const bands = await ledger.api('GET', `/dashboard/pools/${POOL}/health-bands`);
    expect(bands.status).toBe(200);
    expect(Object.keys(bands.body).sort()).toEqual(['healthBands', 'poolId', 'price', 'priceRound']);
  });

  it('loads nothing from anywhere but the ledger, and raises no script error', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${ledger.url}/`))).toEqual([]);
    for (const stream of [`public-pool-state-${POOL}`, 'public-prices', 'public-liquidations', 'public-auctions']) expect(requested).toContain(`${ledger.url}/streams/${stream}/ws`);
    expect(requested).toContain(`${ledger.url}/dashboard/assets/uplot.js`);
    expect(errors).toEqual([]);
  });

  it('says it is reconnecting while a stream cannot be reached, and is live again with the same liquidations once it can', async () => {
    const flaky = await context.newPage();
    try {
      let refusals = 1;
      await flaky.routeWebSocket(/\/streams\/public-liquidations\/ws/, (socket) => (refusals-- > 0 ? socket.close({ code: 1011, reason: 'unavailable' }) : socket.connectToServer()));
      await flaky.goto(`${ledger.url}/dashboard?pool=${POOL}`);
      await shows(flaky, '#status', 'reconnecting');
      await shows(flaky, '#status', 'live');
      await shows(flaky, '#liquidations tr[data-position-id="a"] td.band', 'liquidatable');
      expect(await liquidationRows(flaky).count()).toBe(1);
    } finally {
      await flaky.close();
    }
  });

  it('looks like the committed screenshot when fed fixed streams, within a tolerance', async () => {
    const still = await browser.newContext({ viewport: { width: 1100, height: 1000 }, deviceScaleFactor: 1, timezoneId: 'UTC', locale: 'en-US' });
    try {
      const fixed = await pageFedWith(still, fixedStreams());
      await counts(fixed, '#price-chart', 'data-marks', 1);
      await counts(fixed, '#price-chart', 'data-points', 7);
      await shows(fixed, '#bands [data-band="safe"] .count', '7');
      await shows(fixed, '#latency-trigger', '350 ms');
      await shows(fixed, '#latency-proof', '1.20 s');
      await shows(fixed, '#auctions [data-auction-id="a.3"] .takes', '1');
      await counts(fixed, '#auctions [data-auction-id="a.3"] .curve', 'data-points', 60);
      await shows(fixed, '#status', 'live');
      const shot = await fixed.screenshot({ animations: 'disabled', caret: 'hide' });
      if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(BASELINE)) {
        writeFileSync(BASELINE, shot);
        if (process.env.UPDATE_SCREENSHOTS !== '1') throw new Error(`no baseline: wrote ${BASELINE}; look at it, commit it and run again`);
      }
      // Compared on a blank page: the dashboard's policy would refuse the images' data: URLs.
      const share = await differingShare(await still.newPage(), shot, readFileSync(BASELINE));
      if (share > 0.001) writeFileSync(BASELINE.replace(/\.png$/, '.actual.png'), shot);
      expect(share).toBeLessThanOrEqual(0.001);
    } finally {
      await still.close();
    }
  });

  it('keeps the running auctions and the last eight ended, not a chart for every auction the pool ever had', async () => {
    const many = await browser.newContext();
    try {
      const ended = Array.from({ length: 12 }, (_, i) => [
        { type: 'AuctionStarted', at: T0 + i * 100, data: { auctionId: `p${i}.1`, poolId: POOL, route: 'dutch', curve: 'linear', cutBps: '100', stepSeconds: '60', oraclePrice: '1700', top: '1870', at: T0 + i * 100 } },
        { type: 'SoldToMarket', at: T0 + i * 100 + 10, data: { auctionId: `p${i}.1`, poolId: POOL, price: '1690', at: T0 + i * 100 + 10 } },
        { type: 'AuctionSettled', at: T0 + i * 100 + 11, data: { auctionId: `p${i}.1`, poolId: POOL, at: T0 + i * 100 + 11 } },
      ]).flat();
      const running = { type: 'AuctionStarted', at: T0, data: { auctionId: 'q.1', poolId: POOL, route: 'english', curve: 'linear', cutBps: '100', stepSeconds: '60', oraclePrice: '1700', top: '1870', at: T0 } };
      const page = await pageFedWith(many, { ...fixedStreams(), 'public-auctions': messages('public-auctions', [running, ...ended]) });
      await shows(page, '#auctions [data-auction-id="p11.1"] .state', 'ended');
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#auctions [data-auction-id]').length === 9, undefined, { timeout: 15_000 });
      const shown = await page.locator('#auctions [data-auction-id]').evaluateAll((cards: Array<{ getAttribute(name: string): string | null }>) => cards.map((c) => c.getAttribute('data-auction-id')));
      expect(shown.sort()).toEqual(['p10.1', 'p11.1', 'p4.1', 'p5.1', 'p6.1', 'p7.1', 'p8.1', 'p9.1', 'q.1']);
      await shows(page, '#auctions [data-auction-id="q.1"] .state', 'running');
      await shows(page, '#auctions [data-auction-id="q.1"] .route', 'English');
      expect(errors).toEqual([]);
    } finally {
      await many.close();
    }
  });

  it('is served as HTML under a policy allowing its own script, style and streams only, and stays out of the OpenAPI document', async () => {
    const res = await fetch(`${ledger.url}/dashboard?pool=${POOL}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toMatch(/default-src 'none'/);
    expect(DASHBOARD_CSP).toMatch(/connect-src 'self'/);
    const html = await res.text();
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//);
    const docs = await ledger.api('GET', '/docs/openapi.json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).not.toContain('/dashboard');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/dashboard/pools', '/dashboard/pools/{poolId}/health-bands']));
    expect(Object.keys(docs.body.paths)).toContain('/streams/{stream}/events');
  });

  it('escapes the pool id it is given', () => {
    const pool = { poolId: 'x"><script>alert(1)</script>&', feed: 'F', collateral: 'C', debt: 'D' };
    const html = dashboardHtml(pool, [pool]);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('data-pool="x&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#38;"');
  });

  it('refuses a malformed pool id with 400 and a code', async () => {
    for (const [route, code] of [
      ['/dashboard?pool=', 'INVALID_POOL_ID'],
      ['/dashboard?pool=weth%20usdc', 'INVALID_POOL_ID'],
      ['/dashboard?pool=%3Cscript%3E', 'INVALID_POOL_ID'],
      [`/dashboard?pool=${'p'.repeat(65)}`, 'INVALID_POOL_ID'],
      ['/dashboard?pool=weth-usdc&pool=other', 'INVALID_POOL_ID'],
    ] as const) {
      const res = await ledger.api('GET', route);
      expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status: 400, code });
      expect(typeof res.body.message).toBe('string');
    }
  });
});
