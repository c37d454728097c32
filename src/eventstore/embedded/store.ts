/**
 * The embedded event store's engine, independent of gRPC: streams indexed in memory over the durable
 * log, appends with EventStoreDB's expected-revision rules, group commit (every append waiting while
 * an fsync runs shares the next one), reads of a stream or of `$all` in both directions, and a change
 * signal for live subscriptions. Readers only ever see what is durable.
 */
import { EventEmitter } from 'node:events';
import { EventLog, LogReader, RecoveryReport } from './event-log';
import { encodeRecord, LogRecord, RecordKind, StoredEvent } from './log-record';

export type ExpectedRevision = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'exact'; revision: bigint };

export interface AllPosition {
  commit: bigint;
  prepare: bigint;
}

export interface ReadEvent extends StoredEvent {
  stream: string;
  revision: bigint;
  position: AllPosition;
}

export type AppendOutcome =
  | { status: 'ok'; nextRevision: bigint; position: AllPosition }
  | { status: 'wrong_expected_version'; current: bigint | 'no_stream'; expected: ExpectedRevision }
  | { status: 'stream_deleted' };

export type DeleteOutcome = { status: 'ok'; position: AllPosition } | AppendOutcome;

export const MAX_APPEND_SIZE = 1024 * 1024;

interface StreamEntry {
  /** Log offset of the record holding each revision, and the event's slot within it. */
  offsets: number[];
  slots: number[];
  /** Revisions below this were removed by a soft delete. */
  truncateBefore: number;
  tombstoned: boolean;
}

interface PendingWrite {
  record: LogRecord;
  expected: ExpectedRevision;
  resolve: (outcome: AppendOutcome | DeleteOutcome) => void;
  reject: (err: unknown) => void;
}

export class StoreClosedError extends Error {}

export class EventStoreEngine {
  private readonly streams = new Map<string, StreamEntry>();
  /** Offsets of append records in log order: `$all` is these records' events. */
  private readonly appendOffsets: number[] = [];
  private queue: PendingWrite[] = [];
  private writing = false;
  private closed = false;
  private readonly cache = new Map<number, LogRecord>();
  /** Records of the group being written: indexed already, on disk not yet. */
  private readonly staged = new Map<number, LogRecord>();
  /** Emits 'committed' after each durable group: live subscriptions read on from their cursors. */
  readonly changes = new EventEmitter();

  private constructor(
    private readonly log: EventLog,
    readonly recovery: RecoveryReport,
  ) {
    this.changes.setMaxListeners(0);
  }

  static async open(dataDir: string): Promise<EventStoreEngine> {
    const pendingIndex: [number, LogRecord][] = [];
    const { log, recovery } = await EventLog.open(dataDir, (offset, record) => pendingIndex.push([offset, stripBodies(record)]));
    const engine = new EventStoreEngine(log, recovery);
    for (const [offset, record] of pendingIndex) engine.index(offset, record);
    return engine;
  }

  // ---- writes ----

  append(stream: string, expected: ExpectedRevision, events: StoredEvent[]): Promise<AppendOutcome> {
    return this.enqueue({ kind: RecordKind.Append, stream, firstRevision: 0n, events }, expected) as Promise<AppendOutcome>;
  }

  delete(stream: string, expected: ExpectedRevision, tombstone: boolean): Promise<DeleteOutcome> {
    const kind = tombstone ? RecordKind.Tombstone : RecordKind.Delete;
    return this.enqueue({ kind, stream, firstRevision: 0n, events: [] }, expected);
  }

  private enqueue(record: LogRecord, expected: ExpectedRevision): Promise<AppendOutcome | DeleteOutcome> {
    if (this.closed) return Promise.reject(new StoreClosedError('the event store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ record, expected, resolve, reject });
      if (!this.writing) void this.writeLoop();
    });
  }

