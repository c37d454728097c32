/**
 * Issue 7's targets: replay and full verification of a history of 1,000,000 events containing 1,000
 * liquidation proofs. The history is made by the ledger's own deciders (bench/support/synthetic-
 * history.ts) and written to the embedded store running as its own process, with the ledger's
 * checkpoint recorder running beside it. Then: the fold alone (time travel's work), the full audit
 * (chains, checkpoints, every command re-decided, batch proof verification), and the proofs alone.
 * BENCH_AUDIT_POSITIONS (default 100,000, ten events each) and BENCH_AUDIT_PROOFS (default 1,000)
 * make it smaller. The first run proves every claim (about half a second each) and caches the proofs
 * in bench/.cache; later runs reuse them.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { AuditCheckpoints } from '../src/audit/audit-checkpoint';
import { Auditor } from '../src/audit/auditor';
import { ExportCheck, newSigningKey, privateKeyFrom, readExport, readStore, writeExport } from '../src/audit/history';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../src/config/config';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { BatchVerifier } from '../src/zk/batch-verify';
import { releaseCurve } from '../src/zk/snarkjs';
import { Benchmark, BenchRow, fmt } from './bench';
import { startEventStoreProcess } from './support/eventstore-process';
import { proofCache } from './support/proof-cache';
import { SyntheticAppend, syntheticHistory } from './support/synthetic-history';

const POSITIONS = Number(process.env.BENCH_AUDIT_POSITIONS ?? 100_000);
const PROOFS = Number(process.env.BENCH_AUDIT_PROOFS ?? 1_000);
const EVENTS_PER_POSITION = 10;
/** Position bursts written at once between price rounds (their order among themselves is free). */
const IN_FLIGHT = 64;

/** Appends in history order: price and pool commands alone, position bursts between them concurrently. */
async function write(client: EventStoreDBClient, appends: AsyncIterable<SyntheticAppend>): Promise<number> {
  let inFlight: Promise<unknown>[] = [];
  let events = 0;
  const append = (a: SyntheticAppend) => client.appendToStream(a.stream, a.events.map((e) => jsonEvent(e)));
  for await (const a of appends) {
    events += a.events.length;
    if (!a.stream.startsWith('position-')) {
      await Promise.all(inFlight);
      inFlight = [];
      await append(a);
      continue;
    }
    inFlight.push(append(a));
    if (inFlight.length >= IN_FLIGHT) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  return events;
}

async function run(): Promise<BenchRow[]> {
  await loadCrypto();
  const store = await startEventStoreProcess();
  const client = EventStoreDBClient.connectionString(store.connectionString);
  const recorder = new AuditCheckpoints(client, loadConfig({ ...process.env, AUDIT_CHECKPOINT_EVERY: '1000' }));
  const proofs = proofCache(`audit-${POSITIONS}-${PROOFS}`);
  try {
    await recorder.onApplicationBootstrap();
    let started = performance.now();
    const events = await write(client, syntheticHistory({ positions: POSITIONS, eventsPerPosition: EVENTS_PER_POSITION, liquidations: PROOFS, positionsPerRound: 100 }, proofs.prove));
    await recorder.recordNow();
    await recorder.onApplicationShutdown();
    proofs.save();
    const written = (performance.now() - started) / 1000;

    started = performance.now();
    const folded = await new Auditor({ check: false }).run(readStore(client));
    const foldSeconds = (performance.now() - started) / 1000;

    // The same history as an auditor takes it away: a signed export, replayed offline.
    const exportFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-audit-')), 'history.jsonl.gz');
    await writeExport(exportFile, readStore(client), privateKeyFrom(newSigningKey().privateKey));
    const check: ExportCheck = { signatureValid: false, signerTrusted: false };
    started = performance.now();
    const foldedFile = await new Auditor({ check: false }).run(readExport(exportFile, check));
    const foldFileSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const fileReport = await new Auditor().run(readExport(exportFile, check));
    const auditFileSeconds = (performance.now() - started) / 1000;
    rmSync(path.dirname(exportFile), { recursive: true, force: true });

    const rssBefore = process.memoryUsage().rss;
    started = performance.now();
    const auditor = new Auditor();
    const report = await auditor.run(readStore(client));
    const auditSeconds = (performance.now() - started) / 1000;
    const peakRss = process.resourceUsage().maxRSS * 1024;

    const verifier = await BatchVerifier.create();
    started = performance.now();
    for (let i = 0; i < auditor.replay.proofs.length; i += 64) await verifier.verify(auditor.replay.proofs.slice(i, i + 64));
    const proofSeconds = (performance.now() - started) / 1000;

    const failures = report.failures.length ? ` (${report.failures.length} FAILURES: ${report.failures[0].code} ${report.failures[0].message})` : '';
    return [
      { work: `history written: ${fmt(events, 0)} events, ${fmt(PROOFS, 0)} proofs (${proofs.made} proved this run)`, value: `${fmt(written, 1)} s`, target: '', met: '' },
      { work: 'fold only (time travel), from the store', value: `${fmt(folded.events / foldSeconds, 0)} events/s`, target: '> 100,000 events/s', met: folded.events / foldSeconds > 100_000 ? 'yes' : 'no' },
      { work: 'fold only, from a signed export file', value: `${fmt(foldedFile.events / foldFileSeconds, 0)} events/s`, target: '> 100,000 events/s', met: foldedFile.events / foldFileSeconds > 100_000 ? 'yes' : 'no' },
      {
        work: `full audit: chains, ${auditor.chain.checkpointsVerified} checkpoints, ${fmt(report.commands, 0)} commands re-decided, proofs${failures}`,
        value: `${fmt(auditSeconds, 1)} s (${fmt(report.events / auditSeconds, 0)} events/s)`,
        target: '< 120 s',
        met: auditSeconds < 120 && report.ok ? 'yes' : 'no',
      },
      {
        work: `full audit from the export file${fileReport.ok && check.signatureValid ? '' : ' (FAILED)'}`,
        value: `${fmt(auditFileSeconds, 1)} s (${fmt(fileReport.events / auditFileSeconds, 0)} events/s)`,
        target: '< 120 s',
        met: auditFileSeconds < 120 && fileReport.ok && check.signatureValid ? 'yes' : 'no',
      },
      { work: `batch verification of the ${fmt(auditor.replay.proofs.length, 0)} proofs`, value: `${fmt(auditor.replay.proofs.length / proofSeconds, 0)} proofs/s`, target: '', met: '' },
      { work: 'peak memory (RSS) of this process up to the audit (generating the history included)', value: `${fmt(peakRss / 2 ** 20, 0)} MiB; the audit grew it by ${fmt(Math.max(0, peakRss - rssBefore) / 2 ** 20, 0)} MiB`, target: '', met: '' },
    ];
  } finally {
    await client.dispose();
    await store.stop();
    await releaseCurve();
  }
}

export const auditBenchmark: Benchmark = {
  name: 'audit',
  title: 'auditor replay of 1,000,000 events with 1,000 proofs: fold > 100,000 events/s, whole audit < 2 min',
  run,
};
