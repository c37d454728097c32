/**
 * The ledger end to end as a client sees it: the app started as `npm start` starts it (embedded event
 * store, embedded PGlite), driven over HTTP. Oracles sign real reports; every refusal is a 4xx with a
 * machine-readable code and appends nothing.
 */
import { loadCrypto } from '../src/domain/crypto/crypto';
import { generateOracleKey, OracleKeyPair, signReport } from '../src/oracle/report-signing';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, POOL, POOL_PARAMETERS } from './support/scenario';
import { formatDecimal, parseDecimal } from '../src/domain/math/decimal';

const STALE_FEED = 'STALE-USD';

let ledger: RunningLedger;
/** The oracles' signing keys, and the principals they report as. */
let oracles: (OracleKeyPair & { name: string; actor: Actor })[];
/** The development admin: feeds, pools, parameters, operations. */
let admin: Actor;
/** Borrowers, by name: each owns the positions it opens. */
const borrowers: Record<string, Actor> = {};
/** Someone who only reads prices (a front end). */
let reader: Actor;
let round = 0n;
let seq = 0;
const id = (prefix: string) => `${prefix}-${++seq}`;
const now = () => BigInt(Math.floor(Date.now() / 1000));


/** Two of three oracles report the same round: the quorum sets the price to their lower median. */
async function publishPrice(prices: [string, string], feed = FEED): Promise<void> {
  round += 1n;
  for (let i = 0; i < 2; i++) {
    const report = signReport(oracles[i].privateKey, feed, round, prices[i], now());
    const res = await ledger.as(oracles[i].actor)('POST', `/feeds/${feed}/reports`, { commandId: id('report'), oracle: oracles[i].name, ...report });
    expect(res.status).toBe(201);
  }
}

/** Asserts a call by `as` (who may otherwise make it) is refused with this status and code, and that the store did not change. */
async function expectRefused(as: Actor, method: string, route: string, body: unknown, status: number, code: string, headers?: Record<string, string>): Promise<void> {
  const before = await ledger.lastPosition();
  const res = await ledger.as(as)(method, route, body, headers);
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(typeof res.body.message).toBe('string');
  expect(await ledger.lastPosition()).toBe(before);
}

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  admin = ledger.admin;
  oracles = [];
  for (const name of ['oracle-a', 'oracle-b', 'oracle-c']) oracles.push({ name, ...generateOracleKey(), actor: await ledger.principal(name, 'oracle', [FEED, STALE_FEED]) });
  for (const name of ['alice', 'bob', 'carol', 'dan', 'erin', 'frank', 'rm-a', 'rm-b', 'rm-c']) borrowers[name] = await ledger.principal(name, 'borrower');
  reader = await ledger.principal('front-end', 'integrator');
  expect((await ledger.as(admin)('POST', '/feeds', { commandId: id('feed'), feed: FEED, quorum: 2, heartbeatSeconds: 3600, deviationLimitBps: 2000, maxFutureSkewSeconds: 30 })).status).toBe(201);
  for (const o of oracles) {
    expect((await ledger.as(admin)('POST', `/feeds/${FEED}/oracles`, { commandId: id('key'), oracle: o.name, publicKey: o.publicKey })).status).toBe(201);
  }
});

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