  /** Group commit: decides every queued write against the state so far, then one write and one fsync. */
  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length) {
        const group = this.queue;
        this.queue = [];
        const staged: { write: PendingWrite; record: LogRecord; bytes: Buffer; at: number }[] = [];
        const answered: [PendingWrite, AppendOutcome | DeleteOutcome][] = [];
        let at = this.log.end;
        for (const write of group) {
          let decision: ReturnType<EventStoreEngine['decideWrite']>;
          try {
            decision = this.decideWrite(write);
          } catch (err) {
            write.reject(err); // one bad write is refused alone; the group goes on
            continue;
          }
          if ('outcome' in decision) {
            answered.push([write, decision.outcome]);
            continue;
          }
          const bytes = encodeRecord(decision.record);
          staged.push({ write, record: decision.record, bytes, at });
          this.staged.set(at, decision.record);
          this.index(at, stripBodies(decision.record));
          at += bytes.length;
        }
        if (staged.length) {
          try {
            await this.log.append(staged.map((s) => s.bytes));
          } catch (err) {
            // The in-memory index already holds these records; with the disk refusing them the two no
            // longer agree, so the store stops rather than serve a history it cannot keep.
            this.closed = true;
            for (const s of staged) s.write.reject(err);
            for (const w of this.queue.splice(0)) w.reject(err);
            throw err;
          }
        }
        this.staged.clear();
        for (const s of staged) s.write.resolve(this.outcomeOf(s.record, s.at));
        for (const [write, outcome] of answered) write.resolve(outcome);
        if (staged.length) this.changes.emit('committed');
      }
    } finally {
      this.writing = false;
    }
  }

  private decideWrite(write: PendingWrite): { record: LogRecord } | { outcome: AppendOutcome | DeleteOutcome } {
    const { record, expected } = write;
    const entry = this.streams.get(record.stream);
    if (entry?.tombstoned) return { outcome: { status: 'stream_deleted' } };
    const last = entry ? entry.offsets.length - 1 : -1;
    const exists = entry !== undefined && last >= entry.truncateBefore;
    const current: bigint | 'no_stream' = last >= 0 ? BigInt(last) : 'no_stream';

    if (record.kind === RecordKind.Append) {
      const duplicate = this.idempotentAppend(record, expected, entry);
      if (duplicate) return { outcome: duplicate };
    }
    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && !exists) ||
      (expected.kind === 'stream_exists' && exists) ||
      (expected.kind === 'exact' && BigInt(last) === expected.revision);
    if (!ok) return { outcome: { status: 'wrong_expected_version', current, expected } };

    // Appends start at the next revision; deletes remove everything below it.
    return { record: { ...record, firstRevision: BigInt(last + 1) } };
  }

  /**
   * EventStoreDB's idempotence: an append whose event ids are exactly the events already written right
   * after the expected revision (or, for `any`, the stream's last events) succeeds again without
   * writing anything, answering with where those events are.
   */
  private idempotentAppend(record: LogRecord, expected: ExpectedRevision, entry: StreamEntry | undefined): AppendOutcome | undefined {
    if (!entry || record.events.length === 0) return undefined;
    const n = record.events.length;
    const last = entry.offsets.length - 1;
    let first: number;
    if (expected.kind === 'exact') first = Number(expected.revision) + 1;
    else if (expected.kind === 'no_stream') first = 0;
    else if (expected.kind === 'any') first = last - n + 1;
    else return undefined;
    if (first < entry.truncateBefore || first + n - 1 > last) return undefined;
    for (let i = 0; i < n; i++) {
      if (!this.eventAt(entry, first + i).id.equals(record.events[i].id)) return undefined;
    }
    const lastRevision = first + n - 1;
    return { status: 'ok', nextRevision: BigInt(lastRevision), position: this.positionOf(entry, lastRevision) };
  }

  private outcomeOf(record: LogRecord, at: number): AppendOutcome | DeleteOutcome {
    if (record.kind === RecordKind.Append) {
      const n = record.events.length;
      return { status: 'ok', nextRevision: record.firstRevision + BigInt(n - 1), position: { commit: BigInt(at), prepare: BigInt(at + n - 1) } };
    }
    return { status: 'ok', position: { commit: BigInt(at), prepare: BigInt(at) } };
  }

  /** Folds one record into the in-memory index (at open, and as writes are staged). */
  private index(offset: number, record: LogRecord): void {
    let entry = this.streams.get(record.stream);
    if (!entry) {
      entry = { offsets: [], slots: [], truncateBefore: 0, tombstoned: false };
      this.streams.set(record.stream, entry);
    }
    switch (record.kind) {
      case RecordKind.Append:
        for (let i = 0; i < record.events.length; i++) {
          entry.offsets.push(offset);
          entry.slots.push(i);
        }
        this.appendOffsets.push(offset);
        break;
      case RecordKind.Delete:
        entry.truncateBefore = Number(record.firstRevision);
        break;
      case RecordKind.Tombstone:
        entry.tombstoned = true;
        entry.truncateBefore = Number(record.firstRevision);
        break;
    }
  }

  // ---- reads ----

  streamState(stream: string): { exists: boolean; tombstoned: boolean; lastRevision: bigint; firstRevision: bigint } {
    const entry = this.streams.get(stream);
    if (!entry) return { exists: false, tombstoned: false, lastRevision: -1n, firstRevision: 0n };
    const visible = this.visibleCount(entry);
    return {
      exists: visible > entry.truncateBefore,
      tombstoned: entry.tombstoned,
      lastRevision: BigInt(visible - 1),
      firstRevision: BigInt(entry.truncateBefore),
    };
  }

  /** Reads up to `max` events of a stream from a revision, forwards or backwards. */
  readStream(stream: string, from: bigint | 'start' | 'end', direction: 'forwards' | 'backwards', max: number): ReadEvent[] {
    const entry = this.streams.get(stream);
    if (!entry) return [];
    const count = this.visibleCount(entry);
    const out: ReadEvent[] = [];
    if (direction === 'forwards') {
      let rev = from === 'start' ? entry.truncateBefore : from === 'end' ? count : Math.max(Number(from), entry.truncateBefore);
      for (; rev < count && out.length < max; rev++) out.push(this.readEventAt(stream, entry, rev));
    } else {
      let rev = from === 'end' || from === 'start' ? (from === 'end' ? count - 1 : entry.truncateBefore - 1) : Math.min(Number(from), count - 1);
      for (; rev >= entry.truncateBefore && out.length < max; rev--) out.push(this.readEventAt(stream, entry, rev));
    }
    return out;
  }

  /** Reads `$all` backwards from a position (inclusive) or the end. */
  readAllBackwards(from: AllPosition | 'end', max: number, accept: (e: ReadEvent) => boolean = () => true): ReadEvent[] {
    const out: ReadEvent[] = [];
    const durable = this.log.end;
    let i = upperBound(this.appendOffsets, from === 'end' ? Number.MAX_SAFE_INTEGER : Number(from.commit)) - 1;
    for (; i >= 0 && out.length < max; i--) {
      const offset = this.appendOffsets[i];
      if (offset >= durable) continue;
      const record = this.recordAt(offset);
      for (let slot = record.events.length - 1; slot >= 0 && out.length < max; slot--) {
        const e = this.toReadEvent(record, offset, slot);
        if (from !== 'end' && comparePosition(e.position, from) > 0) continue;
        if (this.isVisible(e) && accept(e)) out.push(e);
      }
    }
    return out;
  }

  /** Log offset of the first append record that may hold events at or after this position. */
  offsetFor(position: AllPosition | 'start' | 'end'): number {
    if (position === 'start') return 0;
    if (position === 'end') return this.log.end;
    const i = lowerBound(this.appendOffsets, Number(position.commit));
    return i < this.appendOffsets.length ? this.appendOffsets[i] : this.log.end;
  }

  /** A forward cursor over `$all` from a log offset; it stops at what is durable and can be resumed. */
  allCursor(offset: number): AllCursor {
    return new AllCursor(this, this.log.reader(offset));
  }

  get end(): AllPosition {
    const last = this.appendOffsets.length ? this.appendOffsets[this.appendOffsets.length - 1] : -1;
    if (last < 0 || last >= this.log.end) return { commit: BigInt(this.log.end), prepare: BigInt(this.log.end) };
    return { commit: BigInt(last), prepare: BigInt(last) };
  }

  /** Whether an event read from the log is still part of its stream (not removed by a delete). */
  isVisible(e: { stream: string; revision: bigint }): boolean {
    const entry = this.streams.get(e.stream);
    return entry !== undefined && Number(e.revision) >= entry.truncateBefore;
  }

  toReadEvent(record: LogRecord, offset: number, slot: number): ReadEvent {
    const e = record.events[slot];
    return {
      id: e.id,
      type: e.type,
      isJson: e.isJson,
      created: e.created,
      data: e.data,
      metadata: e.metadata,
      stream: record.stream,
      revision: record.firstRevision + BigInt(slot),
      position: { commit: BigInt(offset), prepare: BigInt(offset + slot) },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await new Promise((r) => setImmediate(r));
    await this.log.close();
  }

  private visibleCount(entry: StreamEntry): number {
    // Revisions whose record is staged but not yet fsynced are not visible.
    let n = entry.offsets.length;
    while (n > 0 && entry.offsets[n - 1] >= this.log.end) n--;
    return n;
  }

  private readEventAt(stream: string, entry: StreamEntry, revision: number): ReadEvent {
    const offset = entry.offsets[revision];
    return this.toReadEvent({ ...this.recordAt(offset), stream }, offset, entry.slots[revision]);
  }

  private eventAt(entry: StreamEntry, revision: number): StoredEvent {
    return this.recordAt(entry.offsets[revision]).events[entry.slots[revision]];
  }

  private positionOf(entry: StreamEntry, revision: number): AllPosition {
    const offset = entry.offsets[revision];
    return { commit: BigInt(offset), prepare: BigInt(offset + entry.slots[revision]) };
  }

  /** Reads a record by offset through a small cache (a batch's events are often read together). */
  private recordAt(offset: number): LogRecord {
    let record = this.staged.get(offset) ?? this.cache.get(offset);
    if (!record) {
      record = this.log.readRecord(offset);
      this.cache.set(offset, record);
      if (this.cache.size > 4096) this.cache.delete(this.cache.keys().next().value as number);
    }
    return record;
  }
}

