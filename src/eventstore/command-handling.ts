/**
 * The one command-handling path for every aggregate (as in Emmett): load the stream, fold it with
 * `evolve`, `decide`, append with the expected revision. A conflict is retried against fresh state a
 * bounded number of times. Event ids derive from the client-chosen command id, and a command whose id
 * the stream has already seen appends nothing and answers as it did the first time.
 */
import { createHash } from 'node:crypto';
import {
  AllStreamSubscription,
  AppendResult,
  END,
  EventData,
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { Decider, DomainError } from '../domain/decider';
import { EventCodec } from '../domain/events';
import { requestHashOf } from '../http/request-fingerprint';
import { chainHash, GENESIS_HASH, isLedgerMetadata, LedgerEventMetadata } from './event-codec';
import { AsyncLocalStorage } from 'node:async_hooks';
import { issuerOf } from './command-issuer';
import { DeletedStreamError, Quarantine, StoredEvent, StreamQuarantinedError } from './quarantine';
import type { LedgerSigning, SignLink } from './ledger-signing';
import { HandledCommand, HandledCommands } from './handled-commands';
import { AggregateSnapshots, SNAPSHOT_EVERY } from './aggregate-snapshots';
import { LedgerFeed } from './ledger-feed';

export interface CommandOutcome<Event, State> {
  /** Events this command appended: none when it was a duplicate or changed nothing. */
  events: Event[];
  /** The aggregate's state after the command. */
  state: State;
  /** Stream revision after the command. */
  revision: bigint;
  /** `$all` commit position of the last event, for read-your-writes on the read models. */
  position?: bigint;
  /** True when the command id had already been handled: nothing was appended this time. */
  duplicate: boolean;
}

export interface AggregateSnapshot<State> {
  state: State;
  /** Revision of the last event folded; -1n for a stream that does not exist. */
  revision: bigint;
  /** Where each command id this stream has seen left it, and what it asked, to answer a retried command. */
  handled: HandledCommands;
  /** The hash-chain link of the last event, which the next event links to. */
  lastHash: string;
  /** The revision of the stream's latest snapshot (aggregate-snapshots.ts), if it has one. */
  snapshotAt?: bigint;
}

/** A stream as it is before its first event. */
function unwritten<State>(decider: Folding<State, unknown>): AggregateSnapshot<State> {
  return { state: decider.initialState(), revision: -1n, handled: new HandledCommands(), lastHash: GENESIS_HASH };
}

/** How the snapshot's stream handled a command id, if it did. */
export function handledIn(snapshot: AggregateSnapshot<unknown>, commandId: string): HandledCommand | undefined {
  return snapshot.handled.at(commandId, snapshot.revision);
}

export interface HandleOptions<State, Context> {
  commandId: string;
  now: Date;
  /** Builds the decide context from the aggregate's state, again on each retry, with fresh state of the others. */
  context: (state: State) => Promise<Context> | Context;
  maxAttempts?: number;
  /**
   * The command starts its stream (an auction named by its reservation): the first attempt decides on
   * the initial state without the two reads that would only find no snapshot and no stream. Were the
   * stream there after all, the append's expected revision (none) refuses it and the next attempt reads.
   */
  newStream?: boolean;
}

type Folding<State, Event> = Pick<Decider<State, unknown, Event, unknown>, 'initialState' | 'evolve'>;

/**
 * The other streams a decision's context read, and at which revision. Another stream can move between
 * that read and the append (a followed snapshot lags its subscription), so the events record what they
 * were decided on, and the audit decides them again on exactly that.
 */
const contextReads = new AsyncLocalStorage<Map<string, bigint>>();

export class CommandHandling {
  /**
   * Folded states by stream, so a load reads only the events appended since (states are immutable
   * values: evolve returns a new one). Bounded; an evicted stream is folded again from its start.
   */
  private readonly snapshots = new Map<string, AggregateSnapshot<unknown>>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly maxCachedStreams = 10_000,
    private readonly quarantine = new Quarantine(),
    /** Signs each appended event's link (none: links unsigned, as in unit tests of the handling alone). */
    private readonly signing?: LedgerSigning,
    /** The process's live feed, which keeps followed snapshots current (one of its own when alone, as in unit tests). */
    private readonly feed = new LedgerFeed(client),
  ) {
    this.recorded = signing ? new AggregateSnapshots(client, signing) : undefined;
  }

  /** Signed snapshots of long streams, so a cold load reads at most SNAPSHOT_EVERY events (none when links are unsigned). */
  private readonly recorded?: AggregateSnapshots;

  /** Waits for snapshots being recorded (for a clean stop). */
  async flushSnapshots(): Promise<void> {
    await this.recorded?.flushed();
  }

  /** Loads of a stream under way: callers at the same moment share one read. */
  private readonly reading = new Map<string, Promise<AggregateSnapshot<unknown>>>();

  /** Stream prefixes whose cached snapshots a live subscription keeps current (see follow). */
  private readonly followed = new Map<string, { decider: Folding<unknown, unknown>; codec: EventCodec<unknown> }>();
  private following?: AllStreamSubscription;
  private live = false;

  /**
   * Keeps the cached snapshots of every stream starting with `prefix` current from a subscription, so
   * `current()` serves them without a read. For what a command only consults (a pool's parameters, a
   * feed's price): a snapshot is then as fresh as the subscription, a few milliseconds behind the
   * store at most, which is as current as reading it before deciding would be. What a command
   * changes is still guarded by its own stream's expected revision. Call before startFollowing().
   */
  follow<State, Event>(prefix: string, decider: Folding<State, Event>, codec: EventCodec<Event>): void {
    this.followed.set(prefix, { decider: decider as Folding<unknown, unknown>, codec: codec as EventCodec<unknown> });
  }

  /** Follows the followed prefixes on the live feed, from now on; resolves once it is live. */
  async startFollowing(): Promise<void> {
    if (!this.followed.size || this.following) return;
    const subscription = this.feed.subscribeToAll({ fromPosition: END, filter: { streamPrefixes: [...this.followed.keys()] } });
    this.following = subscription;
    await new Promise<void>((resolve, reject) => {
      subscription.once('caughtUp', () => resolve());
      subscription.once('error', reject);
    });
    // Snapshots read before the subscription was live may have missed an event: read them again.
    for (const stream of this.snapshots.keys()) if (this.followerOf(stream)) this.snapshots.delete(stream);
    this.live = true;
    subscription.on('data', (resolved) => this.applyFollowed(resolved.event));
    // While the feed is down (the store's connection lost), a snapshot may miss an event: read instead.
    // The feed takes up again where it stopped, so what was followed is current again once it is back.
    this.feed.onLiveChange((live) => (this.live = live && !subscription.destroyed));
    subscription.on('fellBehind', () => (this.live = false));
    subscription.on('caughtUp', () => (this.live = this.feed.isLive));
    subscription.on('error', () => (this.live = false));
    subscription.on('close', () => (this.live = false));
  }

  async stopFollowing(): Promise<void> {
    this.live = false;
    await this.following?.unsubscribe();
  }

  /** The stream's state: from the followed cache when it is kept current, otherwise read. */
  current<State, Event>(stream: string, decider: Folding<State, Event>, codec: EventCodec<Event>): Promise<AggregateSnapshot<State>> {
    const cached = this.live && this.followerOf(stream) ? (this.snapshots.get(stream) as AggregateSnapshot<State> | undefined) : undefined;
    if (!cached) return this.load(stream, decider, codec);
    contextReads.getStore()?.set(stream, cached.revision);
    return Promise.resolve(cached);
  }

  /** The cached snapshot, however old (for what never changes once written, such as a position's pool). */
  cached<State>(stream: string): AggregateSnapshot<State> | undefined {
    return this.snapshots.get(stream) as AggregateSnapshot<State> | undefined;
  }

  /**
   * The streams starting with `prefix` whose snapshots are cached now (read-only): those this process
   * loaded or appended to, not necessarily every such stream in the store.
   */
  cachedStreams(prefix: string): string[] {
    return [...this.snapshots.keys()].filter((stream) => stream.startsWith(prefix));
  }

  private followerOf(stream: string) {
    for (const [prefix, follower] of this.followed) if (stream.startsWith(prefix)) return follower;
    return undefined;
  }

  private applyFollowed(recorded: { streamId: string; revision: bigint; type: string; data: unknown; metadata?: unknown; isJson: boolean; position?: { commit: bigint } } | undefined): void {
    if (!recorded?.isJson) return;
    const follower = this.followerOf(recorded.streamId);
    const snapshot = this.snapshots.get(recorded.streamId);
    if (!follower || !snapshot || recorded.revision <= snapshot.revision) return; // not cached, or our own append
    if (recorded.revision !== snapshot.revision + 1n) {
      this.snapshots.delete(recorded.streamId); // a gap: read it again when next needed
      return;
    }
    const meta = recorded.metadata;
    const state = this.fold(follower.decider, follower.codec, snapshot.state, recorded);
    if (state === undefined) {
      this.snapshots.delete(recorded.streamId); // quarantined: the next load refuses
      return;
    }
    if (isLedgerMetadata(meta)) snapshot.handled.record(meta.commandId, { revision: recorded.revision, position: recorded.position?.commit, requestHash: meta.requestHash });
    this.remember(recorded.streamId, {
      state,
      revision: recorded.revision,
      handled: snapshot.handled,
      lastHash: isLedgerMetadata(meta) && meta.hash ? meta.hash : GENESIS_HASH,
      snapshotAt: snapshot.snapshotAt,
    });
  }

  /**
   * Folds a stream into its current state, reading only the events since the cached snapshot. Loads
   * of one stream that overlap share a read: each sees a state at least as recent as its call.
   */
  load<State, Event>(stream: string, decider: Folding<State, Event>, codec: EventCodec<Event>): Promise<AggregateSnapshot<State>> {
    try {
      this.quarantine.check(stream);
    } catch (err) {
      return Promise.reject(err);
    }
    let read = this.reading.get(stream);
    if (!read) {
      read = this.readNewEvents(stream, decider, codec).finally(() => this.reading.delete(stream));
      this.reading.set(stream, read);
    }
    const reads = contextReads.getStore();
    return (reads ? read.then((snapshot) => (reads.set(stream, snapshot.revision), snapshot)) : read) as Promise<AggregateSnapshot<State>>;
  }

  private async readNewEvents<State, Event>(stream: string, decider: Folding<State, Event>, codec: EventCodec<Event>): Promise<AggregateSnapshot<State>> {
    // Not cached: from its latest recorded snapshot, if it has one, rather than from its first event.
    let cached = this.snapshots.get(stream) as AggregateSnapshot<State> | undefined;
    if (!cached && this.recorded) {
      const latest = await this.recorded.latest<State>(stream);
      if (latest) cached = { ...latest, snapshotAt: latest.revision };
    }
    let state = cached ? cached.state : decider.initialState();
    let revision = cached ? cached.revision : -1n;
    let lastHash = cached ? cached.lastHash : GENESIS_HASH;
    const handled = cached ? cached.handled : new HandledCommands();
    let snapshotAt = cached?.snapshotAt ?? -1n;
    try {
      const from = revision < 0n ? START : revision + 1n;
      for await (const resolved of this.client.readStream(stream, { fromRevision: from })) {
        const recorded = resolved.event;
        if (!recorded || !recorded.isJson) continue;
        const meta = recorded.metadata;
        const next = this.fold(decider, codec, state, recorded);
        if (next === undefined) throw new StreamQuarantinedError(this.quarantine.of(stream)!);
        state = next;
        revision = recorded.revision;
        if (isLedgerMetadata(meta)) handled.record(meta.commandId, { revision, position: recorded.position?.commit, requestHash: meta.requestHash });
        lastHash = isLedgerMetadata(meta) && meta.hash ? meta.hash : GENESIS_HASH;
      }
    } catch (err) {
      if (err instanceof StreamDeletedError) throw new DeletedStreamError(this.quarantine.noticeDeleted(stream, 'tombstoned'));
      if (!(err instanceof StreamNotFoundError)) throw err;
      // Gone after this process had read it: deleted under the ledger.
      if (revision >= 0n) throw new DeletedStreamError(this.quarantine.noticeDeleted(stream, 'deleted'));
    }
    snapshotAt = this.recordIfDue(stream, { state, revision, handled, lastHash, snapshotAt });
    const snapshot = { state, revision, handled, lastHash, snapshotAt };
    // A slower read must not replace a newer snapshot that an append put there meanwhile.
    const latest = this.snapshots.get(stream);
    if (!latest || latest.revision <= revision) this.remember(stream, snapshot);
    return snapshot;
  }

  /** The last command on each stream this process is handling: the next one on that stream waits for it. */
  private readonly handling = new Map<string, Promise<unknown>>();

  /**
   * Handles a command on its stream. This process's commands on one stream run one after another: run
   * at once, they would all decide on the same cached state, all but one meet an expected-revision
   * conflict, and a command that kept losing to newer ones (which decide at once while it backs off)
   * ran out of attempts with a 409 although no other writer touched the stream. Conflicts are left to
   * what other processes append.
   */
  handle<State, Command, Event, Context>(
    stream: string,
    decider: Decider<State, Command, Event, Context>,
    codec: EventCodec<Event>,
    command: Command,
    options: HandleOptions<State, Context>,
  ): Promise<CommandOutcome<Event, State>> {
    const run = () => this.decideAndAppend(stream, decider, codec, command, options);
    const previous = this.handling.get(stream);
    const outcome = previous ? previous.then(run, run) : run();
    const done = outcome.then(
      () => undefined,
      () => undefined,
    );
    this.handling.set(stream, done);
    void done.then(() => this.handling.get(stream) === done && this.handling.delete(stream));
    return outcome;
  }

  private async decideAndAppend<State, Command, Event, Context>(
    stream: string,
    decider: Decider<State, Command, Event, Context>,
    codec: EventCodec<Event>,
    command: Command,
    options: HandleOptions<State, Context>,
  ): Promise<CommandOutcome<Event, State>> {
    const maxAttempts = options.maxAttempts ?? 10;
    this.quarantine.check(stream);
    // The client's request this command came in with, if any: the same id with another request is
    // refused rather than answered as a duplicate (idempotency-key practice). The ledger's own commands
    // (sagas, detection) come with none, and their retries are duplicates whatever they carry.
    const requested = requestHashOf(options.commandId);
    const principal = issuerOf(options.commandId);
    for (let attempt = 1; ; attempt++) {
      // Optimistic: the first attempt decides on the cached state without reading, since this process
      // appended its latest events itself. Another writer's append shows up as an expected-revision
      // conflict, and a refusal is confirmed against a fresh read before it is answered.
      const cached = attempt === 1 ? ((this.snapshots.get(stream) as AggregateSnapshot<State> | undefined) ?? (options.newStream ? unwritten(decider) : undefined)) : undefined;
      let current = cached ?? (await this.load(stream, decider, codec));
      let decided = await this.decideOn(current, decider, command, options, requested);
      if (decided instanceof DomainError && cached) {
        current = await this.load(stream, decider, codec);
        decided = await this.decideOn(current, decider, command, options, requested);
      }
      if (decided instanceof DomainError) throw decided;
      if (decided === 'duplicate') {
        const { revision, position } = handledIn(current, options.commandId)!;
        return { events: [], state: current.state, revision, position, duplicate: true };
      }
      const { events, decidedOn } = decided;
      decidedOn.delete(stream); // its own revision is the append's expected revision
      if (events.length === 0) return { events, state: current.state, revision: current.revision, duplicate: false };

      let lastHash = current.lastHash;
      const append = (sign?: SignLink) => {
        const chained = chainedEvents(stream, current, events, codec, { commandId: options.commandId, at: options.now, requestHash: requested, principal, decidedOn }, sign);
        lastHash = chained.lastHash;
        return this.client.appendToStream(stream, chained.toAppend, { expectedRevision: current.revision < 0n ? NO_STREAM : current.revision });
      };
      try {
        const result: AppendResult = this.signing ? await this.signing.signing(append) : await append();
        // Fold our own events now so the next command on this stream starts from here.
        const state = events.reduce(decider.evolve, current.state);
        current.handled.record(options.commandId, { revision: result.nextExpectedRevision, position: result.position?.commit, requestHash: requested });
        const next = { state, revision: result.nextExpectedRevision, handled: current.handled, lastHash, snapshotAt: current.snapshotAt };
        this.remember(stream, { ...next, snapshotAt: this.recordIfDue(stream, next) });
        return { events, state, revision: result.nextExpectedRevision, position: result.position?.commit, duplicate: false };
      } catch (err) {
        if (err instanceof StreamDeletedError) throw new DeletedStreamError(this.quarantine.noticeDeleted(stream, 'tombstoned'));
        if (!(err instanceof WrongExpectedVersionError) || attempt >= maxAttempts) throw err;
        // Someone else appended first: back off a little, at random, so racing writers spread out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
      }
    }
  }

  /** The events a command causes on this state, 'duplicate' if it was handled already, or its refusal. */
  private async decideOn<State, Command, Event, Context>(
    current: AggregateSnapshot<State>,
    decider: Decider<State, Command, Event, Context>,
    command: Command,
    options: HandleOptions<State, Context>,
    requested: string | undefined,
  ): Promise<{ events: Event[]; decidedOn: Map<string, bigint> } | 'duplicate' | DomainError> {
    const handled = handledIn(current, options.commandId);
    if (handled && requested && handled.requestHash && handled.requestHash !== requested) {
      return new DomainError('COMMAND_ID_REUSED', `command ${options.commandId} was already handled with another request; send a new command id`);
    }
    if (handled) return 'duplicate';
    try {
      const decidedOn = new Map<string, bigint>();
      const context = await contextReads.run(decidedOn, () => options.context(current.state));
      return { events: decider.decide(command, current.state, context), decidedOn };
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
  }

  /** The state after a stored event, or undefined when the event cannot be folded (it is then quarantined). */
  private fold<State, Event>(decider: Folding<State, Event>, codec: EventCodec<Event>, state: State, recorded: StoredEvent): State | undefined {
    const event = this.quarantine.decode(codec, recorded);
    if (event === undefined) return undefined;
    try {
      return decider.evolve(state, event);
    } catch (err) {
      this.quarantine.report(recorded, 'UNFOLDABLE', err);
      return undefined;
    }
  }

  /**
   * Records a snapshot of the stream once SNAPSHOT_EVERY events have been folded since its last one
   * (in the background); answers the revision of its latest snapshot.
   */
  private recordIfDue(stream: string, folded: AggregateSnapshot<unknown>): bigint {
    const since = folded.snapshotAt ?? -1n;
    if (!this.recorded || folded.revision - since < BigInt(SNAPSHOT_EVERY)) return since;
    this.recorded.write(stream, folded);
    return folded.revision;
  }

  private remember(stream: string, snapshot: AggregateSnapshot<unknown>): void {
    this.snapshots.delete(stream); // re-insert: Map order is the LRU order
    this.snapshots.set(stream, snapshot);
    if (this.snapshots.size > this.maxCachedStreams) this.snapshots.delete(this.snapshots.keys().next().value as string);
  }
}

/**
 * A command's events as the store gets them, each with its metadata and its link in the stream's hash
 * chain, following on from `after` (the stream's last revision and link); answers them and the new last link.
 */
export function chainedEvents<Event>(
  stream: string,
  after: { revision: bigint; lastHash: string },
  events: readonly Event[],
  codec: EventCodec<Event>,
  command: { commandId: string; at: Date; requestHash?: string; principal?: string; decidedOn?: ReadonlyMap<string, bigint> },
  sign?: SignLink,
): { toAppend: EventData[]; lastHash: string } {
  let lastHash = after.lastHash;
  const toAppend = events.map((event, i) => {
    const { type, schemaVersion, data } = codec.encode(event);
    const meta = {
      schemaVersion,
      commandId: command.commandId,
      at: command.at.toISOString(),
      ...(command.principal !== undefined ? { principal: command.principal } : {}),
      ...(command.decidedOn?.size ? { decidedOn: Object.fromEntries([...command.decidedOn].map(([s, r]) => [s, r.toString()])) } : {}),
    };
    const hash = chainHash(lastHash, stream, after.revision + 1n + BigInt(i), type, data, meta);
    const metadata: LedgerEventMetadata = { ...meta, prevHash: lastHash, hash, ...(command.requestHash ? { requestHash: command.requestHash } : {}), ...sign?.(hash) };
    lastHash = hash;
    // The link is part of the id: two decisions of one command (their instants differ) never share ids.
    return jsonEvent({ id: eventId(command.commandId, i, type, [data, hash]), type, data, metadata });
  });
  return { toAppend, lastHash };
}

/**
 * The id of the i-th event of a command: a name-based UUID of the command id and the event's content
 * (for the command path: its body and its chain link, which covers the instant it was decided at).
 * Sending the same append again is deduplicated by the store; the same command decided again elsewhere
 * (another instant, even with an identical body, as a liquidation trigger's is) gets other ids, so it
 * meets an expected-revision conflict, re-reads, and is found to be a duplicate, instead of the store
 * reporting its first version as this one and the chain going on from a link that was never stored.
 */
export function eventId(commandId: string, index: number, type: string, content: unknown): string {
  const h = createHash('sha256').update(`${commandId}\u0000${index}\u0000${type}\u0000${JSON.stringify(content)}`).digest('hex');
  // Name-based UUID layout (version nibble 5, RFC 4122 variant) so every client accepts it.
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
