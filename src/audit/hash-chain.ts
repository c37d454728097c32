/**
 * Tamper evidence, as the auditor checks it. Every ledger event links to the previous event of its
 * stream (metadata `prevHash`, `hash`; see chainHash), and the ledger periodically records a checkpoint
 * of the whole `$all` prefix (audit-checkpoint.ts). An altered event no longer matches its own hash; a
 * removed, inserted or reordered one breaks the links around it; a removed stream tail, or events
 * moved between streams' order in `$all`, no longer match the next checkpoint. Given the ledger's
 * public keys, every link and checkpoint must also carry the ledger's signature, by the key in office
 * at its position (ledger-key.ts): a writer to the store without the ledger's key computes links that
 * fit, but cannot sign them.
 */
import { createHash } from 'node:crypto';
import { chainHash, GENESIS_HASH, isLedgerMetadata } from '../eventstore/event-codec';
import { LedgerKeys } from '../eventstore/ledger-key';
import { HistoryEvent } from './history';

/** Where an event is, without its body: what a finding names, and all the check keeps of past events. */
export type EventRef = Pick<HistoryEvent, 'stream' | 'revision' | 'position' | 'id' | 'type'>;
const refOf = ({ stream, revision, position, id, type }: HistoryEvent): EventRef => ({ stream, revision, position, id, type });

export interface ChainFinding {
  code:
    | 'UNCHAINED'
    | 'EVENT_ALTERED'
    | 'EVENT_MISSING'
    | 'EVENT_REORDERED'
    | 'EVENT_INSERTED'
    | 'OUT_OF_ORDER'
    | 'CHECKPOINT_MISMATCH'
    | 'UNSIGNED'
    | 'BAD_SIGNATURE'
    | 'BAD_KEY_ROTATION';
  message: string;
  at?: EventRef;
}

/** The stream-prefix checkpoint the ledger records: the hash of every ledger event's link up to a position. */
export interface AuditCheckpoint {
  /** `$all` commit and prepare position of the last event covered (one append shares a commit position). */
  upTo: bigint;
  upToPrepare: bigint;
  events: number;
  prefixHash: string;
}

const at = (commit: bigint, prepare: bigint) => `${commit}/${prepare}`;

/** What the ledger signs of a checkpoint: all of it. */
export function checkpointLink(c: AuditCheckpoint): string {
  return createHash('sha256').update(JSON.stringify([c.upTo.toString(), c.upToPrepare.toString(), c.events, c.prefixHash])).digest('hex');
}

export const AUDIT_CHECKPOINT_STREAM = 'audit-checkpoints';
/**
 * Prefix hashes kept while waiting for the checkpoint that covers them: the last 100,000, and beyond
 * those every thousandth. The recorder checkpoints at whole multiples of its interval (1,000 by
 * default), so a checkpoint is verified however far the recorder lagged behind the writers.
 */
const MAX_AWAITING_CHECKPOINT = 100_000;
export const CHECKPOINT_GRID = 1000;
export const AUDIT_CHECKPOINT_EVENT = 'AuditCheckpointRecorded';

/** The running hash of the `$all` prefix: each ledger event's link, in order. */
export class PrefixHash {
  hash = GENESIS_HASH;
  events = 0;

  add(link: string): void {
    this.hash = createHash('sha256').update(this.hash).update(link).digest('hex');
    this.events++;
  }
}

interface StreamLinks {
  last: EventRef | undefined;
  lastHash: string;
  /** Every link seen in this stream. */
  seen: Set<string>;
}

export class HashChainCheck {
  readonly findings: ChainFinding[] = [];
  private readonly streams = new Map<string, StreamLinks>();
  /** Links some event pointed to that were not the previous event's: missing, or arriving later (reordered). */
  private readonly awaited = new Map<string, { stream: string; by: EventRef }>();
  /** Events followed by one that did not link to them, by link: inserted, unless a later event links to them. */
  private readonly suspects = new Map<string, EventRef>();
  private readonly prefix = new PrefixHash();
  /** Prefix hashes since the last checkpoint, by position (commit/prepare). */
  private readonly recent = new Map<string, { commit: bigint; events: number; hash: string }>();
  private readonly grid = new Map<string, { commit: bigint; events: number; hash: string }>();
  private last: { commit: bigint; prepare: bigint } = { commit: -1n, prepare: -1n };
  checkpointsVerified = 0;
  keyRotations = 0;

  /** @param keys the ledger's keys, from the first: links and checkpoints are then held to their signatures. */
  constructor(readonly keys?: LedgerKeys) {}

