/**
 * The auditor's replay end to end: a history made through the API (prices, borrowing, repayments, a
 * proven liquidation), replayed from the running store and from a signed export; then every kind of
 * tampering an auditor must catch, each done to an export the way an attacker would (re-signed with a
 * key of their own), is detected and names its event. Time travel agrees with the live read model.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import * as path from 'node:path';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { chainHash } from '../src/eventstore/event-codec';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { HistoryEvent, newSigningKey, privateKeyFrom, writeExport } from '../src/audit/history';
import { AuditReport } from '../src/audit/auditor';
import { cli } from './support/cli';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';

let ledger: RunningLedger;
let market: Market;
/** The auditor: records checkpoints and reads the history as of a point. */
let auditor: Actor;
/** The liquidator who proves p1 liquidatable. */
let alice: Actor;
let store: string;
let dir: string;
let exportFile: string;
let events: HistoryEvent[];
/** An attacker's own signing key. */
const attacker = privateKeyFrom(newSigningKey().privateKey);

const file = (name: string) => path.join(dir, name);

async function replay(...args: string[]): Promise<{ code: number; report: AuditReport; out: string; err: string }> {
  const json = file(`report-${Math.random().toString(36).slice(2)}.json`);
  const res = await cli('audit', 'replay', ...args, '--json', json);
  return { ...res, report: JSON.parse(readFileSync(json, 'utf8')) as AuditReport };
}

async function readLines(gz: string): Promise<any[]> {
  const out = [];
  for await (const line of createInterface({ input: createReadStream(gz).pipe(createGunzip()) })) out.push(JSON.parse(line));
  return out;
}

/** The exported events, changed by `tamper`, written back as an export re-signed by the attacker. */
async function tampered(name: string, tamper: (events: HistoryEvent[]) => HistoryEvent[]): Promise<string> {
  const out = file(name);
  const copy = structuredClone(events);
  await writeExport(out, (async function* () { yield* tamper(copy); })(), attacker);
  return out;
}

/** Recomputes an event's own link after changing it, as a careful attacker would. */
function relink(e: HistoryEvent): void {
  const meta = e.metadata as { schemaVersion: number; commandId: string; at: string; prevHash: string; hash: string };
  meta.hash = chainHash(meta.prevHash, e.stream, e.revision, e.type, e.data, meta);
}

const find = (type: string, stream?: string) => {
  const i = events.findIndex((e) => e.type === type && (!stream || e.stream === stream));
  if (i < 0) throw new Error(`no ${type} in the history`);
  return i;
};

async function expectNamed(exported: string, code: string, at: HistoryEvent): Promise<void> {
  const { code: exit, report } = await replay('--file', exported, '--public-key', file('audit/exporter.pub'));
  expect(exit).toBe(1);
  expect(report.ok).toBe(false);
  expect(report.failures.map((f) => f.code)).toContain('EXPORT_SIGNATURE_INVALID');
  expect(report.failures).toContainEqual(expect.objectContaining({ code, stream: at.stream, revision: at.revision.toString() }));
}

