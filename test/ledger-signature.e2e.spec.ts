/**
 * Events the ledger did not write, written by someone holding the store's admin password, with links a
 * keyless chain would take (SHA-256 over the previous link and the event): the ledger signs each link
 * with a key kept outside the store, so the live ledger quarantines such an event instead of folding
 * it (the forged collateral buys no loan, the forged price moves nothing), and an auditor holding only
 * the ledger's public key reports it. Key rotation is an event: after one, the ledger's new events
 * verify under the new key, its old ones under the old key, and one signed by the old key after the
 * rotation is found out, live and by the audit.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import * as path from 'node:path';
import { AuditReport } from '../src/audit/auditor';
import { chainHash } from '../src/eventstore/event-codec';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { linkSigner } from '../src/eventstore/ledger-key';
import { removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { FEED, Market } from './support/scenario';
import { writeAsAttacker } from './support/attacker';
import { cli } from './support/cli';
import { waitFor } from './support/wait';

let ledger: RunningLedger;

afterEach(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

interface Meta {
  schemaVersion: number;
  commandId: string;
  at: string;
  prevHash: string;
  hash: string;
  signedBy?: string;
  signature?: string;
}

/**
 * The next event of `stream`, made from its last `type` event changed by `change`, with a correct
 * keyless link: what an attacker with read and write access to the store computes.
 */
async function forgeNext(stream: string, type: string, change: (data: Record<string, unknown>) => void, sign?: (meta: Meta, last: Meta) => void) {
  const events = [];
  for await (const { event } of ledger.app.get(EventStoreDBClient).readStream(stream)) events.push(event!);
  const last = events.at(-1)!;
  const model = events.filter((e) => e.type === type).at(-1)!;
  const data = structuredClone(model.data) as Record<string, unknown>;
  change(data);
  const meta: Meta = { schemaVersion: 1, commandId: `forged-${Math.random()}`, at: new Date().toISOString(), prevHash: (last.metadata as unknown as Meta).hash, hash: '' };
  meta.hash = chainHash(meta.prevHash, stream, last.revision + 1n, type, data, meta);
  sign?.(meta, last.metadata as unknown as Meta);
  await writeAsAttacker(storeAsLedger(), [{ append: stream, type, data, metadata: meta }]);
  return { stream, revision: (last.revision + 1n).toString() };
}

/** The ledger's own store credentials (in $admins): what a same-host attacker with the admin password holds. */
/** 1000 WETH more, in the deposit's amount and in the balance after it (what the position folds). */
const moreCollateral = (d: Record<string, unknown>) => {
  d.amount = (1000n * 10n ** 18n).toString();
  d.collateral = (BigInt(d.collateral as string) + 1000n * 10n ** 18n).toString();
};

const storeAsLedger = () => ledger.app.get(EventStoreConnection).connectionString!;

async function quarantined(): Promise<{ stream: string; revision: string; type: string; reason: string }[]> {
  const ready = await ledger.api<{ quarantined?: { stream: string; revision: string; type: string; reason: string }[] }>('GET', '/health/ready');
  return ready.body.quarantined ?? [];
}

async function audit(...args: string[]): Promise<{ code: number; report: AuditReport }> {
  const json = path.join(ledger.dataDir, `report-${Math.random().toString(36).slice(2)}.json`);
  const res = await cli('audit', 'replay', '--eventstore', storeAsLedger(), ...args, '--json', json);
  return { code: res.code, report: JSON.parse(await readFile(json, 'utf8')) as AuditReport };
}

const findings = (report: AuditReport, ...codes: string[]) =>
  report.failures.filter((f) => codes.includes(f.code)).map((f) => [f.code, f.stream, f.revision]).sort();

