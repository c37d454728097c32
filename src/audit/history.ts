/**
 * The event history as an auditor takes it: every event of `$all` in order, from a running store (any
 * EventStoreDB client connection) or from an export file, up to an optional position or time. An
 * export is gzip'd JSON lines: a header, one line per event, and a last line with an Ed25519 signature
 * over the SHA-256 of every line before it, so a file taken away can be checked offline.
 */
import { isSnapshotStream } from '../eventstore/aggregate-snapshots';
import { EventStoreDBClient, FORWARDS, START } from '@eventstore/db-client';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import type { LedgerKeyDocument } from '../eventstore/ledger-key';

export interface HistoryEvent {
  stream: string;
  revision: bigint;
  /** `$all` commit position (shared by the events of one append)... */
  position: bigint;
  /** ...and prepare position (each event its own). */
  prepare: bigint;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  /** When the store recorded it, ISO-8601. */
  created: string;
}

/** Where replay stops: after this `$all` position, or after this instant, whichever is given. */
export interface HistoryBound {
  position?: bigint;
  time?: Date;
}

export const EXPORT_FORMAT = 'liquidation-ledger-history/1';

export function withinBound(e: HistoryEvent, bound: HistoryBound): boolean {
  if (bound.position !== undefined && e.position > bound.position) return false;
  if (bound.time !== undefined && new Date(e.created) > bound.time) return false;
  return true;
}

/** `$all` from a running store, system streams and snapshots (a cache of the ledger's, not its record) left out. */
export async function* readStore(client: EventStoreDBClient, bound: HistoryBound = {}): AsyncGenerator<HistoryEvent> {
  let done = false;
  // Read to the end even past the bound: leaving a read early leaves its call open.
  for await (const resolved of client.readAll({ fromPosition: START, direction: FORWARDS, maxCount: Number.MAX_SAFE_INTEGER })) {
    const e = resolved.event;
    if (done || !e || e.streamId.startsWith('$') || isSnapshotStream(e.streamId) || !e.isJson) continue;
    const event: HistoryEvent = {
      stream: e.streamId,
      revision: e.revision,
      position: e.position!.commit,
      prepare: e.position!.prepare,
      id: e.id,
      type: e.type,
      data: e.data,
      metadata: e.metadata ?? null,
      created: e.created.toISOString(),
    };
    if (!withinBound(event, bound)) {
      done = true;
      continue;
    }
    yield event;
  }
}

export interface ExportSummary {
  events: number;
  lastPosition: bigint | null;
  sha256: string;
}

/** The first line of an export. */
export interface ExportHeader {
  format: string;
  exportedAt: string;
  /** The ledger's key history (GET /audit/ledger-key), when the exporter gave it: what the links' signatures verify under. */
  ledgerKeys?: LedgerKeyDocument;
}

/** Writes `events` to `file` as a signed export. */
export async function writeExport(file: string, events: AsyncIterable<HistoryEvent>, signingKey: KeyObject, ledgerKeys?: LedgerKeyDocument): Promise<ExportSummary> {
  const gzip = createGzip();
  const out = createWriteStream(file);
  gzip.pipe(out);
  const digest = createHash('sha256');
  const write = async (value: unknown) => {
    const line = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n';
    digest.update(line);
    if (!gzip.write(line)) await once(gzip, 'drain');
  };
  await write({ format: EXPORT_FORMAT, exportedAt: new Date().toISOString(), ...(ledgerKeys ? { ledgerKeys } : {}) } satisfies ExportHeader);
  let count = 0;
  let lastPosition: bigint | null = null;
  for await (const e of events) {
    await write(e);
    count++;
    lastPosition = e.position;
  }
  const sha256 = digest.digest();
  const publicKey = createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString();
  gzip.end(JSON.stringify({ signature: { algorithm: 'ed25519', sha256: sha256.toString('hex'), publicKey, value: sign(null, sha256, signingKey).toString('base64') } }) + '\n');
  await once(out, 'finish');
  return { events: count, lastPosition, sha256: sha256.toString('hex') };
}

/** What reading an export found out about the file as a whole. */
export interface ExportCheck {
  /** The lines hash to what the signature signs, and the signature verifies under the key. */
  signatureValid: boolean;
  /** True when the signer's key was the one the auditor expected (false: only the embedded key was used). */
  signerTrusted: boolean;
  problem?: string;
}

/**
 * Reads an export. Events are yielded as they are read (the file may be large); the file's own check
 * is filled into `check` when the last line has been read.
 */
export async function* readExport(file: string, check: ExportCheck, trustedKey?: KeyObject, bound: HistoryBound = {}): AsyncGenerator<HistoryEvent> {
  const input = createReadStream(file);
  await once(input, 'open');
  const gunzip = createGunzip();
  // A file that is not gzip fails the read loop below instead of going unheard.
  input.on('error', (err) => gunzip.destroy(err));
  const lines = createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  const digest = createHash('sha256');
  let header = false;
  let signature: { sha256: string; publicKey: string; value: string } | undefined;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (signature) {
      check.problem = `line ${lineNo}: content after the signature`;
      break;
    }
    let parsed: Record<string, any>;
    try {
      parsed = JSON.parse(line);
    } catch {
      check.problem = `line ${lineNo} is not JSON`;
      digest.update(line + '\n');
      continue;
    }
    if (parsed.signature) {
      signature = parsed.signature;
      continue;
    }
    digest.update(line + '\n');
    if (!header) {
      if (parsed.format !== EXPORT_FORMAT) check.problem = `not a ${EXPORT_FORMAT} export`;
      header = true;
      continue;
    }
    const event: HistoryEvent = {
      stream: String(parsed.stream),
      revision: BigInt(parsed.revision),
      position: BigInt(parsed.position),
      prepare: BigInt(parsed.prepare),
      id: String(parsed.id),
      type: String(parsed.type),
      data: parsed.data,
      metadata: parsed.metadata,
      created: String(parsed.created),
    };
    if (withinBound(event, bound)) yield event;
  }
  if (!signature) {
    check.signatureValid = false;
    check.problem ??= 'the export has no signature line (truncated?)';
    return;
  }
  const sha256 = digest.digest();
  const key = trustedKey ?? createPublicKey(signature.publicKey);
  check.signerTrusted = trustedKey !== undefined;
  check.signatureValid = sha256.toString('hex') === signature.sha256 && verify(null, sha256, key, Buffer.from(signature.value, 'base64'));
  if (!check.signatureValid) check.problem ??= trustedKey ? 'the signature does not verify under the trusted key' : 'the file does not match its signature';
}

/** An export's header line, read alone (before the events, to know the keys their links verify under). */
export async function readExportHeader(file: string): Promise<Partial<ExportHeader>> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  const lines = createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  try {
    for await (const line of lines) return JSON.parse(line) as Partial<ExportHeader>;
  } catch {
    // Not an export: readExport says so when the events are read.
  } finally {
    lines.close();
    input.destroy();
  }
  return {};
}

export function newSigningKey(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export const privateKeyFrom = (pem: string): KeyObject => createPrivateKey(pem);
export const publicKeyFrom = (pem: string): KeyObject => createPublicKey(pem);
