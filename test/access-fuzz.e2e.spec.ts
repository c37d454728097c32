/**
 * Malformed, oversized, wrongly-typed and out-of-bounds input at every command endpoint of the route
 * table (fast-check), sent as a caller the route allows so it gets past access control to the parsing
 * and validation behind it: every answer is a 4xx with a code, never a 5xx; the server keeps answering;
 * and the store is unchanged.
 */
import fc from 'fast-check';
import { Role } from '../src/domain/access/access-registry';
import { routeTable } from '../src/access/route-table';
import { call } from './support/ledger-app';
import { callWith, sampledLedgerForTests } from './support/route-samples';

const sampled = sampledLedgerForTests();

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The BN254 scalar order: integers at or past it would wrap around in the circuit's field. */
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** Field-valued leaves (rounds, timestamps, curve points, signature scalars), and integers past their bounds: 2^64, r and beyond. */
const FIELD_VALUED = new Set(['round', 'timestamp', 'x', 'y', 'r8x', 'r8y', 's']);
const pastBounds = fc.constantFrom(...[R, R + 1n, 1n << 254n, 1n << 64n].map(String));

/** Values no field of any command accepts: wrong types, empty, malformed, out of range, too long. */
const invalidString = fc.constantFrom('', ' ', '-1', 'a b', '\u0000', '１２', '.5', '∞', 'x'.repeat(200), '9'.repeat(100), '<script>', '../..', '%00');
/** Path ids no route takes: junk, names of nothing, and ids past the store's 1,024-byte stream names. */
const invalidPathId = fc.oneof(invalidString, fc.string({ minLength: 1, maxLength: 30 }).map((s) => `zz-${s}`), fc.integer({ min: 1025, max: 4000 }).map((n) => 'p'.repeat(n)));
const invalidNumber = fc.oneof(fc.constantFrom(-1, 1.5, -0.0001, 1e308, -1e308, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER * 10), fc.double({ noNaN: true, min: -1e6, max: -1e-6 }));
const wrongType: fc.Arbitrary<Json> = fc.oneof(fc.constant(null), fc.boolean(), fc.constant<Json>([]), fc.constant<Json>({}), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));

/** A replacement for a leaf: for a string leaf, anything but a valid string (past its bound, for a field-valued one); for a number, anything but a valid number. */
function invalidFor(value: Json, key: string | number): fc.Arbitrary<Json> {
  if (typeof value === 'string' && FIELD_VALUED.has(String(key))) return fc.oneof(pastBounds, invalidString, wrongType);
  if (typeof value === 'string') return fc.oneof(invalidString, fc.integer(), wrongType);
  if (typeof value === 'number') return fc.oneof(invalidNumber, fc.constantFrom('1', '2000'), wrongType);
  return wrongType.filter((v) => typeof v !== typeof value || Array.isArray(v) !== Array.isArray(value));
}

/** Every path to a leaf of a JSON body (nested objects and arrays included). */
function leaves(value: Json, at: (string | number)[] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    return entries.flatMap(([k, v]) => leaves(v, [...at, k]));
  }
  return [at];
}

function replaced(body: Json, at: (string | number)[], value: Json): Json {
  if (at.length === 0) return value;
  const copy = (Array.isArray(body) ? [...body] : { ...(body as object) }) as Record<string | number, Json>;
  copy[at[0]] = replaced(copy[at[0]], at.slice(1), value);
  return copy as Json;
}

/** One bad request made from a valid one: its path and its raw body text. */
function badRequests(path: string, body: Json): fc.Arbitrary<{ how: string; path: string; text: string }> {
  const valid = JSON.stringify(body);
  const paths = leaves(body).filter((p) => p.length > 0);
  const mutations: fc.Arbitrary<{ how: string; path: string; text: string }>[] = [
    // Not JSON, or JSON that is not an object.
    fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('{', '{"commandId":', valid.slice(0, -1), `${valid}}`, '[]', '1', '"text"', 'null', 'true'))
      .filter((text) => text !== valid)
      .map((text) => ({ how: 'malformed', path, text })),
    // Larger than the body limit.
    fc.integer({ min: 70_000, max: 200_000 }).map((size) => ({ how: 'oversized', path, text: JSON.stringify({ ...(body as object), padding: 'x'.repeat(size) }) })),
    // A field the command does not take (prototype keys included).
    fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'admin', 'role'), fc.string({ minLength: 1, maxLength: 12 }))
      .filter((key) => !(key in (body as object)))
      .chain((key) => wrongType.map((v) => ({ how: `extra ${key}`, path, text: `${valid.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(v)}}` }))),
    // The command id missing.
    fc.constant({ how: 'no commandId', path, text: JSON.stringify({ ...(body as object), commandId: undefined }) }),
    // Nested deeper than any request, up to far past the stack.
    fc.integer({ min: 20, max: 6000 }).map((depth) => ({ how: `nested ${depth}`, path, text: `${valid.slice(0, -1)}${valid === '{}' ? '' : ','}"nested":${'['.repeat(depth)}${']'.repeat(depth)}}` })),
  ];
  if (path.split('/').length > 3) {
    // A path parameter that names nothing (or not an id at all).
    mutations.push(invalidPathId.map((junk) => ({ how: `path ${junk.slice(0, 40)}`, path: withPathId(path, junk), text: valid })));
  }
  if (paths.length > 0) {
    // A field of the wrong type or out of bounds, nested ones included.
    mutations.push(fc.constantFrom(...paths).chain((at) => invalidFor(leafAt(body, at), at[at.length - 1]).map((v) => ({ how: `${at.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`, path, text: JSON.stringify(replaced(body, at, v)) }))));
  }
  return fc.oneof(...mutations);
}

