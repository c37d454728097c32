/**
 * `npm run cli -- audit …`: what an auditor runs. Replay the history (from a running store, or from a
 * signed export, offline) and get a report of what holds; export the history; see a pool or position
 * as of any point; make a signing key; ask the ledger for a checkpoint.
 */
import type { EventStoreDBClient } from '@eventstore/db-client';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from '../cli/cli-error';
import { dataDirOf } from '../config/config';
import { loadCrypto } from '../domain/crypto/crypto';
import { ledgerApi, LedgerTarget, print, withLedger } from '../cli/ledger-api';
import type { AuditReport } from './auditor';
import type { ExportCheck, HistoryBound, HistoryEvent } from './history';
import { LedgerKeyDocument, LedgerKeys } from '../eventstore/ledger-key';
import { lastStorePosition } from '../eventstore/store-position';
import { renderReportHtml } from './report-html';

const DEFAULT_EVENTSTORE = process.env.EVENTSTORE_CONNECTION_STRING || 'esdb://127.0.0.1:2113?tls=false';

/**
 * Where keys and exports go when no path is given: the data dir's `audit/`, never the working
 * directory (a private key left in a checkout is one `git add .` from published).
 */
const inAuditDir = (name: string) => path.join(dataDirOf(), 'audit', name);

function writeArtifact(file: string, content: string, mode?: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, mode === undefined ? {} : { mode });
}

interface SourceOptions {
  eventstore: string;
  file?: string;
  publicKey?: string;
}

/**
 * What reads and replays the history: the event store client, snarkjs and Nest's decorators, a second of
 * CPU to load, which `audit checkpoint` (one API call) and `audit keygen` do without.
 */
const history = () => require('./history') as typeof import('./history');
const replay = () => ({ ...(require('./as-of') as typeof import('./as-of')), ...(require('./auditor') as typeof import('./auditor')) });