beforeAll(async () => {
  await loadCrypto();
  // p1 is liquidated by a liquidator's proof: the ledger's own detection would trigger it first.
  // (Detected triggers are audited over the generated history, test/audit-generated.spec.ts.)
  ledger = await startLedger(undefined, { AUDIT_CHECKPOINT_EVERY: '4', LIQUIDATION_DETECTION: 'off' });
  dir = ledger.dataDir;
  store = ledger.app.get(EventStoreConnection).connectionString!;
  market = new Market(ledger);
  await market.open('2000');
  auditor = await ledger.principal('auditor-1', 'auditor');
  alice = await ledger.principal('alice', 'liquidator');
  await market.borrow('p1', '1.25', '1750');
  await market.borrow('p2', '10', '1000');
  await market.ok('POST', '/positions/p2/debt/repay', { commandId: market.id('repay'), amount: '250' }, market.borrower);
  await market.publish(2n, '1600');
  // The owner hands p1's opening over; the liquidator proves with it.
  writeFileSync(file('p1-opening.json'), JSON.stringify(await market.ok('GET', '/positions/p1/opening', undefined, market.borrower)));
  const proven = await cli('liquidator', 'submit', '--url', ledger.url, '--api-key', alice.apiKey, '--position', 'p1', '--liquidator', 'alice', '--opening', file('p1-opening.json'));
  expect(proven).toMatchObject({ code: 0, err: '' });
  await market.ok('POST', '/audit/checkpoints', undefined, auditor);
  // Without --out, the key pair and the export go to the data dir, not the working directory.
  const dataDir = process.env.DATA_DIR;
  process.env.DATA_DIR = dir;
  try {
    expect((await cli('audit', 'keygen')).code).toBe(0);
    const exported = await cli('audit', 'export', '--eventstore', store);
    expect(exported.code).toBe(0);
  } finally {
    if (dataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = dataDir;
  }
  exportFile = file('audit/history.jsonl.gz');
  expect(statSync(file('audit/exporter.key')).mode & 0o777).toBe(0o600);
  events = (await readLines(exportFile)).slice(1, -1).map((e) => ({ ...e, revision: BigInt(e.revision), position: BigInt(e.position), prepare: BigInt(e.prepare) }));
});

afterAll(async () => {
  await ledger.stop();
  await removeDataDir(ledger.dataDir);
});

describe('a clean history', () => {
  it('holds when replayed from the running store: every check, the proof, the checkpoints', async () => {
    const html = file('report.html');
    const { code, report, out } = await replay('--eventstore', store, '--html', html);
    expect(report.failures).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.every((c) => c.holds)).toBe(true);
    expect(report.checks.find((c) => c.check.startsWith('liquidation proofs'))?.detail).toBe('1 proof');
    expect(report.checks.find((c) => c.check.startsWith('collateral and debt'))?.detail).toBe('1 pool');
    expect(report.checks.find((c) => c.check.startsWith('$all order'))?.detail).toMatch(/^([1-9][0-9]*) of \1 checkpoints verified$/);
    expect(report.pools).toEqual([expect.objectContaining({ poolId: POOL, openPositions: 2, liquidations: 1, collateralHeld: '11.25', debtRepaid: '250' })]);
    expect(out).toMatch(/^HOLDS: /);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('everything holds');
    // One price since the pool opened: too few points for a chart, so the page lists the point instead.
    expect(page).toContain('<h3>weth-usdc</h3>\n<p>Too few points for a chart: 1 price update.');
    expect(page).not.toContain('<svg');
  });

  it('holds when replayed offline from its signed export', async () => {
    const { code, report } = await replay('--file', exportFile, '--public-key', file('audit/exporter.pub'));
    expect(report.failures).toEqual([]);
    expect(code).toBe(0);
    expect(report.events).toBe(events.length);
  });

  it('replays up to a point of the history', async () => {
    const cut = events[find('LiquidationTriggered') - 1].position;
    const { report } = await replay('--file', exportFile, '--public-key', file('audit/exporter.pub'), '--to-position', cut.toString());
    expect(report.upTo.position).toBe(cut.toString());
    expect(report.pools[0].liquidations).toBe(0);
  });
});

