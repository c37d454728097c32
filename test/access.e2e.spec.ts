/**
 * Access control end to end: the development admin key, principals and their keys as admin commands,
 * and the refusals a caller meets (401 without a valid key, 403 outside its role or scope), none of
 * which appends anything.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { generateApiKey } from '../src/access/api-keys';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { AccessEvent, accessEventCodec } from '../src/domain/access/access-registry';
import { chainedEvents } from '../src/eventstore/command-handling';
import { GENESIS_HASH } from '../src/eventstore/event-codec';
import { LedgerSigning } from '../src/eventstore/ledger-signing';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, Market, POOL } from './support/scenario';

let ledger: RunningLedger;
let market: Market;
let alice: Actor;
let bob: Actor;

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  alice = await ledger.principal('alice', 'borrower');
  bob = await ledger.principal('bob', 'borrower');
  await market.borrow('alice-1', '2', '1000', POOL, alice);
});

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

/** Asserts the call is refused with this status and code, and that the store did not change. */
async function expectRefused(as: Actor | undefined, method: string, route: string, body: unknown, status: number, code: string): Promise<void> {
  const before = await ledger.lastPosition();
  const res = await (as ? ledger.as(as) : ledger.api)(method, route, body);
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(await ledger.lastPosition()).toBe(before);
}

describe('authentication', () => {
  it('knows the development admin by the key the ledger issued at its first start', async () => {
    const me = await ledger.as(ledger.admin)('GET', '/principals/me');
    expect(me.body).toEqual({ id: 'admin', role: 'admin', feeds: [] });
  });

  it('answers 401 with a code and a WWW-Authenticate challenge to a call without a key or with a bad one', async () => {
    const body = { commandId: 'x-1', amount: '1' };
    await expectRefused(undefined, 'POST', '/positions/alice-1/debt/draw', body, 401, 'AUTHENTICATION_REQUIRED');
    const forged = `${alice.apiKey.slice(0, -4)}AAAA`;
    await expectRefused({ id: 'alice', apiKey: forged }, 'POST', '/positions/alice-1/debt/draw', body, 401, 'INVALID_API_KEY');
    await expectRefused({ id: 'x', apiKey: 'not-a-key' }, 'GET', '/positions/alice-1', undefined, 401, 'INVALID_API_KEY');
    const res = await ledger.api('GET', '/positions/alice-1');
    expect(res.status).toBe(401);
    expect((await fetch(`${ledger.url}/positions/alice-1`)).headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('takes the key as a bearer token or as X-API-Key', async () => {
    const res = await ledger.api('GET', '/principals/me', undefined, { 'x-api-key': alice.apiKey });
    expect(res.body).toMatchObject({ id: 'alice', role: 'borrower' });
  });

  it('lets anyone read health and the dashboard without a key, and nothing else', async () => {
    expect((await ledger.api('GET', '/health/live')).status).toBe(200);
    expect((await ledger.api('GET', `/dashboard?pool=${POOL}`)).status).toBe(200);
    expect((await ledger.api('GET', '/principals/me')).status).toBe(401);
  });
});

describe('the development admin key', () => {
  it('is generated and printed once, at the first start of a fresh ledger, and never again', async () => {
    const first = await printedWhile(() => startLedger(undefined, { ADMIN_KEY_FILE: '' }));
    const dataDir = first.result.dataDir;
    try {
      const printed = first.printed.match(/lk_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}/g) ?? [];
      expect(printed).toHaveLength(1);
      const key = printed[0] as string;
      expect((await first.result.as(key)('GET', '/principals/me')).body).toMatchObject({ id: 'admin', role: 'admin' });
      await first.result.stop();
      const again = await printedWhile(() => startLedger(dataDir, { ADMIN_KEY_FILE: '' }));
      expect(again.printed).not.toMatch(/lk_/);
      expect((await again.result.as(key)('GET', '/principals/me')).status).toBe(200);
      await again.result.stop();
    } finally {
      await removeDataDir(dataDir);
    }
  });

  it('is not made with DEV_ADMIN_KEY=off: the fresh ledger records no principal at all', async () => {
    const started = await printedWhile(() => startLedger(undefined, { ADMIN_KEY_FILE: '', DEV_ADMIN_KEY: 'off' }));
    try {
      expect(started.printed).not.toMatch(/lk_/);
      expect(await started.result.lastPosition()).toBe(-1n);
    } finally {
      await started.result.stop();
      await removeDataDir(started.result.dataDir);
    }
  });
});

describe('keys as admin commands', () => {
  it('issues, rotates and revokes keys, each recorded as an event, and stores only their hashes', async () => {
    const carol = await ledger.principal('carol', 'integrator');
    expect((await ledger.as(carol)('GET', '/principals/me')).body.id).toBe('carol');

    const rotated = await ledger.as(ledger.admin)('POST', `/keys/${keyIdOf(carol)}/rotate`, { commandId: 'rotate-carol' });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ principalId: 'carol', events: ['ApiKeyRotated'] });
    const carol2: Actor = { id: 'carol', apiKey: rotated.body.apiKey };
    expect((await ledger.as(carol)('GET', '/principals/me')).body.code).toBe('API_KEY_REVOKED');
    expect((await ledger.as(carol2)('GET', '/principals/me')).body.id).toBe('carol');

    // A retried rotation appends nothing and shows no key again.
    const again = await ledger.as(ledger.admin)('POST', `/keys/${keyIdOf(carol)}/rotate`, { commandId: 'rotate-carol' });
    expect(again.body).toMatchObject({ duplicate: true, events: [] });
    expect(again.body.apiKey).toBeUndefined();

    const revoked = await ledger.as(ledger.admin)('POST', `/keys/${keyIdOf(carol2)}/revoke`, { commandId: 'revoke-carol' });
    expect(revoked.body).toMatchObject({ principalId: 'carol', events: ['ApiKeyRevoked'] });
    expect((await ledger.as(carol2)('GET', '/principals/me')).status).toBe(401);

    // The registry holds the key ids and hashes, never a secret.
    const listed = await ledger.as(ledger.admin)('GET', '/principals');
    expect(listed.body.find((p: { id: string }) => p.id === 'carol').keys).toEqual([
      { keyId: keyIdOf(carol), status: 'revoked' },
      { keyId: keyIdOf(carol2), status: 'revoked' },
    ]);
    expect(listed.text).not.toContain(secretOf(carol2));
  });

  it('refuses key administration to every other role, appending nothing', async () => {
    await expectRefused(alice, 'POST', '/principals', { commandId: 'p-evil', principalId: 'evil', role: 'admin' }, 403, 'ROLE_NOT_ALLOWED');
    await expectRefused(alice, 'POST', `/keys/${keyIdOf(bob)}/revoke`, { commandId: 'r-evil' }, 403, 'ROLE_NOT_ALLOWED');
  });

  it('refuses an unknown role and a second principal of the same id', async () => {
    await expectRefused(ledger.admin, 'POST', '/principals', { commandId: 'p-x', principalId: 'x', role: 'root' }, 400, 'VALIDATION_FAILED');
    await expectRefused(ledger.admin, 'POST', '/principals', { commandId: 'p-alice', principalId: 'alice', role: 'admin' }, 422, 'PRINCIPAL_EXISTS');
    await expectRefused(ledger.admin, 'POST', '/principals', { commandId: 'p-y', principalId: 'y', role: 'borrower', feeds: [FEED] }, 422, 'FEEDS_ONLY_FOR_ORACLES');
  });
});