describe('oracle prices', () => {
  it('sets the price to the median of a quorum of signed reports', async () => {
    await publishPrice(['2000', '2010']);
    const feed = await ledger.as(reader)('GET', `/feeds/${FEED}`);
    expect(feed.body).toMatchObject({ price: '2000', round: round.toString(), priceStatus: 'fresh', liquidationsPaused: false });
  });

  it('refuses bad signatures, unknown oracles, stale, future and replayed reports, appending nothing', async () => {
    const next = round + 1n;
    const good = signReport(oracles[0].privateKey, FEED, next, '2001', now());
    const route = `/feeds/${FEED}/reports`;
    // Oracle b sends a report a signed: its signature does not verify under b's key.
    await expectRefused(oracles[1].actor, 'POST', route, { commandId: id('r'), oracle: oracles[1].name, ...good }, 422, 'BAD_SIGNATURE');
    await expectRefused(oracles[0].actor, 'POST', route, { commandId: id('r'), oracle: oracles[0].name, ...good, price: '2002' }, 422, 'BAD_SIGNATURE');
    // An oracle principal of the feed whose signing key was never registered on it.
    const unregistered = await ledger.principal('oracle-x', 'oracle', [FEED]);
    await expectRefused(unregistered, 'POST', route, { commandId: id('r'), oracle: 'oracle-x', ...good }, 422, 'UNKNOWN_ORACLE');
    const stale = signReport(oracles[0].privateKey, FEED, next, '2001', now() - 7200n);
    await expectRefused(oracles[0].actor, 'POST', route, { commandId: id('r'), oracle: oracles[0].name, ...stale }, 422, 'STALE_REPORT');
    const future = signReport(oracles[0].privateKey, FEED, next, '2001', now() + 600n);
    await expectRefused(oracles[0].actor, 'POST', route, { commandId: id('r'), oracle: oracles[0].name, ...future }, 422, 'FUTURE_REPORT');
    const replay = signReport(oracles[0].privateKey, FEED, round, '2000', now());
    await expectRefused(oracles[0].actor, 'POST', route, { commandId: id('r'), oracle: oracles[0].name, ...replay }, 422, 'ROUND_NOT_INCREASING');
  });

  it('pauses liquidations on a jump beyond the deviation limit until a later quorum confirms it', async () => {
    await publishPrice(['1500', '1510']); // -25%: beyond the 20% limit
    expect((await ledger.as(reader)('GET', `/feeds/${FEED}`)).body).toMatchObject({ price: '1500', liquidationsPaused: true });
    await publishPrice(['1520', '1530']); // within the limit of the new price: confirmed
    expect((await ledger.as(reader)('GET', `/feeds/${FEED}`)).body).toMatchObject({ price: '1520', liquidationsPaused: false });
    await publishPrice(['2000', '2000']);
    expect((await ledger.as(reader)('GET', `/feeds/${FEED}`)).body.liquidationsPaused).toBe(true);
    await publishPrice(['2000', '2000']);
    expect((await ledger.as(reader)('GET', `/feeds/${FEED}`)).body).toMatchObject({ price: '2000', liquidationsPaused: false });
  });
});

