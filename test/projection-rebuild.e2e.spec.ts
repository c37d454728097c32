/**
 * An operator rebuilds the pool-state read model on the command line: it is replayed from the start
 * beside the live one, which the API keeps serving, and switched in once it has caught up. The rebuilt
 * rows are the live rows, exactly; the projection then follows new events as before. A rebuild of
 * what is not a read model is refused with a code and changes nothing.
 */
import { Database } from '../src/database/database';
import { DATABASE } from '../src/database/database.module';
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';
import { waitFor } from './support/wait';

let ledger: RunningLedger;
let market: Market;
/** A front end reading pools while the operator (the admin) rebuilds. */
let integrator: Actor;
/** The CLI's ledger options for the operator. */
const asAdmin = () => ['--url', ledger.url, '--api-key', market.admin.apiKey];

const TABLES: Record<string, string> = { pools: 'pool_id', feed_prices: 'feed', position_balances: 'position_id' };

/** Every row of the read model (its checkpoint moves on its own as other writers' events pass by). */
async function readModel(): Promise<Record<string, unknown[]>> {
  const db = ledger.app.get<Database>(DATABASE);
  const rows: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(TABLES)) rows[table] = await db.query(`SELECT * FROM ${table} ORDER BY ${key}`);
  return rows;
}

/** Waits until the pool-state projection has applied everything it has received and the ledger is quiet. */
async function settled(): Promise<void> {
  await waitFor(async () => {
    const status = (await market.ok('GET', '/projections')) as any[];
    return status.every((s) => s.lagEvents === 0) ? true : undefined;
  });
}

beforeAll(async () => {
  ledger = await startLedger(undefined, { LIQUIDATION_DETECTION: 'off' });
  market = new Market(ledger);
  await market.open('2000');
  integrator = await ledger.principal('front-end', 'integrator');
  for (const [id, collateral, debt] of [['a', '1', '1200'], ['b', '2.5', '2000'], ['c', '0.75', '100']]) await market.borrow(id, collateral, debt);
  await market.ok('POST', '/positions/c/debt/repay', { commandId: market.id('repay'), amount: '50' }, market.borrower);
  await market.ok('POST', '/positions/c/collateral/withdraw', { commandId: market.id('withdraw'), amount: '0.25' }, market.borrower);
  await market.publish(2n, '1900');
}, 60_000);

afterAll(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('rebuilding the pool-state read model', () => {
  it('replays it from the start while the API keeps serving, and switches to rows identical to the live ones', async () => {
    await settled();
    const live = await readModel();
    expect(live.position_balances).toHaveLength(3);

    // Readers keep getting answers throughout.
    let serving = true;
    const answers: number[] = [];
    const reader = (async () => {
      while (serving) answers.push((await ledger.as(integrator)('GET', `/pools/${POOL}`)).status);
    })();
    const rebuilt = await cli('projections', 'rebuild', 'pool-state', ...asAdmin());
    serving = false;
    await reader;

    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.out)).toMatchObject({ projection: 'pool-state', rebuilt: true });
    expect(JSON.parse(rebuilt.out).eventsApplied).toBeGreaterThan(10);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 200)).toBe(true);
    const after = await readModel();
    // The same rows, to the last digit.
    expect(after).toEqual(live);
    const status = ((await market.ok('GET', '/projections')) as any[]).find((s) => s.projection === 'pool-state');
    expect(status).toMatchObject({ state: 'running', rebuild: { state: 'done', progress: 1 } });
  });

  it('goes on following the ledger after the switch', async () => {
    await market.publish(3n, '1850');
    const pool = await waitFor(async () => {
      const p = await market.ok('GET', `/pools/${POOL}`);
      return p.price === '1850' ? p : undefined;
    });
    expect(pool).toMatchObject({ priceRound: '3', openPositions: 3, totalCollateral: '4' });
  });

  it('reports its progress in /metrics and GET /projections', async () => {
    const res = await ledger.as(market.admin)('GET', '/metrics');
    expect(res.status).toBe(200);
    const metrics = res.text;
    expect(metrics).toMatch(/ledger_projection_lag_events\{projection="pool-state"\} \d+/);
    expect(metrics).toMatch(/ledger_projection_lag_seconds\{projection="public-streams"\} [\d.]+/);
    expect(metrics).toMatch(/ledger_projection_stream_events_written\{projection="public-streams"\} [1-9]\d*/);
  });

  it('refuses what is not a read model with a code, changing nothing', async () => {
    await settled();
    const before = await readModel();
    const position = await ledger.lastPosition();
    const unknown = await cli('projections', 'rebuild', 'no-such-model', ...asAdmin());
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('PROJECTION_NOT_FOUND');
    const streams = await ledger.as(market.admin)('POST', '/projections/public-streams/rebuild');
    expect({ status: streams.status, code: streams.body.code }).toEqual({ status: 422, code: 'NOT_REBUILDABLE' });
    expect(await readModel()).toEqual(before);
    expect(await ledger.lastPosition()).toBe(position);
  });

  it('refuses a second rebuild while one is under way', async () => {
    const first = await ledger.as(market.admin)('POST', '/projections/pool-state/rebuild');
    const second = await ledger.as(market.admin)('POST', '/projections/pool-state/rebuild');
    expect([first.status, second.status, second.body.code]).toEqual([202, 422, 'REBUILD_IN_PROGRESS']);
    await waitFor(async () => {
      const status = ((await market.ok('GET', '/projections')) as any[]).find((p) => p.projection === 'pool-state');
      return status.rebuild.state === 'done' ? status : undefined;
    });
  });
});