describe('authorization', () => {
  it('lets a borrower act on its own position and refuses it every other one', async () => {
    const draw = await ledger.as(alice)('POST', '/positions/alice-1/debt/draw', { commandId: 'alice-draw', amount: '10' });
    expect(draw.status).toBe(201);
    await expectRefused(bob, 'POST', '/positions/alice-1/debt/draw', { commandId: 'bob-draw', amount: '10' }, 403, 'NOT_POSITION_OWNER');
    await expectRefused(bob, 'POST', '/positions/alice-1/collateral/withdraw', { commandId: 'bob-withdraw', amount: '1' }, 403, 'NOT_POSITION_OWNER');
    await expectRefused(bob, 'GET', '/positions/alice-1', undefined, 403, 'NOT_POSITION_OWNER');
    await expectRefused(bob, 'GET', '/positions/alice-1/opening', undefined, 403, 'NOT_POSITION_OWNER');
  });

  it('opens a position for the calling borrower, and refuses to open one for somebody else', async () => {
    const opened = await ledger.as(bob)('POST', '/positions', { commandId: 'bob-open', positionId: 'bob-1', poolId: POOL });
    expect(opened.status).toBe(201);
    expect((await ledger.as(bob)('GET', '/positions/bob-1')).body.owner).toBe('bob');
    await expectRefused(bob, 'POST', '/positions', { commandId: 'bob-open-2', positionId: 'bob-2', poolId: POOL, owner: 'alice' }, 403, 'NOT_POSITION_OWNER');
  });

  it('lets only admins change pools, and only an oracle of the feed, naming itself, report for it', async () => {
    await expectRefused(alice, 'POST', `/pools/${POOL}/liquidations/pause`, { commandId: 'alice-pause' }, 403, 'ROLE_NOT_ALLOWED');
    const stranger = await ledger.principal('oracle-z', 'oracle', ['BTC-USD']);
    const report = { commandId: 'z-1', oracle: 'oracle-z', round: '99', price: '1', timestamp: '1', publicKey: { x: '1', y: '1' }, signature: { r8x: '1', r8y: '1', s: '1' } };
    await expectRefused(stranger, 'POST', `/feeds/${FEED}/reports`, report, 403, 'NOT_FEED_ORACLE');
    await expectRefused(market.oracles.a.actor, 'POST', `/feeds/${FEED}/reports`, { ...report, oracle: 'oracle-b' }, 403, 'NOT_FEED_ORACLE');
  });

  it('shows a pool its totals to admins and auditors only', async () => {
    const auditor = await ledger.principal('auditor-1', 'auditor');
    const forAuditor = await ledger.as(auditor)('GET', `/pools/${POOL}`);
    expect(forAuditor.body.totalDebt).toBeDefined();
    const forBorrower = await ledger.as(bob)('GET', `/pools/${POOL}`);
    expect(forBorrower.status).toBe(200);
    expect(forBorrower.body).not.toHaveProperty('totalDebt');
    expect(forBorrower.body).not.toHaveProperty('totalCollateral');
    expect(forBorrower.body.price).toBe('2000');
  });

  it('lets an auditor read amounts but change nothing', async () => {
    const auditor = await ledger.principal('auditor-2', 'auditor');
    expect((await ledger.as(auditor)('GET', '/positions/alice-1')).body.collateral).toBe('2');
    await expectRefused(auditor, 'POST', '/positions/alice-1/debt/repay-all', { commandId: 'auditor-repay' }, 403, 'ROLE_NOT_ALLOWED');
  });
});