it('quarantines forged events with correct keyless links, and the audit reports them with only the public key', async () => {
  ledger = await startLedger();
  const market = new Market(ledger);
  await market.open('3000');
  await market.borrow('p1', '1', '1000');
  await market.borrow('p2', '1', '100');

  // Collateral from nothing: a deposit of 1000 WETH, linked as the ledger links.
  const deposit = await forgeNext('position-p1', 'CollateralDeposited', moreCollateral);
  const draw = await ledger.as(market.borrower)('POST', '/positions/p1/debt/draw', { commandId: market.id('draw'), amount: '500000' });
  expect([draw.status, draw.body.code, (draw.body as { details?: { stream: string; reason: string } }).details]).toEqual([
    409,
    'STREAM_QUARANTINED',
    { stream: 'position-p1', revision: deposit.revision, reason: 'UNSIGNED' },
  ]);

  // A price at which p1 would be liquidated, even carrying the ledger's signature of another link.
  const price = await forgeNext(`oracle-${FEED}`, 'PriceUpdated', (d) => ((d.round = '99'), (d.price = (900n * 10n ** 18n).toString())), (meta, last) => {
    meta.signedBy = last.signedBy;
    meta.signature = last.signature;
  });
  const live = await waitFor(async () => ((await quarantined()).length === 2 ? quarantined() : undefined));
  expect(live.map((q) => [q.reason, q.stream, q.revision]).sort()).toEqual([
    ['BAD_SIGNATURE', price.stream, price.revision],
    ['UNSIGNED', deposit.stream, deposit.revision],
  ]);
  const metrics = await ledger.as(ledger.admin)('GET', '/metrics');
  expect(metrics.text).toMatch(/ledger_quarantined_events\{reason="UNSIGNED"\} 1/);
  expect(metrics.text).toMatch(/ledger_quarantined_events\{reason="BAD_SIGNATURE"\} 1/);
  // The forged price moved nothing: the feed is refused rather than at 900, and the ledger liquidated nothing.
  const feed = await ledger.as(ledger.admin)('GET', `/feeds/${FEED}`);
  expect([feed.status, feed.body.code]).toEqual([409, 'STREAM_QUARANTINED']);
  const liquidated = [];
  for await (const { event } of ledger.app.get(EventStoreDBClient).readAll()) if (event?.type === 'LiquidationTriggered') liquidated.push(event.streamId);
  expect(liquidated).toEqual([]);

  // The public key, for anyone; the auditor fetches it and finds both forgeries, and nothing else.
  const published = await ledger.api<{ algorithm: string; publicKey: string; keys: unknown[] }>('GET', '/audit/ledger-key');
  expect(published.status).toBe(200);
  expect(published.body.algorithm).toBe('Ed25519');
  const byUrl = await audit('--ledger-key', `${ledger.url}/audit/ledger-key`);
  expect(byUrl.code).toBe(1);
  expect(findings(byUrl.report, 'UNSIGNED', 'BAD_SIGNATURE')).toEqual([
    ['BAD_SIGNATURE', price.stream, price.revision],
    ['UNSIGNED', deposit.stream, deposit.revision],
  ]);
  // And from the public key's PEM alone.
  const pem = path.join(ledger.dataDir, 'ledger.pub');
  await writeFile(pem, published.body.publicKey);
  const byFile = await audit('--ledger-key', pem);
  expect(findings(byFile.report, 'UNSIGNED', 'BAD_SIGNATURE')).toEqual(findings(byUrl.report, 'UNSIGNED', 'BAD_SIGNATURE'));
  // And offline, from an export that carries the key history.
  const exporter = path.join(ledger.dataDir, 'exporter');
  const exportFile = path.join(ledger.dataDir, 'history.jsonl.gz');
  expect((await cli('audit', 'keygen', '--out', exporter)).code).toBe(0);
  const exported = await cli('audit', 'export', '--eventstore', storeAsLedger(), '--signing-key', `${exporter}.key`, '--out', exportFile, '--ledger-key', `${ledger.url}/audit/ledger-key`);
  expect(exported.code).toBe(0);
  const offline = await audit('--file', exportFile, '--public-key', `${exporter}.pub`);
  expect(findings(offline.report, 'UNSIGNED', 'BAD_SIGNATURE')).toEqual(findings(byUrl.report, 'UNSIGNED', 'BAD_SIGNATURE'));
}, 240_000);

it('rotates the key with an event: new events verify, old ones still do, and the old key signing after the rotation is found out', async () => {
  ledger = await startLedger();
  const market = new Market(ledger);
  await market.open('3000');
  await market.borrow('p1', '1', '100');
  const keyFile = path.join(ledger.dataDir, 'ledger-key.pem');
  expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  const stolen = path.join(ledger.dataDir, 'stolen.pem');
  await copyFile(keyFile, stolen);
  const firstKey = (await ledger.api<{ publicKey: string }>('GET', '/audit/ledger-key')).body.publicKey;

  // Refused to anyone but an admin, and nothing is appended.
  const before = await ledger.lastPosition();
  const refused = await cli('audit', 'rotate-ledger-key', '--url', ledger.url, '--api-key', market.borrower.apiKey);
  expect(refused.code).not.toBe(0);
  expect(await ledger.lastPosition()).toBe(before);

  const rotated = await cli('audit', 'rotate-ledger-key', '--url', ledger.url, '--api-key', ledger.admin.apiKey);
  expect(rotated.code).toBe(0);
  const published = (await ledger.api<{ publicKey: string; keys: { publicKey: string; until: string | null }[] }>('GET', '/audit/ledger-key')).body;
  expect(published.publicKey).not.toBe(firstKey);
  expect(published.keys.map((k) => k.publicKey)).toEqual([firstKey, published.publicKey]);
  expect(published.keys[0].until).not.toBeNull();
  expect((await stat(keyFile)).mode & 0o777).toBe(0o600);

  // The ledger goes on under the new key, also after a restart (its old events verify under the old key).
  await market.borrow('p2', '1', '100');
  await ledger.stop();
  ledger = market.ledger = await startLedger(ledger.dataDir);
  await market.ok('POST', '/positions/p2/debt/repay', { commandId: market.id('repay'), amount: '10' }, market.borrower);
  expect(await quarantined()).toEqual([]);
  const honest = await audit('--ledger-key', `${ledger.url}/audit/ledger-key`);
  expect(honest.report.failures).toEqual([]);
  expect(honest.code).toBe(0);

  // The stolen old key signs an event after the rotation: a correct link, a valid signature, the wrong key.
  const oldKey = createPrivateKey(await readFile(stolen, 'utf8'));
  const forged = await forgeNext('position-p2', 'CollateralDeposited', moreCollateral, (meta) => Object.assign(meta, linkSigner(oldKey)(meta.hash)));
  await rm(stolen);
  const draw = await ledger.as(market.borrower)('POST', '/positions/p2/debt/draw', { commandId: market.id('draw'), amount: '500000' });
  expect([draw.status, draw.body.code]).toEqual([409, 'STREAM_QUARANTINED']);
  expect((await quarantined()).map((q) => [q.reason, q.stream, q.revision])).toEqual([['BAD_SIGNATURE', forged.stream, forged.revision]]);

  // The auditor follows the rotation from the first key alone, or from the published key history.
  const firstPem = path.join(ledger.dataDir, 'first.pub');
  await writeFile(firstPem, firstKey);
  for (const key of [firstPem, `${ledger.url}/audit/ledger-key`]) {
    const { code, report } = await audit('--ledger-key', key);
    expect(code).toBe(1);
    expect(findings(report, 'UNSIGNED', 'BAD_SIGNATURE', 'BAD_KEY_ROTATION')).toEqual([['BAD_SIGNATURE', forged.stream, forged.revision]]);
  }
}, 240_000);