/** The path with its first parameter (the segment after the resource) replaced. */
function withPathId(path: string, junk: string): string {
  const segments = path.split('/');
  segments[2] = encodeURIComponent(junk);
  return segments.join('/');
}

function leafAt(body: Json, at: (string | number)[]): Json {
  return at.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], body);
}

it('answers every malformed command with a 4xx and a code, never a 5xx, and appends nothing', async () => {
  const { ledger, samples, actors } = sampled();
  const commands = routeTable(ledger.app).filter((r) => r.method === 'POST' || r.method === 'PATCH');
  expect(commands.length).toBeGreaterThan(20);
  const answered = new Map<number, number>();
  for (const { method, path } of commands) {
    const [policy, sampleOf] = samples[`${method} ${path}`];
    // As a caller the route allows, naming itself where the body names who acts.
    const role = policy === 'anyone' ? 'admin' : policy[0];
    const sample = await sampleOf(role);
    // Commands that take no body (a checkpoint, a rebuild) have only their path to get wrong.
    const body = (sample.body ?? {}) as Json;
    const before = await ledger.lastPosition();
    await fc.assert(
      fc.asyncProperty(badRequests(sample.path, body), async (bad) => {
        if (Object.keys(body as object).length === 0 && bad.path === sample.path) return; // nothing to get wrong but the path
        const res = await call<{ code?: string }>(ledger.url, method, bad.path, bad.text, { authorization: `Bearer ${actors[role].apiKey}`, 'content-type': 'application/json' });
        answered.set(res.status, (answered.get(res.status) ?? 0) + 1);
        if (res.status < 400 || res.status >= 500 || typeof res.body?.code !== 'string') {
          throw new Error(`${method} ${bad.path} (${bad.how}) answered ${res.status}: ${res.text.slice(0, 300)}`);
        }
      }),
      { numRuns: 40 },
    );
    expect({ route: `${method} ${path}`, position: await ledger.lastPosition() }).toEqual({ route: `${method} ${path}`, position: before });
  }
  // Still up, and still serving a well-formed command.
  expect((await ledger.api('GET', '/health/live')).status).toBe(200);
  expect((await ledger.as(actors.admin)('POST', '/principals', { commandId: 'after-fuzz', principalId: 'after-fuzz', role: 'integrator' })).status).toBe(201);
  // The answers were refusals of several kinds (400 validation, 404 unknown names, 413 size, 422 rules...).
  expect([...answered.keys()].filter((s) => s >= 400 && s < 500).length).toBeGreaterThanOrEqual(3);
});

it('refuses null where a field may be left out (validation would skip it), appending nothing', async () => {
  const { ledger, samples, actors } = sampled();
  const pool = (await samples['PATCH /pools/:poolId/parameters'][1]('admin')).path;
  const before = await ledger.lastPosition();
  const asAdmin = ledger.as(actors.admin);
  for (const [method, route, body] of [
    ['PATCH', pool, { commandId: 'null-1', parameters: { dustLimit: null } }],
    ['PATCH', pool, { commandId: 'null-2', parameters: { auction: null } }],
    ['POST', '/principals', { commandId: 'null-3', principalId: 'nobody', role: 'integrator', feeds: null }],
  ] as const) {
    const res = await asAdmin(method, route, body);
    expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status: 400, code: 'VALIDATION_FAILED' });
  }
  const opened = await ledger.as(actors.borrower)('POST', '/positions', { commandId: 'null-4', positionId: 'null-4', poolId: 'weth-usdc', owner: null });
  expect({ status: opened.status, code: opened.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  expect(await ledger.lastPosition()).toBe(before);
});

it('answers every read of a path that names nothing with a 4xx and a code, never a 5xx, and appends nothing', async () => {
  const { ledger, samples, actors } = sampled();
  const reads = routeTable(ledger.app).filter((r) => r.method === 'GET' && r.path.split('/').length > 2 && r.path.split('/')[2].startsWith(':'));
  expect(reads.length).toBeGreaterThan(5);
  // A sample may set up what it reads (a market funded): that happens before the reads are counted.
  const calls = [];
  for (const { method, path } of reads) {
    const [policy, sampleOf] = samples[`${method} ${path}`];
    const role = policy === 'anyone' ? 'admin' : policy[0];
    calls.push({ method, role, sample: await sampleOf(role) });
  }
  const before = await ledger.lastPosition();
  for (const { method, role, sample } of calls) {
    await fc.assert(
      // Non-empty: an empty id leaves the list route the path is under.
      fc.asyncProperty(invalidPathId.filter((junk) => junk !== ''), async (junk) => {
        const bad = withPathId(sample.path, junk);
        const res = await callWith(ledger, actors[role].apiKey, method, { ...sample, path: bad });
        if (res.status < 400 || res.status >= 500 || typeof res.code !== 'string') throw new Error(`${method} ${bad.slice(0, 80)} answered ${res.status}: ${res.text.slice(0, 300)}`);
      }),
      { numRuns: 15 },
    );
  }
  expect(await ledger.lastPosition()).toBe(before);
});