describe('a borrower life cycle', () => {
  beforeAll(async () => {
    const res = await ledger.as(admin)('POST', '/pools', {
      commandId: id('pool'),
      poolId: POOL,
      collateral: { symbol: 'WETH', decimals: 18 },
      debt: { symbol: 'USDC', decimals: 6 },
      feed: FEED,
      parameters: POOL_PARAMETERS,
    });
    expect(res.status).toBe(201);
    poolCreatedAt = now();
  });
  let poolCreatedAt: bigint;

  it('opens, deposits, draws up to max LTV, repays, withdraws and closes', async () => {
    const alice = ledger.as(borrowers.alice);
    const open = await alice('POST', '/positions', { commandId: id('open'), positionId: 'alice-1', poolId: POOL, owner: 'alice' });
    expect(open.status).toBe(201);
    expect(open.body).toMatchObject({ positionId: 'alice-1', owner: 'alice', collateral: '0', debt: '0', status: 'open' });

    const deposit = await alice('POST', '/positions/alice-1/collateral/deposit', { commandId: id('dep'), amount: '2' });
    expect(deposit.body).toMatchObject({ collateral: '2', events: ['CollateralDeposited'] });
    expect(deposit.body.commitment).not.toBe(open.body.commitment);

    // 2 WETH at 2000 = 4000 USDC of collateral; max LTV 75% allows 3000. Drawing 2999 stays below it
    // however much interest accrues while the test runs; 2 more would not.
    const draw = await alice('POST', '/positions/alice-1/debt/draw', { commandId: id('draw'), amount: '2999' });
    expect(draw.status).toBe(201);
    expect(BigInt(draw.body.debt.replace('.', '').padEnd(10, '0'))).toBeGreaterThanOrEqual(2999_000000n);
    // HF = 4000 × 82.5% / 2999 ≈ 1.10037, less a hair of interest.
    expect(Number(draw.body.healthFactor)).toBeLessThanOrEqual(3300 / 2999);
    expect(Number(draw.body.healthFactor)).toBeCloseTo(3300 / 2999, 5);
    await expectRefused(borrowers.alice, 'POST', '/positions/alice-1/debt/draw', { commandId: id('draw'), amount: '2' }, 422, 'LTV_EXCEEDED');
    await expectRefused(borrowers.alice, 'POST', '/positions/alice-1/collateral/withdraw', { commandId: id('wd'), amount: '0.01' }, 422, 'LTV_EXCEEDED');

    const repay = await alice('POST', '/positions/alice-1/debt/repay', { commandId: id('repay'), amount: '1000' });
    expect(repay.status).toBe(201);
    const withdraw = await alice('POST', '/positions/alice-1/collateral/withdraw', { commandId: id('wd'), amount: '0.5' });
    expect(withdraw.body).toMatchObject({ collateral: '1.5' });

    await expectRefused(borrowers.alice, 'POST', '/positions/alice-1/close', { commandId: id('close') }, 422, 'DEBT_OUTSTANDING');
    await expectRefused(borrowers.alice, 'POST', '/positions/alice-1/debt/repay', { commandId: id('repay'), amount: '1998.99' }, 422, 'BELOW_DUST');
    await expectRefused(borrowers.alice, 'POST', '/positions/alice-1/debt/repay', { commandId: id('repay'), amount: '5000' }, 422, 'REPAY_EXCEEDS_DEBT');
    const all = await alice('POST', '/positions/alice-1/debt/repay-all', { commandId: id('repay') });
    expect(all.body).toMatchObject({ debt: '0' });
    const closed = await alice('POST', '/positions/alice-1/close', { commandId: id('close') });
    expect(closed.body).toMatchObject({ status: 'closed', collateral: '0', events: ['PositionClosed'] });
    await expectRefused(borrowers.alice, 'POST', '/positions/alice-1/collateral/deposit', { commandId: id('dep'), amount: '1' }, 422, 'POSITION_CLOSED');
  });

  it("refuses a draw of exactly the max LTV, saying why and naming the most that would pass", async () => {
    const frank = ledger.as(borrowers.frank);
    expect((await frank('POST', '/positions', { commandId: id('open'), positionId: 'frank-1', poolId: POOL })).status).toBe(201);
    expect((await frank('POST', '/positions/frank-1/collateral/deposit', { commandId: id('dep'), amount: '2' })).status).toBe(201);
    // The pool's borrow index grows from its first second on.
    while (now() <= poolCreatedAt) await new Promise((resolve) => setTimeout(resolve, 100));
    // 2 WETH at 2000, max LTV 75%: 3000 USDC is exactly the limit.
    const before = await ledger.lastPosition();
    const refused = await frank('POST', '/positions/frank-1/debt/draw', { commandId: id('draw'), amount: '3000' });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 422, code: 'LTV_EXCEEDED' });
    expect(await ledger.lastPosition()).toBe(before);
    const most: string = refused.body.details.maxDraw;
    expect(refused.body.message).toContain(`the most it can draw now is ${most} USDC`);
    expect(refused.body.message).toContain('rounded up');
    expect(parseDecimal(most, 6)).toBeLessThan(3000_000000n);
    expect(parseDecimal(most, 6)).toBeGreaterThan(2999_990000n);
    // The index grows by the second, and the most with it: a hair under the amount named passes a moment later.
    const draw = await frank('POST', '/positions/frank-1/debt/draw', { commandId: id('draw'), amount: formatDecimal(parseDecimal(most, 6) - 100n, 6) });
    expect(draw.status).toBe(201);
  });

  it('answers a retried command as before and appends nothing twice', async () => {
    const bob = ledger.as(borrowers.bob);
    expect((await bob('POST', '/positions', { commandId: id('open'), positionId: 'bob-1', poolId: POOL })).status).toBe(201);
    const body = { commandId: 'bob-deposit-once', amount: '1.25' };
    const first = await bob('POST', '/positions/bob-1/collateral/deposit', body);
    const before = await ledger.lastPosition();
    const retry = await bob('POST', '/positions/bob-1/collateral/deposit', body);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ duplicate: true, revision: first.body.revision, collateral: '1.25', events: [] });
    expect(await ledger.lastPosition()).toBe(before);
  });

  it('keeps concurrent commands on one position safe: every deposit lands once', async () => {
    const carol = ledger.as(borrowers.carol);
    expect((await carol('POST', '/positions', { commandId: id('open'), positionId: 'carol-1', poolId: POOL })).status).toBe(201);
    const results = await Promise.all(Array.from({ length: 8 }, () => carol('POST', '/positions/carol-1/collateral/deposit', { commandId: id('dep'), amount: '0.1' })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect((await carol('GET', '/positions/carol-1')).body.collateral).toBe('0.8');
  });

  it('refuses what it cannot understand with 400 and a code, before anything else', async () => {
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', '{"commandId": "x", "amount": ', 400, 'MALFORMED_JSON');
    // A request is a JSON object: a bare string, a number or nothing at all is not one.
    for (const notAnObject of ['"deposit"', '1', ''])
      await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', notAnObject, 400, 'MALFORMED_JSON', { 'content-type': 'application/json' });
    // Only JSON is read: a body of another type is refused, not parsed as something else.
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', 'commandId=x&amount=1', 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'application/x-www-form-urlencoded' });
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', JSON.stringify({ commandId: id('d'), amount: '1' }), 415, 'UNSUPPORTED_MEDIA_TYPE', { 'content-type': 'text/plain' });
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { commandId: id('d'), amount: '1', note: 'x'.repeat(100_000) }, 413, 'PAYLOAD_TOO_LARGE');
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { commandId: id('d'), amount: 1.5 }, 400, 'VALIDATION_FAILED');
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { commandId: id('d'), amount: '-1' }, 400, 'VALIDATION_FAILED');
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { commandId: id('d'), amount: '1', extra: true }, 400, 'VALIDATION_FAILED');
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { amount: '1' }, 400, 'VALIDATION_FAILED');
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { commandId: id('d'), amount: '1.0000000000000000001' }, 422, 'TOO_MANY_DECIMALS');
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { commandId: id('d'), amount: '0' }, 422, 'AMOUNT_NOT_POSITIVE');
    await expectRefused(borrowers.bob, 'POST', '/positions/bob-1/collateral/deposit', { commandId: id('d'), amount: '1'.repeat(40) }, 422, 'AMOUNT_TOO_LARGE');
    await expectRefused(borrowers.bob, 'POST', '/positions/nobody/collateral/deposit', { commandId: id('d'), amount: '1' }, 404, 'POSITION_NOT_FOUND');
    await expectRefused(borrowers.bob, 'POST', '/positions', { commandId: id('o'), positionId: 'bob-1', poolId: POOL, owner: 'bob' }, 422, 'POSITION_EXISTS');
    await expectRefused(borrowers.dan, 'POST', '/positions', { commandId: id('o'), positionId: 'dan-1', poolId: 'no-pool', owner: 'dan' }, 404, 'POOL_NOT_FOUND');
    await expectRefused(admin, 'PATCH', `/pools/${POOL}/parameters`, { commandId: id('p'), parameters: { maxLtvBps: 9000 } }, 422, 'INVALID_PARAMETERS');
    await expectRefused(admin, 'POST', '/pools', { commandId: id('p'), poolId: POOL, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: FEED, parameters: POOL_PARAMETERS }, 422, 'POOL_EXISTS');
  });

  it('refuses anything on a stale price', async () => {
    const feed = STALE_FEED;
    expect((await ledger.as(admin)('POST', '/feeds', { commandId: id('feed'), feed, quorum: 1, heartbeatSeconds: 1, deviationLimitBps: 2000, maxFutureSkewSeconds: 5 })).status).toBe(201);
    expect((await ledger.as(admin)('POST', `/feeds/${feed}/oracles`, { commandId: id('key'), oracle: oracles[0].name, publicKey: oracles[0].publicKey })).status).toBe(201);
    const report = signReport(oracles[0].privateKey, feed, 1n, '100', now());
    expect((await ledger.as(oracles[0].actor)('POST', `/feeds/${feed}/reports`, { commandId: id('r'), oracle: oracles[0].name, ...report })).status).toBe(201);
    expect((await ledger.as(admin)('POST', '/pools', { commandId: id('pool'), poolId: 'stale-pool', collateral: { symbol: 'S', decimals: 8 }, debt: { symbol: 'USDC', decimals: 6 }, feed, parameters: POOL_PARAMETERS })).status).toBe(201);
    expect((await ledger.as(borrowers.erin)('POST', '/positions', { commandId: id('o'), positionId: 'erin-1', poolId: 'stale-pool' })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 2200));
    await expectRefused(borrowers.erin, 'POST', '/positions/erin-1/collateral/deposit', { commandId: id('d'), amount: '1' }, 422, 'STALE_PRICE');
    expect((await ledger.as(reader)('GET', `/feeds/${feed}`)).body.priceStatus).toBe('stale');
  });

  it('keeps the pool-state read model: totals, positions by health band, price', async () => {
    const pool = 'read-model-pool';
    await ledger.as(admin)('POST', '/pools', { commandId: id('pool'), poolId: pool, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: FEED, parameters: POOL_PARAMETERS });
    // At 2000: 1 WETH owing 1400 has HF 1.18 (watch), 2 WETH owing 1000 HF 3.3 (safe), 0.5 WETH no debt.
    const plan: [string, string, string | undefined][] = [
      ['rm-a', '1', '1400'],
      ['rm-b', '2', '1000'],
      ['rm-c', '0.5', undefined],
    ];
    let last = '0';
    for (const [positionId, collateral, debt] of plan) {
      const owner = ledger.as(borrowers[positionId]);
      await owner('POST', '/positions', { commandId: id('open'), positionId, poolId: pool });
      last = (await owner('POST', `/positions/${positionId}/collateral/deposit`, { commandId: id('dep'), amount: collateral })).body.position;
      if (debt) last = (await owner('POST', `/positions/${positionId}/debt/draw`, { commandId: id('draw'), amount: debt })).body.position;
    }
    // The admin sees the pool's totals.
    const state = await ledger.as(admin)('GET', `/pools/${pool}?minPosition=${last}`);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ poolId: pool, price: '2000', totalCollateral: '3.5', openPositions: 3, liquidationsPaused: false });
    expect(state.body.healthBands).toEqual({ liquidatable: 0, atRisk: 0, watch: 1, safe: 1, noDebt: 1 });
    expect(Number(state.body.totalDebt)).toBeGreaterThanOrEqual(2400);
    expect(Number(state.body.totalDebt)).toBeLessThan(2400.01);
    expect(state.body.utilization).toMatch(/^0\.457/); // 2400 / (3.5 × 2000 × 0.75)
    await expectRefused(admin, 'GET', '/pools/no-pool', undefined, 404, 'POOL_NOT_FOUND');
    // The price falls: the same positions move between bands without any position event.
    await publishPrice(['1650', '1700']);
    const after = await ledger.as(admin)('GET', `/pools/${pool}?minPosition=${await ledger.lastPosition()}`);
    expect(after.body.healthBands).toEqual({ liquidatable: 1, atRisk: 0, watch: 0, safe: 1, noDebt: 1 });
  });
});