  /**
   * A ledger event: its own link, its link to the stream's previous event, and the prefix. A principal's
   * event is held to its links and signature too, but the checkpoints' prefix covers ledger streams only.
   */
  addLedgerEvent(e: HistoryEvent, inPrefix = true): void {
    this.checkOrder(e);
    const meta = e.metadata;
    if (!isLedgerMetadata(meta) || typeof meta.hash !== 'string' || typeof meta.prevHash !== 'string') {
      this.findings.push({ code: 'UNCHAINED', message: `${e.type} carries no hash-chain link`, at: e });
      return;
    }
    if (chainHash(meta.prevHash, e.stream, e.revision, e.type, e.data, meta) !== meta.hash) {
      this.findings.push({ code: 'EVENT_ALTERED', message: `${e.type} does not match its own hash: its content was changed`, at: e });
    }
    this.checkSigned(e, meta.hash, meta);
    const links = this.streams.get(e.stream) ?? { last: undefined, lastHash: GENESIS_HASH, seen: new Set<string>() };
    this.streams.set(e.stream, links);
    this.suspects.delete(meta.prevHash); // something links to it after all
    if (meta.prevHash !== links.lastHash) {
      if (links.seen.has(meta.prevHash) || meta.prevHash === GENESIS_HASH) {
        // It links to an earlier event: whatever came in between does not belong there.
        if (links.last) this.suspects.set(links.lastHash, links.last);
      } else {
        this.awaited.set(meta.prevHash, { stream: e.stream, by: refOf(e) });
      }
    }
    const late = this.awaited.get(meta.hash);
    if (late) {
      this.awaited.delete(meta.hash);
      this.findings.push({ code: 'EVENT_REORDERED', message: `${e.type} comes after ${late.by.stream}@${late.by.revision}, which follows it in the chain`, at: e });
    }
    links.seen.add(meta.hash);
    links.last = refOf(e);
    links.lastHash = meta.hash;
    if (!inPrefix) return;
    this.prefix.add(meta.hash);
    const key = at(e.position, e.prepare);
    const entry = { commit: e.position, events: this.prefix.events, hash: this.prefix.hash };
    this.recent.set(key, entry);
    if (this.prefix.events % CHECKPOINT_GRID === 0) this.grid.set(key, entry);
    if (this.recent.size > MAX_AWAITING_CHECKPOINT) this.recent.delete(this.recent.keys().next().value as string);
  }

  /** A LedgerKeyRotated: followed when both keys signed it, reported otherwise. */
  addKeyRotation(e: HistoryEvent): void {
    this.checkOrder(e);
    const problem = this.keys?.rotate(e.data, e.position);
    if (problem) this.findings.push({ code: 'BAD_KEY_ROTATION', message: `${e.type} is not followed: ${problem}`, at: e });
    else if (this.keys) this.keyRotations++;
  }

  /** A checkpoint the ledger recorded: the prefix up to its position must be ours. */
  addCheckpoint(e: HistoryEvent, checkpoint: AuditCheckpoint): void {
    this.checkOrder(e);
    this.checkSigned(e, checkpointLink(checkpoint), e.metadata);
    const key = at(checkpoint.upTo, checkpoint.upToPrepare);
    const ours = this.recent.get(key) ?? this.grid.get(key);
    if (!ours || ours.hash !== checkpoint.prefixHash || ours.events !== checkpoint.events) {
      this.findings.push({
        code: 'CHECKPOINT_MISMATCH',
        message: `the history up to ${checkpoint.upTo} (${ours?.events ?? 'no event at that position'}) is not what the checkpoint recorded (${checkpoint.events} events): events were removed, added or moved before it`,
        at: e,
      });
    } else {
      this.checkpointsVerified++;
    }
    for (const kept of [this.recent, this.grid]) for (const [k, { commit }] of kept) if (commit <= checkpoint.upTo) kept.delete(k);
  }

  /** Call at the end: links still awaited are missing events; suspects nobody links to were inserted. */
  finish(): ChainFinding[] {
    for (const [, { stream, by }] of this.awaited) {
      this.findings.push({ code: 'EVENT_MISSING', message: `an event of ${stream} before revision ${by.revision} is missing`, at: by });
    }
    for (const s of this.suspects.values()) {
      if (this.streams.get(s.stream)?.last?.id !== s.id) {
        this.findings.push({ code: 'EVENT_INSERTED', message: `${s.type} is not part of ${s.stream}'s chain: nothing links to it`, at: s });
      }
    }
    return this.findings;
  }

  private checkSigned(e: HistoryEvent, hash: string, meta: unknown): void {
    const problem = this.keys?.checkSignature(hash, meta, e.position);
    if (problem) this.findings.push({ code: problem.reason, message: `${e.type}: ${problem.message}`, at: e });
  }

  private checkOrder(e: HistoryEvent): void {
    const after = e.position > this.last.commit || (e.position === this.last.commit && e.prepare > this.last.prepare);
    if (!after) this.findings.push({ code: 'OUT_OF_ORDER', message: `${e.type} is at $all position ${e.position}/${e.prepare}, not after ${this.last.commit}/${this.last.prepare}`, at: e });
    this.last = { commit: e.position, prepare: e.prepare };
  }
}
