/**
 * Inputs that could be bent: numbers the circuit's field would wrap, and values past what the ledger
 * stores. Each is sent over HTTP as the caller who may make the call, and each is refused with a 4xx
 * and a code, appending nothing.
 */
import fc from 'fast-check';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { signReport } from '../src/oracle/report-signing';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, Market, POOL } from './support/scenario';
import { EventStoreDBClient } from '@eventstore/db-client';

/** The BN254 scalar order, written out here as the issue reporter gave it, so the test does not trust the code it checks. */
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

let ledger: RunningLedger;
let market: Market;
const now = () => BigInt(Math.floor(Date.now() / 1000));

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
});

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

async function expectRefused(as: Actor, method: string, route: string, body: unknown, status: number, code: string): Promise<void> {
  const before = await ledger.lastPosition();
  const res = await ledger.as(as)(method, route, body);
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(await ledger.lastPosition()).toBe(before);
}

describe('field-valued inputs', () => {
  it('refuses a signed report resent with its round plus the field order, and the feed keeps pricing', async () => {
    const a = market.oracles.a;
    const signed = signReport(a.privateKey, FEED, 2n, '2010', now());
    expect((await ledger.as(a.actor!)('POST', `/feeds/${FEED}/reports`, { commandId: market.id('r'), oracle: a.name, ...signed })).status).toBe(201);
    // Whoever holds the oracle's API key replays the same signature for round 2 + r.
    const bent = { ...signed, round: (2n + R).toString() };
    await expectRefused(a.actor!, 'POST', `/feeds/${FEED}/reports`, { commandId: market.id('r'), oracle: a.name, ...bent }, 400, 'VALIDATION_FAILED');
    // The oracles' honest next round still sets the price.
    await market.publish(3n, '2020');
    expect((await ledger.as(market.admin)('GET', `/feeds/${FEED}`)).body).toMatchObject({ round: '3', price: '2020' });
  });

  it.each([
    ['r - 1', R - 1n],
    ['r', R],
    ['r + 1', R + 1n],
    ['2^254', 1n << 254n],
    ['2^64', 1n << 64n],
  ])('refuses a report whose round or timestamp is %s with 400, never 500', async (_, value) => {
    const a = market.oracles.a;
    const route = `/feeds/${FEED}/reports`;
    const round = signReport(a.privateKey, FEED, 4n, '2020', now());
    await expectRefused(a.actor!, 'POST', route, { commandId: market.id('r'), oracle: a.name, ...round, round: value.toString() }, 400, 'VALIDATION_FAILED');
    await expectRefused(a.actor!, 'POST', route, { commandId: market.id('r'), oracle: a.name, ...round, timestamp: value.toString() }, 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['r - 1', R - 1n],
    ['r', R],
    ['r + 1', R + 1n],
    ['2^254', 1n << 254n],
  ])('answers an oracle key or signature coordinate of %s with a 4xx, never 500', async (_, value) => {
    const a = market.oracles.a;
    const v = value.toString();
    // Below r a coordinate is a field element but no point of the curve; at or above r it is refused at the boundary.
    const fieldOrCurve = value < R ? [422, 'INVALID_PUBLIC_KEY'] : [400, 'VALIDATION_FAILED'];
    const keyRoute = `/feeds/${FEED}/oracles`;
    await expectRefused(market.admin, 'POST', keyRoute, { commandId: market.id('k'), oracle: market.id('o'), publicKey: { ...a.publicKey, x: v } }, ...(fieldOrCurve as [number, string]));
    await expectRefused(market.admin, 'POST', keyRoute, { commandId: market.id('k'), oracle: market.id('o'), publicKey: { ...a.publicKey, y: v } }, ...(fieldOrCurve as [number, string]));
    const signed = signReport(a.privateKey, FEED, 10n, '2020', now());
    for (const part of ['r8x', 'r8y', 's'] as const) {
      const body = { commandId: market.id('r'), oracle: a.name, ...signed, signature: { ...signed.signature, [part]: v } };
      if (value < R) await expectRefused(a.actor!, 'POST', `/feeds/${FEED}/reports`, body, 422, 'BAD_SIGNATURE');
      else await expectRefused(a.actor!, 'POST', `/feeds/${FEED}/reports`, body, 400, 'VALIDATION_FAILED');
    }
  });
});

describe('command ids', () => {
  it('answers the same command id with the same request as the first time, and refuses it with another request', async () => {
    const b = market.oracles.b;
    const route = `/feeds/${FEED}/reports`;
    const body = { commandId: 'round-20-b', oracle: b.name, ...signReport(b.privateKey, FEED, 20n, '1300', now()) };
    const first = await ledger.as(b.actor!)('POST', route, body);
    expect(first.status).toBe(201);
    // The same request again, its keys in another order: the first answer, nothing appended.
    const before = await ledger.lastPosition();
    const again = await ledger.as(b.actor!)('POST', route, Object.fromEntries(Object.entries(body).reverse()));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ duplicate: true, revision: first.body.revision, events: [] });
    expect(await ledger.lastPosition()).toBe(before);
    // The oracle resubmits round 20 under the same id with another price: refused, not "duplicate".
    const resigned = { commandId: 'round-20-b', oracle: b.name, ...signReport(b.privateKey, FEED, 20n, '1350', now()) };
    await expectRefused(b.actor!, 'POST', route, resigned, 422, 'COMMAND_ID_REUSED');
  });

  it('refuses a command id reused for another amount on a position', async () => {
    await market.borrow('reuse-1', '2', '100');
    const deposit = (amount: string) => ledger.as(market.borrower)('POST', '/positions/reuse-1/collateral/deposit', { commandId: 'reuse-deposit', amount });
    expect((await deposit('1')).status).toBe(201);
    expect((await deposit('1')).body).toMatchObject({ duplicate: true, collateral: '3' });
    await expectRefused(market.borrower, 'POST', '/positions/reuse-1/collateral/deposit', { commandId: 'reuse-deposit', amount: '5' }, 422, 'COMMAND_ID_REUSED');
    expect((await ledger.as(market.borrower)('GET', '/positions/reuse-1')).body.collateral).toBe('3');
  });
});

