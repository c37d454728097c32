/**
 * Events the ledger set aside instead of folding: one it cannot decode (an unknown type, a body that
 * breaks its types) or whose stream's rules cannot take it. A store writer other than the ledger can
 * append such an event; it must never stop the ledger, at start or live. Each consumer of the history
 * (command handling, read models, the liquidation detector) reports what it sets aside here, once per
 * event for the whole process: a log line, a metric, a detail of /health/ready. A stream with a
 * quarantined event is not folded past it: what depends on that stream is refused with
 * STREAM_QUARANTINED, everything else goes on.
 *
 * An event whose link the ledger did not sign (see ledger-key.ts) is set aside the same way, before
 * anything is made of its body: UNSIGNED without a signature, BAD_SIGNATURE with one that does not
 * verify under the ledger's key of its time.
 *
 * A stream deleted or tombstoned under the ledger is set aside the same way, whole: commands on it are
 * refused with STREAM_DELETED (410), never taken for a new stream of the same name.
 */
import { Logger } from '@nestjs/common';
import { DomainError } from '../domain/decider';
import type { EventCodec } from '../domain/events';
import { decodeStored } from './event-codec';
import type { LedgerKeys, LinkProblem } from './ledger-key';

export type QuarantineReason = 'UNDECODABLE' | 'UNFOLDABLE' | LinkProblem['reason'];

/** A stored event as any consumer sees it (a recorded event names its stream `streamId`). */
export type StoredEvent = ({ stream: string } | { streamId: string }) & {
  revision: bigint;
  type: string;
  data: unknown;
  metadata?: unknown;
  id?: string;
  /** Its `$all` commit position, as each consumer has it: a recorded event's, a projected event's `commit`, a history event's. */
  position?: bigint | { commit: bigint };
  commit?: bigint;
};

const streamOf = (stored: StoredEvent) => ('streamId' in stored ? stored.streamId : stored.stream);
const commitOf = (stored: StoredEvent) => (typeof stored.position === 'bigint' ? stored.position : (stored.position?.commit ?? stored.commit));

export interface QuarantinedEvent {
  stream: string;
  revision: string;
  type: string;
  eventId: string | null;
  reason: QuarantineReason;
  message: string;
  /** When this process set it aside, ISO-8601. */
  since: string;
}

export type StreamDeletion = 'deleted' | 'tombstoned';

export interface DeletedStream {
  stream: string;
  how: StreamDeletion;
  /** When this process noticed it, ISO-8601. */
  since: string;
}

export class DeletedStreamError extends DomainError {
  constructor(readonly deleted: DeletedStream) {
    super('STREAM_DELETED', `${deleted.stream} was ${deleted.how} in the event store by someone other than the ledger; its history is gone, and nothing more is done on it`, {
      stream: deleted.stream,
      how: deleted.how,
    });
  }
}

export class StreamQuarantinedError extends DomainError {
  constructor(readonly quarantined: QuarantinedEvent) {
    super('STREAM_QUARANTINED', `${quarantined.stream} holds an event the ledger cannot use (revision ${quarantined.revision}, ${quarantined.reason}); what depends on it is refused until an operator repairs it`, {
      stream: quarantined.stream,
      revision: quarantined.revision,
      reason: quarantined.reason,
    });
  }
}

/** Provided by EventStoreModule with the ledger's keys. */
export class Quarantine {
  /** @param keys the ledger's keys, whose signature every event must carry (none: links are not checked, as in unit tests). */
  constructor(private readonly keys?: LedgerKeys) {}

  private readonly logger = new Logger('quarantine');
  /** By stream, its first quarantined event: nothing after it is folded either. */
  private readonly byStream = new Map<string, QuarantinedEvent>();
  private readonly seen = new Set<string>();
  private readonly counts = new Map<QuarantineReason, number>();
  private readonly deleted = new Map<string, DeletedStream>();
  /**
   * The link check's verdict by stored event: the live feed hands one decoded event to every consumer,
   * so its signature is checked once, not once per consumer.
   */
  private readonly checked = new WeakMap<StoredEvent, LinkProblem | undefined>();

  /** The decoded event, or undefined when it is not the ledger's or cannot be decoded (then it is quarantined). */
  decode<Event>(codec: EventCodec<Event>, stored: StoredEvent): Event | undefined {
    let decoded: Event;
    try {
      decoded = decodeStored(codec, stored);
    } catch (err) {
      this.report(stored, 'UNDECODABLE', err);
      return undefined;
    }
    let problem = this.checked.get(stored);
    if (!this.checked.has(stored)) {
      problem = this.keys?.checkEvent({ ...stored, stream: streamOf(stored) }, commitOf(stored));
      this.checked.set(stored, problem);
    }
    if (problem) {
      this.report(stored, problem.reason, new Error(problem.message));
      return undefined;
    }
    return decoded;
  }

  /** Sets an event aside (once per event, however many consumers report it) and answers its entry. */
  report(stored: StoredEvent, reason: QuarantineReason, err: unknown): QuarantinedEvent {
    const stream = streamOf(stored);
    const key = `${stream}@${stored.revision}`;
    const first = this.byStream.get(stream);
    if (this.seen.has(key)) return first!;
    this.seen.add(key);
    const entry: QuarantinedEvent = {
      stream,
      revision: stored.revision.toString(),
      type: stored.type,
      eventId: stored.id ?? null,
      reason,
      message: err instanceof Error ? err.message : String(err),
      since: new Date().toISOString(),
    };
    if (!first || BigInt(first.revision) > stored.revision) this.byStream.set(stream, entry);
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    this.logger.error(`quarantined ${entry.type} at ${stream}@${entry.revision} (${reason}): ${entry.message}`);
    return this.byStream.get(stream)!;
  }

  /** A stream deleted or tombstoned under the ledger: an alert, once (a tombstone outranks a delete). */
  noticeDeleted(stream: string, how: StreamDeletion): DeletedStream {
    const known = this.deleted.get(stream);
    if (known && (known.how === how || known.how === 'tombstoned')) return known;
    const entry = { stream, how, since: new Date().toISOString() };
    this.deleted.set(stream, entry);
    this.logger.error(`${stream} was ${how} in the event store by someone other than the ledger: commands on it are refused`);
    return entry;
  }

  /** The stream's first quarantined event, if any. */
  of(stream: string): QuarantinedEvent | undefined {
    return this.byStream.get(stream);
  }

  /** Refuses what depends on a deleted stream or on one with a quarantined event. */
  check(stream: string): void {
    const deleted = this.deleted.get(stream);
    if (deleted) throw new DeletedStreamError(deleted);
    const quarantined = this.byStream.get(stream);
    if (quarantined) throw new StreamQuarantinedError(quarantined);
  }

  deletedStreams(): DeletedStream[] {
    return [...this.deleted.values()];
  }

  list(): QuarantinedEvent[] {
    return [...this.byStream.values()];
  }

  /** Events quarantined so far, by reason. */
  countsByReason(): ReadonlyMap<QuarantineReason, number> {
    return this.counts;
  }
}