describe('tampering is detected and named', () => {
  it('an amount changed', async () => {
    const i = find('DebtDrawn', 'position-p2');
    const out = await tampered('amount.gz', (es) => ((es[i].data as any).amount = '1', es));
    await expectNamed(out, 'EVENT_ALTERED', events[i]);
  });

  it('an amount changed and its own link recomputed: the rules and the next link catch it', async () => {
    const i = find('CollateralDeposited', 'position-p2');
    const out = await tampered('amount-relinked.gz', (es) => {
      const data = es[i].data as any;
      data.amount = '20000000000000000000';
      data.collateral = '20000000000000000000';
      relink(es[i]);
      return es;
    });
    await expectNamed(out, 'COMMITMENT_MISMATCH', events[i]);
    await expectNamed(out, 'EVENT_MISSING', events[i + 1]);
  });

  it('an event dropped', async () => {
    const i = find('DebtDrawn', 'position-p2');
    const out = await tampered('dropped.gz', (es) => es.filter((_, k) => k !== i));
    await expectNamed(out, 'EVENT_MISSING', events[find('DebtRepaid', 'position-p2')]);
  });

  it('two events of a stream swapped', async () => {
    const i = find('CollateralDeposited', 'position-p2');
    const j = find('DebtDrawn', 'position-p2');
    const out = await tampered('swapped.gz', (es) => {
      [es[i], es[j]] = [es[j], es[i]];
      [es[i].position, es[j].position, es[i].prepare, es[j].prepare] = [es[j].position, es[i].position, es[j].prepare, es[i].prepare];
      return es;
    });
    await expectNamed(out, 'EVENT_REORDERED', events[i]);
  });

  it('an event inserted', async () => {
    const i = find('DebtRepaid', 'position-p2');
    const out = await tampered('inserted.gz', (es) => {
      const forged = structuredClone(es[i]);
      (forged.data as any).amount = '1';
      relink(forged);
      forged.id = '00000000-0000-4000-8000-000000000001';
      return [...es.slice(0, i + 1), forged, ...es.slice(i + 1)];
    });
    await expectNamed(out, 'EVENT_INSERTED', events[i]);
  });

  it('a price signature forged', async () => {
    const i = find('PriceReportAccepted');
    const out = await tampered('forged.gz', (es) => {
      (es[i].data as any).signature.s = '12345';
      relink(es[i]);
      return es;
    });
    await expectNamed(out, 'ORACLE_SIGNATURE_INVALID', events[i]);
  });

  it('a proof swapped for one of another claim', async () => {
    const i = find('LiquidationTriggered');
    const out = await tampered('proof.gz', (es) => {
      const proof = (es[i].data as any).proof;
      [proof.pi_a, proof.pi_c] = [proof.pi_c, proof.pi_a];
      relink(es[i]);
      return es;
    });
    await expectNamed(out, 'PROOF_INVALID', events[i]);
  });

  it('a nullifier reused by a second liquidation', async () => {
    const i = find('LiquidationTriggered');
    const out = await tampered('nullifier.gz', (es) => {
      const last = es.filter((e) => e.stream === 'position-p2').at(-1)!;
      const copy = structuredClone(es[i]);
      const end = es.at(-1)!.position + 1n;
      Object.assign(copy, { stream: 'position-p2', revision: last.revision + 1n, position: end, prepare: end, id: '00000000-0000-4000-8000-000000000002' });
      (copy.metadata as any).prevHash = (last.metadata as any).hash;
      relink(copy);
      return [...es, copy];
    });
    const { report } = await replay('--file', out, '--public-key', file('audit/exporter.pub'));
    expect(report.failures).toContainEqual(expect.objectContaining({ code: 'NULLIFIER_REUSED', stream: 'position-p2' }));
  });

  it("a stream's last event cut off before a checkpoint", async () => {
    const i = events.findIndex((e) => e.stream === 'position-p2' && e.type === 'DebtRepaid');
    const out = await tampered('cut.gz', (es) => es.filter((_, k) => k !== i));
    const { report } = await replay('--file', out, '--public-key', file('audit/exporter.pub'));
    expect(report.failures.map((f) => f.code)).toContain('CHECKPOINT_MISMATCH');
  });
});

describe('time travel', () => {
  it('a pool as of a point equals the live read model at that point, and stays so as history grows', async () => {
    const receipt = await market.borrow('p3', '2', '100');
    // The auditor reads the live pool, totals included, and the same pool as of a point.
    const live = await market.ok('GET', `/pools/${POOL}?minPosition=${receipt.position}`, undefined, auditor);
    expect(live.totalCollateral).toBeDefined();
    const asOf = await market.ok('GET', `/audit/pools/${POOL}?asOf=${receipt.position}`, undefined, auditor);
    const same = (v: any) => ({ totalCollateral: v.totalCollateral, openPositions: v.openPositions, price: v.price, priceRound: v.priceRound, healthBands: v.healthBands });
    expect(same(asOf)).toEqual(same(live));
    expect(asOf.asOf.position).toBe(receipt.position);

    await market.ok('POST', '/positions/p3/collateral/deposit', { commandId: market.id('deposit'), amount: '1' }, market.borrower);
    expect(same(await market.ok('GET', `/audit/pools/${POOL}?asOf=${receipt.position}`, undefined, auditor))).toEqual(same(live));
    const cliState = await cli('audit', 'state', '--eventstore', store, '--pool', POOL, '--as-of', receipt.position);
    expect(same(JSON.parse(cliState.out))).toEqual(same(live));
    const now = (await market.ok('GET', `/pools/${POOL}`, undefined, auditor)).totalCollateral;
    expect(now).toBeDefined();
    expect(now).not.toBe(live.totalCollateral);
  });

  it('a position as of an instant before a change shows the amounts it had then', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await market.ok('POST', '/positions/p3/collateral/deposit', { commandId: market.id('deposit'), amount: '3' }, market.borrower);
    expect((await market.ok('GET', `/audit/positions/p3?asOf=${encodeURIComponent(before)}`, undefined, auditor)).collateral).toBe('3');
    expect((await market.ok('GET', '/audit/positions/p3', undefined, auditor)).collateral).toBe('6');
  });

  it('refuses a malformed point, and a file that is not there', async () => {
    const res = await ledger.as(auditor)('GET', `/audit/pools/${POOL}?asOf=yesterday`);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'INVALID_AS_OF' });
    const missing = await cli('audit', 'replay', '--file', file('nope.gz'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.gz/);
  });
});
