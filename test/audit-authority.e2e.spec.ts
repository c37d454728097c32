/**
 * The audit covers authority: it replays the principals' streams beside the ledger's, reports who was
 * registered as what and each key's issue, rotation and revocation, and checks that every recorded
 * command was issued by a principal allowed to issue it at that moment. The attacks are events appended
 * straight to the store with its admin credentials, as someone on the host holding them would, each
 * with a correct chain link: a command claiming a principal whose role may not issue it, one claiming a
 * principal whose keys were all revoked, one claiming the ledger itself, and one naming nobody.
 */
import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AuditReport } from '../src/audit/auditor';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { chainHash, LedgerEventMetadata } from '../src/eventstore/event-codec';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { writeAsAttacker } from './support/attacker';
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';

let ledger: RunningLedger;
let market: Market;
let store: string;
let ops: Actor;

beforeAll(async () => {
  await loadCrypto();
  ledger = await startLedger();
  store = ledger.app.get(EventStoreConnection).connectionString!;
  market = new Market(ledger);
  await market.open('2000');
  await market.borrow('p1', '2', '1000');
  // A second admin, whose only key is rotated and then revoked: an admin until then, nobody after.
  ops = await ledger.principal('ops', 'admin');
  const rotated = await market.ok('POST', `/keys/${ops.apiKey.slice(3, 19)}/rotate`, { commandId: 'rotate-ops' });
  await market.ok('POST', `/pools/${POOL}/liquidations/pause`, { commandId: 'ops-pauses' }, { id: 'ops', apiKey: rotated.apiKey });
  await market.ok('POST', `/pools/${POOL}/liquidations/resume`, { commandId: 'ops-resumes' }, { id: 'ops', apiKey: rotated.apiKey });
  await market.ok('POST', `/keys/${rotated.apiKey.slice(3, 19)}/revoke`, { commandId: 'revoke-ops' });
});

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

async function replay(): Promise<{ code: number; report: AuditReport; out: string }> {
  const json = path.join(ledger.dataDir, `report-${Math.random().toString(36).slice(2)}.json`);
  const res = await cli('audit', 'replay', '--eventstore', store, '--json', json);
  return { code: res.code, out: res.out, report: JSON.parse(readFileSync(json, 'utf8')) as AuditReport };
}

/** Appends a pool pause or resume to the pool's stream from another process, linked into its chain, claiming `principal`. */
async function forge(type: 'PoolLiquidationsPaused' | 'PoolLiquidationsResumed', principal: string | undefined): Promise<{ stream: string; revision: string }> {
  const stream = `pool-${POOL}`;
  let last: { revision: bigint; hash: string } | undefined;
  for await (const { event } of ledger.app.get(EventStoreDBClient).readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
    last = { revision: event!.revision, hash: (event!.metadata as unknown as LedgerEventMetadata).hash };
  }
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const data = { at: String(now.getTime() / 1000) };
  const meta = { schemaVersion: 1, commandId: `forged-${type}-${principal}`, at: now.toISOString(), ...(principal ? { principal } : {}) };
  const revision = last!.revision + 1n;
  const metadata = { ...meta, prevHash: last!.hash, hash: chainHash(last!.hash, stream, revision, type, data, meta) };
  await writeAsAttacker(store, [{ append: stream, type, data, metadata }]);
  return { stream, revision: revision.toString() };
}

