/**
 * The metadata every ledger event carries in the store: the schema version of its body (for upcasting
 * on read), the id of the command that caused it (for idempotency), who issued it, the ledger time it was decided, and
 * its link in its stream's hash chain (tamper evidence: an auditor recomputes every link), and the
 * ledger's signature of that link (ledger-key.ts), which only the ledger's key can make.
 */
import { createHash } from 'node:crypto';
import { unixSeconds } from '../clock/clock';
import type { EventCodec } from '../domain/events';

export interface LedgerEventMetadata {
  schemaVersion: number;
  commandId: string;
  /** Ledger time the command was decided at, ISO-8601. */
  at: string;
  /** The hash of the stream's previous event (GENESIS_HASH for its first). */
  prevHash: string;
  /** chainHash of this event. */
  hash: string;
  /** keyIdOf the ledger key that signed `hash`, and its Ed25519 signature (see ledger-key.ts). */
  signedBy?: string;
  signature?: string;
  /** What the command asked, hashed: the same id with another request is refused (see command-handling). */
  requestHash?: string;
  /**
   * Who issued the command: a principal's id, or `system:<component>` for the ledger's own (absent in
   * events written before it was recorded). The audit checks it against who may issue what.
   */
  principal?: string;
  /** The other streams the decision read, and at which revision (see command-handling's contextReads). */
  decidedOn?: Record<string, string>;
}

export function isLedgerMetadata(m: unknown): m is Pick<LedgerEventMetadata, 'schemaVersion' | 'commandId' | 'at'> & Partial<LedgerEventMetadata> {
  const meta = m as Partial<LedgerEventMetadata> | undefined;
  return typeof meta?.schemaVersion === 'number' && typeof meta.commandId === 'string' && typeof meta.at === 'string';
}

export const GENESIS_HASH = '0'.repeat(64);

/** The ledger time (unix seconds) an event was decided at: its metadata's `at`, or else when the store created it. */
export function ledgerTimeOf(stored: { metadata?: unknown; created: Date | string }): bigint {
  return unixSeconds(new Date(isLedgerMetadata(stored.metadata) ? stored.metadata.at : stored.created));
}

/** A stored event decoded, upcast from the schema version its metadata names (version 1 without ledger metadata). */
export function decodeStored<Event>(codec: EventCodec<Event>, stored: { type: string; data: unknown; metadata?: unknown }): Event {
  return codec.decode(stored.type, isLedgerMetadata(stored.metadata) ? stored.metadata.schemaVersion : 1, stored.data as Record<string, unknown>);
}

/**
 * An event's link: SHA-256 over the previous link and everything that makes the event what it is (its
 * stream and revision, type, body and metadata), so changing, dropping, inserting or reordering any
 * event of a stream breaks the chain from there on.
 */
export function chainHash(
  prevHash: string,
  stream: string,
  revision: bigint,
  type: string,
  data: unknown,
  meta: Pick<LedgerEventMetadata, 'schemaVersion' | 'commandId' | 'at' | 'principal' | 'decidedOn'>,
): string {
  // The issuer and what the decision read are bound too, so neither can be rewritten; links made before
  // they were recorded hash as they always did.
  const issuer = meta.principal === undefined ? [] : [meta.principal];
  const decidedOn = meta.decidedOn === undefined ? [] : [meta.decidedOn];
  const content = JSON.stringify([prevHash, stream, revision.toString(), type, meta.schemaVersion, meta.commandId, meta.at, data, ...issuer, ...decidedOn]);
  return createHash('sha256').update(content).digest('hex');
}
