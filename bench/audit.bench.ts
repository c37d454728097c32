/**
 * Issue 7's targets: replay and full verification of a history of 1,000,000 events containing 1,000
 * liquidation proofs. The history is made by the ledger's own deciders (bench/support/synthetic-
 * history.ts) and written to the embedded store running as its own process, with the ledger's
 * checkpoint recorder running beside it, and exported to a signed file. Then, each from the store and
 * from the file, in a process of its own as an auditor runs it (the CLI): the fold alone (time
 * travel's work, `audit state`) and the full audit (`audit replay`: chains, checkpoints, every command
 * re-decided, batch proof verification), with their peak memory; and the proofs' batch verification.
 * BENCH_AUDIT_POSITIONS (default 100,000, ten events each) and BENCH_AUDIT_PROOFS (default 1,000)
 * make it smaller. The first run proves every claim (about half a second each) and caches the proofs
 * in bench/.cache; later runs reuse them.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { LedgerFeed } from '../src/eventstore/ledger-feed';
import { AuditCheckpoints } from '../src/audit/audit-checkpoint';
import { AuditReport } from '../src/audit/auditor';
import { newSigningKey, privateKeyFrom, readStore, writeExport } from '../src/audit/history';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config/config';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { BatchVerifier } from '../src/zk/batch-verify';
import { releaseCurve } from '../src/zk/snarkjs';
import { LedgerSigning } from '../src/eventstore/ledger-signing';
import { Benchmark, BenchRow, fmt } from './bench';
import { startEventStoreProcess } from './support/eventstore-process';
import { proofCache } from './support/proof-cache';
import { SYNTHETIC_POOL, syntheticHistory, writeHistory } from './support/synthetic-history';

const POSITIONS = Number(process.env.BENCH_AUDIT_POSITIONS ?? 100_000);
const PROOFS = Number(process.env.BENCH_AUDIT_PROOFS ?? 1_000);
const EVENTS_PER_POSITION = 10;
/** Runs the CLI as an auditor would, in its own process, timing it and reading its peak memory. */
function cli(args: string[]): { seconds: number; maxRssMiB: number; code: number | null; stderr: string } {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, path.join(__dirname, '../src/cli/main.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const [seconds, kib] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds, maxRssMiB: kib / 1024, code: run.status, stderr: run.stderr };
}

async function run(): Promise<BenchRow[]> {
  await loadCrypto();
  const store = await startEventStoreProcess();
  const client = EventStoreDBClient.connectionString(store.connectionString);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-audit-'));
  const signing = await LedgerSigning.open(client, path.join(dir, 'ledger-key.pem'));
  const feed = new LedgerFeed(client);
  const recorder = new AuditCheckpoints(client, loadConfig({ ...process.env, AUDIT_CHECKPOINT_EVERY: '1000' }), signing, feed);
  const cache = proofCache(`audit-${POSITIONS}-${PROOFS}`);
  const proven: { proof: unknown; publicSignals: string[] }[] = [];
  try {
    await recorder.onApplicationBootstrap();
    let started = performance.now();
    const prove: typeof cache.prove = async (claim) => {
      const p = await cache.prove(claim);
      proven.push(p);
      return p;
    };
    const events = await writeHistory(client, syntheticHistory({ positions: POSITIONS, eventsPerPosition: EVENTS_PER_POSITION, liquidations: PROOFS, positionsPerRound: 100 }, prove));
    await recorder.recordNow();
    await recorder.onApplicationShutdown();
    await feed.stop();
    cache.save();
    const written = (performance.now() - started) / 1000;

    // The same history as an auditor takes it away: a signed export.
    const exportFile = path.join(dir, 'history.jsonl.gz');
    const key = newSigningKey();
    writeFileSync(path.join(dir, 'exporter.pub'), key.publicKey);
    await writeExport(exportFile, readStore(client), privateKeyFrom(key.privateKey));

    const source = { store: ['--eventstore', store.connectionString], file: ['--file', exportFile, '--public-key', path.join(dir, 'exporter.pub')] };
    const rows: BenchRow[] = [{ work: `history written: ${fmt(events, 0)} events, ${fmt(PROOFS, 0)} proofs (${cache.made} proved this run)`, value: `${fmt(written, 1)} s`, target: '', met: '' }];
    for (const [name, args] of Object.entries(source)) {
      const fold = cli(['audit', 'state', ...args, '--pool', SYNTHETIC_POOL]);
      rows.push({
        work: `fold only (time travel: audit state), from the ${name}`,
        value: fold.code === 0 ? `${fmt(events / fold.seconds, 0)} events/s (${fmt(fold.seconds, 1)} s, peak ${fmt(fold.maxRssMiB, 0)} MiB)` : `FAILED: ${fold.stderr.slice(0, 200)}`,
        target: '> 100,000 events/s',
        met: fold.code === 0 && events / fold.seconds > 100_000 ? 'yes' : 'no',
      });
      const json = path.join(dir, `report-${name}.json`);
      const audit = cli(['audit', 'replay', ...args, '--json', json]);
      const report = JSON.parse(readFileSync(json, 'utf8')) as AuditReport;
      const failed = report.ok ? '' : ` (${report.failures.length} FAILURES, first: ${report.failures[0].code} ${report.failures[0].message})`;
      rows.push({
        work: `full audit (audit replay) from the ${name}: ${fmt(report.commands, 0)} commands re-decided, ${report.checks.find((c) => c.check.startsWith('$all order'))?.detail}${failed}`,
        value: `${fmt(audit.seconds, 1)} s (${fmt(events / audit.seconds, 0)} events/s), peak ${fmt(audit.maxRssMiB, 0)} MiB`,
        target: '< 120 s',
        met: audit.seconds < 120 && report.ok ? 'yes' : 'no',
      });
    }

    const verifier = await BatchVerifier.create();
    started = performance.now();
    for (let i = 0; i < proven.length; i += 64) await verifier.verify(proven.slice(i, i + 64));
    rows.push({ work: `batch verification of the ${fmt(proven.length, 0)} proofs (64 a batch)`, value: `${fmt(proven.length / ((performance.now() - started) / 1000), 0)} proofs/s`, target: '', met: '' });
    return rows;
  } finally {
    await client.dispose();
    await store.stop();
    await releaseCurve();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const auditBenchmark: Benchmark = {
  name: 'audit',
  title: 'auditor replay of 1,000,000 events with 1,000 proofs: fold > 100,000 events/s, whole audit < 2 min',
  run,
};