describe('principals on streams of their own', () => {
  it('registers fifty principals at once, every one 201, and each one\'s key authenticates it', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `crowd-${i}`);
    const answers = await Promise.all(
      ids.map((id) => ledger.as(ledger.admin)<{ apiKey: string; principalId: string }>('POST', '/principals', { commandId: `register-${id}`, principalId: id, role: 'borrower' })),
    );
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 201));
    const whoami = await Promise.all(answers.map((a) => ledger.as(a.body.apiKey)<{ id: string }>('GET', '/principals/me')));
    expect(whoami.map((w) => [w.status, w.body.id])).toEqual(ids.map((id) => [200, id]));
    // Each is its own aggregate: its registration and first key, on its own stream.
    const stream = [];
    for await (const { event } of ledger.app.get(EventStoreDBClient).readStream('principal-crowd-7')) stream.push(event?.type);
    expect(stream).toEqual(['PrincipalRegistered', 'ApiKeyIssued']);
  });

  it('refuses to revoke or rotate a key nobody holds, appending nothing', async () => {
    await expectRefused(ledger.admin, 'POST', '/keys/0123456789abcdef/revoke', { commandId: 'revoke-nobody' }, 404, 'API_KEY_NOT_FOUND');
    await expectRefused(ledger.admin, 'POST', '/keys/0123456789abcdef/rotate', { commandId: 'rotate-nobody' }, 404, 'API_KEY_NOT_FOUND');
  });

  it('starts on a data directory of a ledger from before, with every principal on the one access-registry stream, and keeps its keys', async () => {
    const old = await startLedger();
    const dataDir = old.dataDir;
    let restarted: RunningLedger | undefined;
    try {
      // What a ledger of before wrote: the registry's events, on its single stream, chained and signed with its key.
      const legacyAdmin = generateApiKey();
      const legacyOracle = generateApiKey();
      const at = 1767225600n;
      const legacy: AccessEvent[][] = [
        [
          { type: 'PrincipalRegistered', principalId: 'root', role: 'admin', feeds: [], at },
          { type: 'ApiKeyIssued', principalId: 'root', keyId: legacyAdmin.keyId, secretHash: legacyAdmin.secretHash, at },
        ],
        [
          { type: 'PrincipalRegistered', principalId: 'feeder', role: 'oracle', feeds: [FEED], at },
          { type: 'ApiKeyIssued', principalId: 'feeder', keyId: legacyOracle.keyId, secretHash: legacyOracle.secretHash, at },
        ],
      ];
      let link = { revision: -1n, lastHash: GENESIS_HASH };
      for (const [i, events] of legacy.entries()) {
        const { toAppend, lastHash } = await old.app
          .get(LedgerSigning)
          .signing(async (sign) => chainedEvents('access-registry', link, events, accessEventCodec, { commandId: `legacy-${i}`, at: new Date(Number(at) * 1000) }, sign));
        await old.app.get(EventStoreDBClient).appendToStream('access-registry', toAppend, { expectedRevision: link.revision < 0n ? 'no_stream' : link.revision });
        link = { revision: link.revision + BigInt(events.length), lastHash };
      }
      await old.stop();
      restarted = await startLedger(dataDir);
      const root = restarted.as(legacyAdmin.apiKey);
      expect((await root('GET', '/principals/me')).body).toEqual({ id: 'root', role: 'admin', feeds: [] });
      expect((await restarted.as(legacyOracle.apiKey)('GET', '/principals/me')).body).toEqual({ id: 'feeder', role: 'oracle', feeds: [FEED] });
      // Its principals go on, on streams of their own: not registered twice, re-keyed, revoked.
      expect((await root('POST', '/principals', { commandId: 'again', principalId: 'feeder', role: 'borrower' })).body.code).toBe('PRINCIPAL_EXISTS');
      const rotated = await root<{ apiKey: string }>('POST', `/keys/${legacyOracle.keyId}/rotate`, { commandId: 'rotate-feeder' });
      expect(rotated.status).toBe(201);
      expect((await restarted.as(legacyOracle.apiKey)('GET', '/principals/me')).body.code).toBe('API_KEY_REVOKED');
      expect((await restarted.as(rotated.body.apiKey)('GET', '/principals/me')).body.id).toBe('feeder');
      const listed = await root<{ id: string; keys: unknown[] }[]>('GET', '/principals');
      expect(listed.body.find((p) => p.id === 'feeder')?.keys).toEqual([
        { keyId: legacyOracle.keyId, status: 'revoked' },
        { keyId: rotated.body.apiKey.slice(3, 19), status: 'active' },
      ]);
      // Still so after another restart: the legacy stream first, then the principal's own.
      await restarted.stop();
      restarted = await startLedger(dataDir);
      expect((await restarted.as(legacyOracle.apiKey)('GET', '/principals/me')).body.code).toBe('API_KEY_REVOKED');
      expect((await restarted.as(rotated.body.apiKey)('GET', '/principals/me')).body.id).toBe('feeder');
    } finally {
      await restarted?.stop();
      await removeDataDir(dataDir);
    }
  }, 120_000);
});