describe('operations', () => {
  it('serves OpenAPI, health, readiness and Prometheus metrics', async () => {
    const openApi = await ledger.api('GET', '/docs/openapi.json');
    expect(Object.keys(openApi.body.paths)).toEqual(expect.arrayContaining(['/pools', '/positions', '/positions/{positionId}/debt/draw', '/feeds/{feed}/reports']));
    expect((await ledger.api('GET', '/health/live')).status).toBe(200);
    const ready = await ledger.api('GET', '/health/ready');
    expect(ready.body.status).toBe('ready');
    const metrics = await ledger.as(admin)('GET', '/metrics');
    expect(metrics.text).toMatch(/ledger_commands_total\{command="DrawDebt",outcome="accepted"\} \d+/);
    expect(metrics.text).toMatch(/ledger_commands_total\{command="DrawDebt",outcome="LTV_EXCEEDED"\} 2/);
    expect(metrics.text).toMatch(/ledger_projection_events_applied\{projection="pool-state"\} [1-9]/);
  });

  it('holds one subscription to its store, the live feed, whatever its consumers', async () => {
    // Every consumer started at boot is running by now: snapshots, projections, the public projector,
    // detection, checkpoints, the deletion watch, the access directory and the risk engine.
    expect((await ledger.api('GET', '/health/ready')).body.storeSubscriptions).toBe(1);
    expect((await ledger.as(admin)('GET', '/metrics')).text).toMatch(/^ledger_store_subscriptions 1$/m);
  });

  it('answers an unknown route with 404 and a code', async () => {
    const res = await ledger.api('GET', '/nowhere');
    expect(res).toMatchObject({ status: 404, body: { code: 'ROUTE_NOT_FOUND' } });
  });
});
