/**
 * Snapshots of folded streams, so a stream's first command after a restart (or after it left the
 * cache) reads at most SNAPSHOT_EVERY events, not its whole history: a feed's stream grows by a report
 * per oracle per round for ever, and folding 200,000 events took 20 s of CPU.
 *
 * A snapshot is an event on `snapshot-<stream>` (readable by the store's admins only, like the streams
 * it summarises): the state at a revision, the link of the event at that revision, and the command ids
 * the stream remembers (COMMAND_IDS_KEPT). The ledger signs it with its key, over all of that, as it
 * signs its events' links: a snapshot anyone with write access to the store could write would let them
 * set any position's balances. One that does not verify, or was made by another version of the
 * states' shapes (SNAPSHOT_VERSION), is ignored, and the stream is folded from its start.
 *
 * Snapshots are a cache: the history stays the record, the auditor never reads them, and deleting
 * every `snapshot-*` stream only makes the next loads slower.
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { BACKWARDS, END, EventStoreDBClient, jsonEvent, StreamNotFoundError } from '@eventstore/db-client';
import { Logger } from '@nestjs/common';
import BTree from 'sorted-btree';
import type { LedgerSigning } from './ledger-signing';
import { HandledCommand, HandledCommands } from './handled-commands';

/** A stream gets a new snapshot once this many events have been folded since its last one. */
export const SNAPSHOT_EVERY = 1_000;
/**
 * The shapes of the aggregates' states. A snapshot holds a state as it was in memory, so a release
 * that changes a state's shape must raise this: older snapshots are then ignored, not misread.
 */
export const SNAPSHOT_VERSION = 2;
export const SNAPSHOT_EVENT = 'AggregateSnapshot';
const SNAPSHOT_DOMAIN = 'ledger-snapshot/1 ';

const SNAPSHOT_PREFIX = 'snapshot-';
export const snapshotStream = (stream: string) => SNAPSHOT_PREFIX + stream;
export const isSnapshotStream = (stream: string) => stream.startsWith(SNAPSHOT_PREFIX);

/** A folded stream as a snapshot keeps it. */
export interface SnapshotOf<State> {
  state: State;
  revision: bigint;
  lastHash: string;
  handled: HandledCommands;
}

interface SnapshotData {
  stream: string;
  version: number;
  revision: string;
  lastHash: string;
  /** The state, V8-serialised (bigints, Maps and nested values as they are; persistent maps as their entries), base64. */
  state: string;
  /** [commandId, revision, position | null, requestHash | null], oldest first. */
  handled: [string, string, string | null, string | null][];
}

/** What the ledger's signature over a snapshot binds: every field of it. */
function snapshotHash(data: SnapshotData): string {
  return createHash('sha256')
    .update(SNAPSHOT_DOMAIN + JSON.stringify([data.stream, data.version, data.revision, data.lastHash, data.state, data.handled]))
    .digest('hex');
}

export class AggregateSnapshots {
  private readonly logger = new Logger('snapshots');
  /** Snapshots being written, by stream: one at a time per stream, and a stream's newer one waits. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly signing: LedgerSigning,
  ) {}

  /** The stream's latest snapshot, if there is one that the ledger's key signed and this version can read. */
  async latest<State>(stream: string): Promise<SnapshotOf<State> | undefined> {
    let found: { data: unknown; metadata: unknown; commit?: bigint } | undefined;
    try {
      // Read to its end (one event): leaving a read early leaves its call open.
      for await (const { event } of this.client.readStream(snapshotStream(stream), { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        if (event?.isJson && event.type === SNAPSHOT_EVENT) found = { data: event.data, metadata: event.metadata, commit: event.position?.commit };
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return undefined;
      throw err;
    }
    if (!found) return undefined;
    const data = found.data as SnapshotData;
    const problem = this.problemWith(stream, data, found.metadata, found.commit);
    if (problem) {
      this.logger.warn(`snapshot of ${stream} ignored (${problem}): the stream is folded from its start`);
      return undefined;
    }
    let state: State;
    try {
      state = restored(deserialize(Buffer.from(data.state, 'base64'))) as State;
    } catch (err) {
      this.logger.warn(`snapshot of ${stream} ignored (its state does not read: ${(err as Error).message}): the stream is folded from its start`);
      return undefined;
    }
    const handled = new HandledCommands();
    for (const [commandId, revision, position, requestHash] of data.handled) {
      handled.record(commandId, { revision: BigInt(revision), ...(position !== null ? { position: BigInt(position) } : {}), ...(requestHash !== null ? { requestHash } : {}) });
    }
    return { state, revision: BigInt(data.revision), lastHash: data.lastHash, handled };
  }

  /** Records a snapshot in the background; a failure is logged and only means a slower load later. */
  write(stream: string, snapshot: SnapshotOf<unknown>): void {
    const data: SnapshotData = {
      stream,
      version: SNAPSHOT_VERSION,
      revision: snapshot.revision.toString(),
      lastHash: snapshot.lastHash,
      state: serialize(kept(snapshot.state)).toString('base64'),
      handled: snapshot.handled.upTo(snapshot.revision).map(([id, h]: [string, HandledCommand]) => [id, h.revision.toString(), h.position?.toString() ?? null, h.requestHash ?? null]),
    };
    const previous = this.writing.get(stream) ?? Promise.resolve();
    const next = previous
      .then(() => this.signing.signing((sign) => this.client.appendToStream(snapshotStream(stream), jsonEvent({ type: SNAPSHOT_EVENT, data: { ...data }, metadata: sign(snapshotHash(data)) }))))
      .then(
        () => undefined,
        (err: Error) => this.logger.warn(`snapshot of ${stream} at ${data.revision} not recorded: ${err.message}`),
      );
    this.writing.set(stream, next);
    void next.then(() => this.writing.get(stream) === next && this.writing.delete(stream));
  }

  /** Waits for the snapshots being written (for a clean stop). */
  async flushed(): Promise<void> {
    await Promise.all(this.writing.values());
  }

  private problemWith(stream: string, data: SnapshotData, metadata: unknown, commit: bigint | undefined): string | undefined {
    if (typeof data !== 'object' || data === null || data.stream !== stream) return 'it names another stream';
    if (data.version !== SNAPSHOT_VERSION) return `version ${String(data.version)}, this ledger reads ${SNAPSHOT_VERSION}`;
    if (typeof data.state !== 'string' || typeof data.revision !== 'string' || typeof data.lastHash !== 'string' || !Array.isArray(data.handled)) return 'malformed';
    return this.signing.keys.checkSignature(snapshotHash(data), metadata, commit)?.message;
  }
}

/**
 * V8 serialises plain values only. A persistent map in a state (a pool's reservations: a B+ tree, whose
 * comparator is a function) is kept as its entries under this key, and built again when read.
 */
const KEPT_TREE = '$sortedEntries';

/** An object as V8 reads one back (of whatever realm: not by its prototype); Maps, Dates and the like are not. */
const isPlainObject = (value: unknown): value is Record<string, unknown> => Object.prototype.toString.call(value) === '[object Object]';

function kept(value: unknown): unknown {
  if (value instanceof BTree) return { [KEPT_TREE]: value.toArray().map(([key, entry]) => [key, kept(entry)]) };
  if (Array.isArray(value)) return value.map(kept);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, kept(field)]));
  return value;
}

function restored(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(restored);
  if (!isPlainObject(value)) return value;
  const entries = value[KEPT_TREE];
  if (Array.isArray(entries)) return new BTree(entries.map(([key, entry]: [unknown, unknown]) => [key, restored(entry)]));
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, restored(field)]));
}