/** Reads `$all` forwards through the log, skipping deletions and deleted events. */
export class AllCursor {
  private pending: ReadEvent[] = [];

  constructor(
    private readonly engine: EventStoreEngine,
    private readonly reader: LogReader,
  ) {}

  /** The next durable event, or undefined when the cursor has reached the end for now. */
  next(): ReadEvent | undefined {
    for (;;) {
      const queued = this.pending.shift();
      if (queued) {
        if (this.engine.isVisible(queued)) return queued;
        continue;
      }
      const step = this.reader.next();
      if (step.status !== 'ok') return undefined;
      if (step.record.kind !== RecordKind.Append) continue;
      for (let slot = 0; slot < step.record.events.length; slot++) this.pending.push(this.engine.toReadEvent(step.record, step.offset, slot));
    }
  }
}

/** Record bodies are read from disk when needed: the index keeps only what placing events requires. */
function stripBodies(record: LogRecord): LogRecord {
  return { ...record, events: record.events.map(() => EMPTY_EVENT) };
}
const EMPTY_EVENT: StoredEvent = { id: Buffer.alloc(16), type: '', isJson: false, created: 0n, data: Buffer.alloc(0), metadata: Buffer.alloc(0) };

export function comparePosition(a: AllPosition, b: AllPosition): number {
  return a.commit === b.commit ? Number(a.prepare - b.prepare) : a.commit < b.commit ? -1 : 1;
}

function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
