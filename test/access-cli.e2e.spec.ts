/**
 * The admin's access CLI against a running ledger: register principals and print their keys (shown
 * once), ask whom a key belongs to, rotate and revoke keys. A refusal prints the ledger's code and
 * exits non-zero, appending nothing; a malformed argument exits 2 before any call.
 */
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';

interface Receipt {
  commandId: string;
  duplicate: boolean;
  events: string[];
  principalId?: string;
  keyId?: string;
  apiKey?: string;
}

let ledger: RunningLedger;
/** The CLI as the holder of this key, against the test's ledger. */
let as: (who: Pick<Actor, 'apiKey'> | string, ...args: string[]) => ReturnType<typeof cli>;
beforeAll(async () => {
  ledger = await startLedger();
  as = (who, ...args) => cli(...args, '--url', ledger.url, '--api-key', typeof who === 'string' ? who : who.apiKey);
});
afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

/** Runs with LEDGER_API_KEY set to this key (unset when undefined), restoring it after. */
async function withEnvKey<T>(apiKey: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env.LEDGER_API_KEY;
  if (apiKey === undefined) delete process.env.LEDGER_API_KEY;
  else process.env.LEDGER_API_KEY = apiKey;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env.LEDGER_API_KEY;
    else process.env.LEDGER_API_KEY = saved;
  }
}

/** add-principal as the admin, expecting a new key. */
async function addPrincipal(id: string, ...options: string[]): Promise<Receipt & { apiKey: string; keyId: string }> {
  const added = await as(ledger.admin, 'access', 'add-principal', id, ...options);
  expect(added).toMatchObject({ code: 0 });
  const receipt = JSON.parse(added.out) as Receipt & { apiKey: string; keyId: string };
  expect(receipt).toMatchObject({ duplicate: false, principalId: id, keyId: expect.any(String), apiKey: expect.stringMatching(/^lk_/) });
  expect(added.err).toMatch(/shown only once/);
  return receipt;
}

it('registers a principal and prints a key that works, from --api-key and from LEDGER_API_KEY', async () => {
  const alice = await addPrincipal('alice', '--role', 'borrower');
  expect(alice.events).toEqual(['PrincipalRegistered', 'ApiKeyIssued']);

  const whoami = await as(alice.apiKey, 'access', 'whoami');
  expect(whoami.code).toBe(0);
  expect(JSON.parse(whoami.out)).toEqual({ id: 'alice', role: 'borrower', feeds: [] });

  const fromEnv = await withEnvKey(alice.apiKey, () => cli('access', 'whoami', '--url', ledger.url));
  expect(fromEnv.code).toBe(0);
  expect(JSON.parse(fromEnv.out)).toEqual({ id: 'alice', role: 'borrower', feeds: [] });

  // An oracle with its feeds, from a repeated --feed.
  const oracle = await addPrincipal('op-1', '--role', 'oracle', '--feed', 'ETH-USD', '--feed', 'BTC-USD');
  expect(JSON.parse((await as(oracle.apiKey, 'access', 'whoami')).out)).toEqual({ id: 'op-1', role: 'oracle', feeds: ['ETH-USD', 'BTC-USD'] });

  const principals = await as(ledger.admin, 'access', 'principals');
  expect(principals.code).toBe(0);
  expect(JSON.parse(principals.out)).toEqual(
    expect.arrayContaining([{ id: 'alice', role: 'borrower', feeds: [], keys: [{ keyId: alice.keyId, status: 'active' }] }]),
  );
  expect(principals.out).not.toContain(alice.apiKey);
});

it('answers a repeated command id as a duplicate, without a key', async () => {
  await addPrincipal('carol', '--role', 'auditor', '--command-id', 'add-carol');
  const before = await ledger.lastPosition();
  const again = await as(ledger.admin, 'access', 'add-principal', 'carol', '--role', 'auditor', '--command-id', 'add-carol');
  expect(again.code).toBe(0);
  const receipt = JSON.parse(again.out) as Receipt;
  expect(receipt).toMatchObject({ commandId: 'add-carol', duplicate: true });
  expect(receipt.apiKey).toBeUndefined();
  expect(again.err).not.toMatch(/shown only once/);
  expect(await ledger.lastPosition()).toBe(before);
});