it('holds over a normal history, and reports who was admin when and every key issued, rotated and revoked', async () => {
  const { code, report, out } = await replay();
  expect(report.failures).toEqual([]);
  expect(code).toBe(0);
  const check = report.checks.find((c) => c.check.startsWith('every command was issued by a principal allowed'));
  expect(check?.holds).toBe(true);
  expect(check?.detail).toMatch(/^[1-9][0-9]* commands checked$/);
  expect(check?.detail).toBe(`${report.authority.commandsChecked} commands checked`);
  expect(report.authority.unattributed).toBe(0);

  const timeline = report.authority.timeline.map(({ principalId, change, role, by }) => ({ principalId, change, ...(role ? { role } : {}), by }));
  // The development admin is the ledger's doing, while no admin held a key; everyone else is the admin's.
  expect(timeline.slice(0, 2)).toEqual([
    { principalId: 'admin', change: 'registered', role: 'admin', by: 'system:admin-bootstrap' },
    { principalId: 'admin', change: 'key issued', by: 'system:admin-bootstrap' },
  ]);
  expect(timeline.filter((t) => t.principalId === 'ops')).toEqual([
    { principalId: 'ops', change: 'registered', role: 'admin', by: 'admin' },
    { principalId: 'ops', change: 'key issued', by: 'admin' },
    { principalId: 'ops', change: 'key rotated', by: 'admin' },
    { principalId: 'ops', change: 'key revoked', by: 'admin' },
  ]);
  expect(timeline).toContainEqual({ principalId: 'oracle-a', change: 'registered', role: 'oracle', by: 'admin' });
  expect(report.authority.principals.find((p) => p.id === 'ops')?.keys.map((k) => k.status)).toEqual(['revoked', 'revoked']);
  expect(out).toMatch(/ops key revoked [0-9a-f]{16} by admin/);
});

it('reports each command appended to the store under a principal that was not allowed to issue it, and nothing else', async () => {
  const byBorrower = await forge('PoolLiquidationsPaused', market.borrower.id);
  const byRevoked = await forge('PoolLiquidationsResumed', 'ops');
  const bySystem = await forge('PoolLiquidationsPaused', 'system:ledger');
  const byNobody = await forge('PoolLiquidationsResumed', undefined);

  const { code, report } = await replay();
  expect(code).toBe(1);
  expect(report.ok).toBe(false);
  expect(report.checks.find((c) => c.check.startsWith('every command was issued by a principal allowed'))?.holds).toBe(false);
  const unauthorized = report.failures.filter((f) => f.code === 'UNAUTHORIZED_COMMAND').map(({ stream, revision, message }) => ({ stream, revision, message }));
  expect(unauthorized).toEqual([
    { ...byBorrower, message: `PauseLiquidations by ${market.borrower.id}: ${market.borrower.id} was a borrower, and PauseLiquidations is for admin` },
    { ...byRevoked, message: 'ResumeLiquidations by ops: ops held no active API key (every key of it was revoked)' },
    { ...bySystem, message: 'PauseLiquidations by system:ledger: the ledger itself (system:ledger) never issues PauseLiquidations' },
    { ...byNobody, message: 'ResumeLiquidations by nobody: no principal is recorded for it' },
  ]);
  // Each forgery is otherwise a well-formed command with a correct link: only authority catches it.
  expect(report.failures.filter((f) => f.code !== 'UNAUTHORIZED_COMMAND')).toEqual([]);
});

it('finds an issuer rewritten after the fact: the principal is part of the event’s link', async () => {
  const stream = `pool-${POOL}`;
  const events = [];
  for await (const { event } of ledger.app.get(EventStoreDBClient).readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) events.push(event!);
  const [last] = events;
  const meta = last.metadata as unknown as LedgerEventMetadata;
  // The same event again, one revision on, its link made as before but with the admin named as issuer afterwards.
  const revision = last.revision + 1n;
  const honest = { schemaVersion: meta.schemaVersion, commandId: 'forged-issuer', at: meta.at, principal: 'system:ledger' };
  const metadata = { ...honest, prevHash: meta.hash, hash: chainHash(meta.hash, stream, revision, last.type, last.data, honest), principal: 'admin' };
  await writeAsAttacker(store, [{ append: stream, type: last.type, data: last.data, metadata }]);
  const { report } = await replay();
  expect(report.failures).toContainEqual(expect.objectContaining({ code: 'EVENT_ALTERED', stream, revision: revision.toString() }));
});
