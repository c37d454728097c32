/**
 * The one command-handling path for every aggregate (as in Emmett): load the stream, fold it with
 * `evolve`, `decide`, append with the expected revision. A conflict is retried against fresh state a
 * bounded number of times. Event ids derive from the client-chosen command id, and a command whose id
 * the stream has already seen appends nothing and answers as it did the first time.
 */
import { createHash } from 'node:crypto';
import {
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  AppendResult,
} from '@eventstore/db-client';
import { Decider } from '../domain/decider';
import { EventCodec } from '../domain/events';
import { isLedgerMetadata, LedgerEventMetadata } from './event-codec';

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
  /** Where each command id this stream has seen left it, to answer a retried command. */
  byCommand: Map<string, { revision: bigint; position?: bigint }>;
}

export interface HandleOptions<State, Context> {
  commandId: string;
  now: Date;
  /** Builds the decide context from the aggregate's state, again on each retry, with fresh state of the others. */
  context: (state: State) => Promise<Context> | Context;
  maxAttempts?: number;
}

type Folding<State, Event> = Pick<Decider<State, unknown, Event, unknown>, 'initialState' | 'evolve'>;

export class CommandHandling {
  /**
   * Folded states by stream, so a load reads only the events appended since (states are immutable
   * values: evolve returns a new one). Bounded; an evicted stream is folded again from its start.
   */
  private readonly snapshots = new Map<string, AggregateSnapshot<unknown>>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly maxCachedStreams = 10_000,
  ) {}

  /** Folds a stream into its current state. */
  async load<State, Event>(stream: string, decider: Folding<State, Event>, codec: EventCodec<Event>): Promise<AggregateSnapshot<State>> {
    const cached = this.snapshots.get(stream) as AggregateSnapshot<State> | undefined;
    let state = cached ? cached.state : decider.initialState();
    let revision = cached ? cached.revision : -1n;
    const byCommand = new Map(cached?.byCommand);
    try {
      const from = revision < 0n ? START : revision + 1n;
      for await (const resolved of this.client.readStream(stream, { fromRevision: from })) {
        const recorded = resolved.event;
        if (!recorded || !recorded.isJson) continue;
        const meta = recorded.metadata;
        const version = isLedgerMetadata(meta) ? meta.schemaVersion : 1;
        state = decider.evolve(state, codec.decode(recorded.type, version, recorded.data as Record<string, unknown>));
        revision = recorded.revision;
        if (isLedgerMetadata(meta)) byCommand.set(meta.commandId, { revision, position: recorded.position?.commit });
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
    }
    const snapshot = { state, revision, byCommand };
    this.remember(stream, snapshot);
    return snapshot;
  }

  async handle<State, Command, Event, Context>(
    stream: string,
    decider: Decider<State, Command, Event, Context>,
    codec: EventCodec<Event>,
    command: Command,
    options: HandleOptions<State, Context>,
  ): Promise<CommandOutcome<Event, State>> {
    const maxAttempts = options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      const current = await this.load(stream, decider, codec);
      const earlier = current.byCommand.get(options.commandId);
      if (earlier) return { events: [], state: current.state, ...earlier, duplicate: true };

      const events = decider.decide(command, current.state, await options.context(current.state));
      if (events.length === 0) return { events, state: current.state, revision: current.revision, duplicate: false };

      const toAppend = events.map((event, i) => {
        const { type, schemaVersion, data } = codec.encode(event);
        const metadata: LedgerEventMetadata = { schemaVersion, commandId: options.commandId, at: options.now.toISOString() };
        return jsonEvent({ id: eventId(options.commandId, i), type, data, metadata });
      });
      try {
        const result: AppendResult = await this.client.appendToStream(stream, toAppend, {
          expectedRevision: current.revision < 0n ? NO_STREAM : current.revision,
        });
        // Fold our own events now so the next command on this stream starts from here.
        const state = events.reduce(decider.evolve, current.state);
        const byCommand = new Map(current.byCommand).set(options.commandId, {
          revision: result.nextExpectedRevision,
          position: result.position?.commit,
        });
        this.remember(stream, { state, revision: result.nextExpectedRevision, byCommand });
        return { events, state, revision: result.nextExpectedRevision, position: result.position?.commit, duplicate: false };
      } catch (err) {
        if (!(err instanceof WrongExpectedVersionError) || attempt >= maxAttempts) throw err;
        // Someone else appended first: back off a little, at random, so racing writers spread out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt));
      }
    }
  }

  private remember(stream: string, snapshot: AggregateSnapshot<unknown>): void {
    this.snapshots.delete(stream); // re-insert: Map order is the LRU order
    this.snapshots.set(stream, snapshot);
    if (this.snapshots.size > this.maxCachedStreams) this.snapshots.delete(this.snapshots.keys().next().value as string);
  }
}

/** A stable UUID for the i-th event of a command, so a retried command carries the same event ids. */
export function eventId(commandId: string, index: number): string {
  const h = createHash('sha256').update(`${commandId}\u0000${index}`).digest('hex');
  // Name-based UUID layout (version nibble 5, RFC 4122 variant) so every client accepts it.
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