export function registerAuditCommands(audit: Command): void {
  const source = (c: Command) =>
    c
      .option('--eventstore <connection-string>', 'the event store to read (or EVENTSTORE_CONNECTION_STRING)', DEFAULT_EVENTSTORE)
      .option('--file <export>', 'read a signed export instead of a store (offline)')
      .option('--public-key <pem-file>', "with --file: the exporter's public key, to check who signed it")
      // Replaying and folding the history re-decides commands: commitments and oracle signatures.
      .hook('preAction', () => loadCrypto());

  source(audit.command('replay').description('replay the history with the ledger’s own rules and report what holds; exit 1 if anything fails'))
    .option('--ledger-key <pem-file-or-url>', "the ledger's public key (PEM of its first key) or key history (GET /audit/ledger-key, a URL or a saved file): every link must carry its signature")
    .option('--to-position <n>', 'stop after this $all position')
    .option('--to-time <iso>', 'stop after this instant')
    .option('--json <file>', 'write the report as JSON')
    .option('--html <file>', 'write the report as an HTML page')
    .action(async (o: SourceOptions & { ledgerKey?: string; toPosition?: string; toTime?: string; json?: string; html?: string }) => {
      const { Auditor, counted, parseBound } = replay();
      const bound = { ...parseBound(o.toPosition), ...parseBound(o.toTime) };
      const ledgerKeys = await ledgerKeysFor(o);
      const report = await withHistory(o, bound, async (history, total) => {
        const bar = progressBar(total);
        const auditor = new Auditor({ ledgerKeys, progress: (position, events) => bar?.update(Number(total ? position : BigInt(events))) });
        try {
          return await auditor.run(history);
        } finally {
          bar?.stop();
          await (require('../zk') as typeof import('../zk')).releaseCurve();
        }
      });
      if (o.json) writeArtifact(o.json, JSON.stringify(report, null, 2) + '\n');
      if (o.html) writeArtifact(o.html, renderReportHtml(report));
      printSummary(report);
      if (!report.ok) throw new CliError(`the audit found ${counted(report.failures.length, 'failure')}`);
    });

  audit
    .command('export')
    .description('write the history as a signed, gzip-compressed JSON-lines file')
    .option('--out <file>', 'where to write it', inAuditDir('history.jsonl.gz'))
    .option('--signing-key <pem-file>', 'Ed25519 private key (see `audit keygen`)', inAuditDir('exporter.key'))
    .option('--eventstore <connection-string>', 'the event store to read (or EVENTSTORE_CONNECTION_STRING)', DEFAULT_EVENTSTORE)
    .option('--ledger-key <file-or-url>', "the ledger's key history (GET /audit/ledger-key), written into the export for its auditors")
    .option('--to-position <n>', 'stop after this $all position')
    .option('--to-time <iso>', 'stop after this instant')
    .action(async (o: { out: string; signingKey: string; eventstore: string; ledgerKey?: string; toPosition?: string; toTime?: string }) => {
      const { privateKeyFrom, writeExport } = history();
      const { parseBound } = replay();
      const key = privateKeyFrom(readText(o.signingKey));
      const bound = { ...parseBound(o.toPosition), ...parseBound(o.toTime) };
      const ledgerKeys = o.ledgerKey ? await ledgerKeyDocument(o.ledgerKey) : undefined;
      mkdirSync(path.dirname(o.out), { recursive: true });
      const summary = await withHistory({ eventstore: o.eventstore }, bound, (history) => writeExport(o.out, history, key, ledgerKeys));
      print({ file: o.out, events: summary.events, lastPosition: summary.lastPosition?.toString() ?? null, sha256: summary.sha256 });
    });

  audit
    .command('keygen')
    .description('make an Ed25519 key pair for signing exports (PEM)')
    .option('--out <prefix>', 'writes <prefix>.key (private) and <prefix>.pub', inAuditDir('exporter'))
    .action((o: { out: string }) => {
      const { privateKey, publicKey } = history().newSigningKey();
      writeArtifact(`${o.out}.key`, privateKey, 0o600);
      writeArtifact(`${o.out}.pub`, publicKey);
      print({ privateKey: `${o.out}.key`, publicKey: `${o.out}.pub` });
    });

  source(audit.command('state').description('a pool or a position as it stood at a point of the history'))
    .option('--pool <id>')
    .option('--position <id>')
    .option('--as-of <position-or-iso>', 'a $all position or an ISO-8601 instant (default: the end)')
    .action(async (o: SourceOptions & { pool?: string; position?: string; asOf?: string }) => {
      if (!o.pool === !o.position) throw new CliError('name exactly one of --pool and --position', 2);
      const { foldHistory, parseBound, poolAsOf, positionAsOf } = replay();
      const folded = await withHistory(o, parseBound(o.asOf), (history) => foldHistory(history));
      print(o.pool ? poolAsOf(folded, o.pool) : positionAsOf(folded, o.position!));
    });

  withLedger(audit.command('rotate-ledger-key').description('retire the ledger’s signing key for a new one (as an admin); prints the key history'))
    .action(async (o: LedgerTarget) => print(await ledgerApi(o, 'POST', '/audit/ledger-key/rotations')));

  withLedger(audit.command('checkpoint').description('ask the ledger to record a checkpoint of the $all prefix now'))
    .action(async (o: LedgerTarget) => print(await ledgerApi(o, 'POST', '/audit/checkpoints')));
}

/** Opens the history (store or export) for `use`, and afterwards says what the export's signature showed. */
async function withHistory<T>(o: SourceOptions, bound: HistoryBound, use: (history: AsyncIterable<HistoryEvent>, total?: bigint) => Promise<T>): Promise<T> {
  const { publicKeyFrom, readExport, readStore } = history();
  if (o.file) {
    const check: ExportCheck = { signatureValid: false, signerTrusted: false };
    const result = await use(readExport(o.file, check, o.publicKey ? publicKeyFrom(readText(o.publicKey)) : undefined, bound));
    const failure = check.signatureValid ? undefined : check.problem ?? 'the export does not match its signature';
    if (failure) {
      if (isReport(result)) {
        result.failures.unshift({ code: 'EXPORT_SIGNATURE_INVALID', message: failure });
        result.ok = false;
      } else {
        throw new CliError(failure);
      }
    }
    if (!check.signerTrusted) console.error('note: no --public-key given: the file matches its own embedded key, which says nothing of who signed it');
    return result;
  }
  const client: EventStoreDBClient = (require('@eventstore/db-client') as typeof import('@eventstore/db-client')).EventStoreDBClient.connectionString(o.eventstore);
  try {
    const total = bound.position ?? (await lastStorePosition(client));
    return await use(readStore(client, bound), total);
  } catch (err) {
    if ((err as { type?: string }).type === 'unavailable' || /UNAVAILABLE|ECONNREFUSED/.test(String((err as Error).message))) {
      throw new CliError(`cannot reach the event store at ${o.eventstore}: ${(err as Error).message}`);
    }
    throw err;
  } finally {
    await client.dispose();
  }
}