describe('inputs that used to answer 500', () => {
  it('refuses JSON nested 5,000 levels deep with 400', async () => {
    const deep = `{"commandId":"deep-1","amount":"1","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    await expectRefused(market.borrower, 'POST', '/positions/reuse-1/collateral/deposit', deep, 400, 'VALIDATION_FAILED');
    const deepObject = `{"commandId":"deep-2","amount":"1","x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    await expectRefused(market.borrower, 'POST', '/positions/reuse-1/collateral/deposit', deepObject, 400, 'VALIDATION_FAILED');
  });

  it('refuses a path id over 1,024 bytes with a 4xx and a code', async () => {
    const long = 'p'.repeat(1100);
    for (const [method, route, body] of [
      ['POST', `/positions/${long}/collateral/deposit`, { commandId: 'long-1', amount: '1' }],
      ['GET', `/positions/${long}`, undefined],
      ['GET', `/feeds/${long}`, undefined],
      ['POST', `/feeds/${long}/reports`, { commandId: 'long-2', oracle: 'oracle-a', ...signReport(market.oracles.a.privateKey, FEED, 30n, '2000', now()) }],
    ] as const) {
      const as = route.startsWith('/feeds') && method === 'POST' ? market.oracles.a.actor! : method === 'GET' && route.startsWith('/feeds') ? market.admin : market.borrower;
      const before = await ledger.lastPosition();
      const res = await ledger.as(as)(method, route, body);
      expect({ route: route.slice(0, 20), status: res.status >= 400 && res.status < 500, code: typeof res.body.code }).toEqual({ route: route.slice(0, 20), status: true, code: 'string' });
      expect(await ledger.lastPosition()).toBe(before);
    }
  });

  it('answers any call on a tombstoned stream with 410 and a code', async () => {
    await market.borrow('tombstoned-1', '1', '100');
    await ledger.app.get(EventStoreDBClient).tombstoneStream('position-tombstoned-1');
    for (const [method, route, body] of [
      ['GET', '/positions/tombstoned-1', undefined],
      ['POST', '/positions/tombstoned-1/collateral/deposit', { commandId: 'tomb-1', amount: '1' }],
      ['POST', '/positions', { commandId: 'tomb-2', positionId: 'tombstoned-1', poolId: POOL }],
    ] as const) {
      await expectRefused(market.borrower, method, route, body, 410, 'STREAM_DELETED');
    }
  });
});

describe('ownership', () => {
  it("never lets another borrower's command act on a position being opened, however they race", async () => {
    const mallory = await ledger.principal('mallory', 'borrower');
    let trial = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('close', 'collateral/deposit', 'collateral/withdraw', 'debt/draw', 'debt/repay-all'),
        fc.integer({ min: 5, max: 25 }),
        async (action, attempts) => {
          const positionId = `raced-${++trial}`;
          const body = () => ({ commandId: market.id('m'), ...(action.endsWith('all') || action === 'close' ? {} : { amount: '0.001' }) });
          const [opened, ...others] = await Promise.all([
            ledger.as(market.borrower)('POST', '/positions', { commandId: market.id('open'), positionId, poolId: POOL }),
            ...Array.from({ length: attempts }, (_, i) => new Promise((r) => setTimeout(r, i * 2)).then(() => ledger.as(mallory)('POST', `/positions/${positionId}/${action}`, body()))),
          ]);
          expect(opened.status).toBe(201);
          // Each of mallory's calls is refused: not found before the opening, not hers after it.
          expect(others.filter((res) => res.status < 400 || res.status >= 500).map((res) => `${res.status} ${res.text.slice(0, 120)}`)).toEqual([]);
          const position = await ledger.as(market.borrower)('GET', `/positions/${positionId}`);
          expect(position.body).toMatchObject({ owner: market.borrower.id, status: 'open', collateral: '0', debt: '0' });
        },
      ),
      { numRuns: 6 },
    );
  });
});
