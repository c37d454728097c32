/**
 * A person watching a pool on the dashboard, in a real (headless) Chromium, sees it as the public
 * streams tell it and as it changes, without reloading: the price and the pool's size-free state (borrow
 * index, open positions, pause), never its sums (total collateral or debt, reserve, socialized loss, which
 * with few positions are one position's amounts), and a
 * position appearing among the liquidations once a price drop makes it liquidatable. A page opened
 * later catches up to the same, and one that cannot reach a stream says so and recovers. The page
 * loads nothing from anywhere but the ledger and raises no script error; the route refuses a missing
 * or malformed pool id with a code.
 */
import { EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
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

async function openDashboard(): Promise<Page> {
  const opened = await context.newPage();
  opened.on('request', (request) => requested.push(request.url()));
  opened.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  opened.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  const res = await opened.goto(`${ledger.url}/dashboard?pool=${POOL}`);
  expect(res?.status()).toBe(200);
  return opened;
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
    expect(await page.locator('dt').allTextContents()).toEqual(['price', 'price round', 'borrow index', 'open positions', 'liquidations paused', 'liquidations']);
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

  it('loads nothing from anywhere but the ledger, and raises no script error', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${ledger.url}/`))).toEqual([]);
    expect(requested).toContain(`${ledger.url}/streams/public-pool-state-${POOL}/events`);
    expect(requested).toContain(`${ledger.url}/streams/public-liquidations/events`);
    expect(errors).toEqual([]);
  });

  it('says it is reconnecting while a stream cannot be reached, and is live again with the same liquidations once it can', async () => {
    const flaky = await context.newPage();
    try {
      let refusals = 1;
      await flaky.route('**/streams/public-liquidations/events**', (route) => (refusals-- > 0 ? route.fulfill({ status: 503, body: 'unavailable' }) : route.continue()));
      await flaky.goto(`${ledger.url}/dashboard?pool=${POOL}`);
      await shows(flaky, '#status', 'reconnecting');
      await shows(flaky, '#status', 'live');
      await shows(flaky, '#liquidations tr[data-position-id="a"] td.band', 'liquidatable');
      expect(await liquidationRows(flaky).count()).toBe(1);
    } finally {
      await flaky.close();
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
    expect(Object.keys(docs.body.paths)).toContain('/streams/{stream}/events');
  });

  it('escapes the pool id it is given', () => {
    const html = dashboardHtml('x"><script>alert(1)</script>&');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('data-pool="x&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#38;"');
  });

  it('refuses a missing or malformed pool id with 400 and a code', async () => {
    for (const [route, code] of [
      ['/dashboard', 'POOL_REQUIRED'],
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