/**
 * The ledger's keys an audit holds links to: those given, or else those an export carries (only as
 * trustworthy as the export's signer), or none (then signatures go unchecked, and the auditor is told).
 */
async function ledgerKeysFor(o: SourceOptions & { ledgerKey?: string }): Promise<LedgerKeys | undefined> {
  if (o.ledgerKey) return LedgerKeys.fromDocument(await ledgerKeyDocument(o.ledgerKey));
  const carried = o.file ? (await history().readExportHeader(o.file)).ledgerKeys : undefined;
  if (carried) {
    console.error('note: no --ledger-key given: link signatures are checked against the key history the export carries');
    return LedgerKeys.fromDocument(carried);
  }
  console.error("note: no --ledger-key given: the ledger's signatures on the links are not checked (anyone with write access to the store can make links that fit)");
  return undefined;
}

/** A key document from a URL (GET /audit/ledger-key), a saved one, or a public key's PEM (a document of that one key). */
async function ledgerKeyDocument(source: string): Promise<LedgerKeyDocument> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source).catch((err: Error) => {
      throw new CliError(`cannot fetch the ledger's key from ${source}: ${err.message}`);
    });
    if (!res.ok) throw new CliError(`cannot fetch the ledger's key from ${source}: HTTP ${res.status}`);
    text = await res.text();
  } else {
    text = readText(source);
  }
  try {
    if (!text.trimStart().startsWith('{')) return new LedgerKeys(createPublicKey(text)).document();
    const doc = JSON.parse(text) as LedgerKeyDocument;
    LedgerKeys.fromDocument(doc);
    return doc;
  } catch (err) {
    throw new CliError(`${source} is neither a public key (PEM) nor the ledger's key history (JSON): ${(err as Error).message}`);
  }
}

function isReport(x: unknown): x is AuditReport {
  return typeof x === 'object' && x !== null && 'failures' in x && 'checks' in x;
}

function progressBar(total: bigint | undefined): SingleBar | undefined {
  if (!process.stderr.isTTY || !total || total <= 0n) return undefined;
  const bar = new SingleBar({ stream: process.stderr, format: 'replay [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}', hideCursor: true });
  bar.start(Number(total), 0);
  return bar;
}

function printSummary(report: AuditReport): void {
  const { counted } = replay();
  const lines = [
    `${report.ok ? 'HOLDS' : 'FAILS'}: ${counted(report.events, 'event')}, ${counted(report.commands, 'command')}, up to $all ${report.upTo.position ?? '—'} (${report.upTo.time ?? 'empty'})`,
    ...report.checks.map((c) => `  ${c.holds ? 'ok  ' : 'FAIL'} ${c.check} (${c.detail})`),
    ...report.failures.map((f) => `  ${f.code}${f.stream ? ` at ${f.stream}@${f.revision} ($all ${f.position})` : ''}: ${f.message}`),
    `authority (${counted(report.authority.principals.length, 'principal')}):`,
    ...report.authority.timeline.map((t) => `  ${t.at} ${t.principalId} ${t.change}${t.role ? ` as ${t.role}` : ''}${t.keyId ? ` ${t.keyId}` : ''}${t.newKeyId ? ` -> ${t.newKeyId}` : ''} by ${t.by ?? 'unrecorded'}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
}