it('rotates a key: the old one is refused as revoked, the new one works', async () => {
  const bob = await addPrincipal('bob', '--role', 'liquidator');
  const rotated = await as(ledger.admin, 'access', 'rotate-key', bob.keyId);
  expect(rotated.code).toBe(0);
  const receipt = JSON.parse(rotated.out) as Receipt & { apiKey: string };
  expect(receipt).toMatchObject({ duplicate: false, events: ['ApiKeyRotated'], principalId: 'bob', apiKey: expect.stringMatching(/^lk_/) });
  expect(receipt.keyId).not.toBe(bob.keyId);
  expect(rotated.err).toMatch(/shown only once/);

  const old = await as(bob.apiKey, 'access', 'whoami');
  expect(old.code).not.toBe(0);
  expect(old.err).toMatch(/\(401 API_KEY_REVOKED\)/);
  expect(old.out).toBe('');

  const fresh = await as(receipt.apiKey, 'access', 'whoami');
  expect(fresh.code).toBe(0);
  expect(JSON.parse(fresh.out)).toMatchObject({ id: 'bob', role: 'liquidator' });

  // A revoked key cannot be rotated again.
  const twice = await as(ledger.admin, 'access', 'rotate-key', bob.keyId);
  expect(twice.code).not.toBe(0);
  expect(twice.err).toMatch(/API_KEY_REVOKED/);
});

it('issues a second key and revokes it, leaving the first working', async () => {
  const dave = await addPrincipal('dave', '--role', 'integrator');
  const issued = await as(ledger.admin, 'access', 'issue-key', 'dave');
  expect(issued.code).toBe(0);
  const second = JSON.parse(issued.out) as Receipt & { apiKey: string; keyId: string };
  expect(second).toMatchObject({ events: ['ApiKeyIssued'], principalId: 'dave', apiKey: expect.stringMatching(/^lk_/) });
  expect(JSON.parse((await as(second.apiKey, 'access', 'whoami')).out)).toMatchObject({ id: 'dave' });

  const revoked = await as(ledger.admin, 'access', 'revoke-key', second.keyId, '--command-id', 'revoke-dave-2');
  expect(revoked.code).toBe(0);
  expect(JSON.parse(revoked.out)).toMatchObject({ commandId: 'revoke-dave-2', events: ['ApiKeyRevoked'], principalId: 'dave', keyId: second.keyId });
  expect(revoked.err).not.toMatch(/shown only once/);

  const refused = await as(second.apiKey, 'access', 'whoami');
  expect(refused.code).not.toBe(0);
  expect(refused.err).toMatch(/\(401 API_KEY_REVOKED\)/);
  expect((await as(dave.apiKey, 'access', 'whoami')).code).toBe(0);

  const listed = JSON.parse((await as(ledger.admin, 'access', 'principals')).out) as { id: string; keys: unknown[] }[];
  expect(listed.find((p) => p.id === 'dave')?.keys).toEqual([
    { keyId: dave.keyId, status: 'active' },
    { keyId: second.keyId, status: 'revoked' },
  ]);

  const unknown = await as(ledger.admin, 'access', 'issue-key', 'nobody');
  expect(unknown.code).not.toBe(0);
  expect(unknown.err).toMatch(/\(404 PRINCIPAL_NOT_FOUND\)/);
});

it('refuses a non-admin key with ROLE_NOT_ALLOWED, appending nothing', async () => {
  const erin = await addPrincipal('erin', '--role', 'borrower');
  const before = await ledger.lastPosition();
  const refused = await as(erin, 'access', 'add-principal', 'mallory', '--role', 'admin');
  expect(refused.code).not.toBe(0);
  expect(refused.err).toMatch(/refused POST \/principals \(403 ROLE_NOT_ALLOWED\)/);
  expect(refused.out).toBe('');
  expect(await ledger.lastPosition()).toBe(before);
  expect((await as(erin, 'access', 'principals')).err).toMatch(/ROLE_NOT_ALLOWED/);
});

it('refuses an unknown role with exit code 2 and a message naming the roles, without calling the ledger', async () => {
  const fetchSpy = jest.spyOn(globalThis, 'fetch');
  let stderr = '';
  const stderrSpy = jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write);
  try {
    const bad = await as(ledger.admin, 'access', 'add-principal', 'frank', '--role', 'superuser');
    expect(bad.code).toBe(2);
    expect(stderr).toMatch(/'superuser' is invalid\. Allowed choices are borrower, oracle, liquidator, auditor, integrator, admin/);
    const missing = await as(ledger.admin, 'access', 'add-principal', 'frank');
    expect(missing.code).toBe(2);
    expect(stderr).toMatch(/required option '--role <role>' not specified/);
    expect(fetchSpy).not.toHaveBeenCalled();
  } finally {
    fetchSpy.mockRestore();
    stderrSpy.mockRestore();
  }
});

it('refuses a call without any key with AUTHENTICATION_REQUIRED', async () => {
  const anonymous = await withEnvKey(undefined, () => cli('access', 'whoami', '--url', ledger.url));
  expect(anonymous.code).not.toBe(0);
  expect(anonymous.err).toMatch(/refused GET \/principals\/me \(401 AUTHENTICATION_REQUIRED\)/);
  const before = await ledger.lastPosition();
  const add = await withEnvKey(undefined, () => cli('access', 'add-principal', 'grace', '--role', 'borrower', '--url', ledger.url));
  expect(add.code).not.toBe(0);
  expect(add.err).toMatch(/AUTHENTICATION_REQUIRED/);
  expect(await ledger.lastPosition()).toBe(before);
});