describe('rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a principal passes its command limit, appending nothing for it', async () => {
    // The same ledger restarted with a small limit (the market above was set up under the default one).
    await ledger.stop();
    ledger = await startLedger(ledger.dataDir, { COMMAND_RATE_LIMIT: '3', PROOF_RATE_LIMIT: '2' });
    const dave = await ledger.principal('dave', 'borrower');
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await ledger.as(dave)('POST', '/positions', { commandId: `dave-open-${i}`, positionId: `dave-${i}`, poolId: POOL }));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].body.code).toBe('RATE_LIMITED');
    const res = await fetch(`${ledger.url}/positions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dave.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ commandId: 'dave-open-x', positionId: 'dave-x', poolId: POOL }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // What was refused left no position behind; what was let through opened one.
    expect(answers.filter((a) => a.status === 201).length).toBeLessThanOrEqual(3);
    for (let i = 0; i < 6; i++) {
      expect([201, 429]).toContain(answers[i].status);
      const state = await ledger.as(dave)('GET', `/positions/dave-${i}`);
      expect(state.status).toBe(answers[i].status === 201 ? 200 : 404);
    }
    // Another principal has a budget of its own.
    const erin = await ledger.principal('erin', 'borrower');
    expect((await ledger.as(erin)('POST', '/positions', { commandId: 'erin-open', positionId: 'erin-1', poolId: POOL })).status).toBe(201);
  });

  it('sheds proof submissions past the proof limit, however cheap they would be to refuse, and counts them apart from commands', async () => {
    const mallory = await ledger.principal('mallory', 'liquidator');
    const proof = (i: number) => ({ commandId: `m-${i}`, liquidator: 'mallory', proof: {}, publicSignals: ['1'] });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await ledger.as(mallory)('POST', '/positions/alice-1/liquidation-proofs', proof(i))).status);
    // Two per minute: the first two reach validation (400), the rest are shed before it.
    expect(statuses).toEqual([400, 400, 429, 429]);
    // Her command budget is untouched.
    expect((await ledger.as(mallory)('POST', `/pools/${POOL}/accrue`, { commandId: 'mallory-accrue' })).status).toBe(201);
    const metrics = await ledger.as(ledger.admin)('GET', '/metrics');
    expect(metrics.text).toMatch(/ledger_access_refusals_total\{code="RATE_LIMITED"\} [1-9]/);
  });
});

function keyIdOf(actor: Actor): string {
  return actor.apiKey.slice(3, 19);
}

function secretOf(actor: Actor): string {
  return actor.apiKey.slice(20);
}

/** What `start` wrote to standard output. */
async function printedWhile<T>(start: () => Promise<T>): Promise<{ result: T; printed: string }> {
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed += chunk.toString();
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return { result: await start(), printed };
  } finally {
    process.stdout.write = write;
  }
}
