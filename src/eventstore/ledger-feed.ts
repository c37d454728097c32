/**
 * The one live feed of a ledger process. One subscription to `$all` reads the store; the client decodes
 * each event once, and the feed hands the same decoded event to every consumer in the process (snapshot
 * following, projections, the public projector, detection, checkpoints, the deletion watch, the access
 * directory, the risk engine). Before, each consumer held a subscription of its own, and every event
 * crossed gRPC and was decoded once per consumer on both sides.
 *
 * A consumer that starts behind the feed (from the start, or from its own checkpoint) catches up with
 * paged reads of `$all`, then joins the feed: it joins once its reads have reached the last event the
 * feed has seen, so every event comes to it exactly once, by a read or by the feed, in `$all` order. A
 * consumer that falls behind the feed (its buffer full) leaves it and catches up again with reads, so a
 * slow consumer holds a bounded buffer and never holds back the others.
 *
 * Each consumer is a Readable of the client's own event shape (an `AllStreamSubscription`): `data`,
 * `caughtUp`, `confirmation`, async iteration, `readableLength`, `unsubscribe()`, and the filter's
 * `checkpointReached` every CHECKPOINT_EVERY events passed over, as a server-side filter would.
 */
import { Readable } from 'node:stream';
import {
  AllStreamRecordedEvent,
  AllStreamResolvedEvent,
  AllStreamSubscription,
  BACKWARDS,
  END,
  EventStoreDBClient,
  Position,
  START,
} from '@eventstore/db-client';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/** Which events a consumer takes: stream names by prefix, and/or event types by pattern (both must match when both are given). */
export interface FeedFilter {
  streamPrefixes?: readonly string[];
  eventType?: RegExp;
  /** Called with a position the consumer has been given everything up to, as the events it passes over go by. */
  checkpointReached?: (position: Position) => unknown;
}

export interface FeedSubscribeOptions {
  /** After which position to start: START for everything, END for only what comes next. */
  fromPosition: Position | typeof START | typeof END;
  filter?: FeedFilter;
}

/** A filtered subscription checkpoints every so many events scanned (EventStoreDB's default search window). */
const CHECKPOINT_EVERY = 32;
/** Events read per page while a consumer catches up. */
const CATCH_UP_PAGE = 500;
/** Events a consumer may hold unread before it leaves the live feed and catches up by reads instead. */
const MAX_BUFFERED = 2_000;
/** How long the feed waits before subscribing again after its subscription dropped. */
const RESUBSCRIBE_MS = 1_000;

/** Total order of `$all` positions. */
function compare(a: Position, b: Position): number {
  return a.commit !== b.commit ? (a.commit < b.commit ? -1 : 1) : a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1;
}

/** Before every event: where a consumer from the start has read up to. */
const BEFORE_ALL: Position = { commit: -1n, prepare: -1n };

@Injectable()
export class LedgerFeed implements OnApplicationShutdown {
  private readonly logger = new Logger('ledger-feed');
  private subscription?: AllStreamSubscription;
  /** The last position the feed's subscription delivered (or started after). */
  private seen: Position = BEFORE_ALL;
  private readonly joined = new Set<FeedConsumer>();
  /** Every consumer not yet closed, joined or catching up. */
  private readonly consumers = new Set<FeedConsumer>();
  private started?: Promise<void>;
  private stopped = false;
  private live = false;
  private readonly liveListeners = new Set<(live: boolean) => void>();

  constructor(readonly client: EventStoreDBClient) {}

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** True while the feed's subscription delivers: events appended now will reach every joined consumer. */
  get isLive(): boolean {
    return this.live;
  }

  /** Called whenever the feed goes live or stops being live (a dropped connection). */
  onLiveChange(listener: (live: boolean) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  /** Starts the feed's subscription after the store's current last event; resolves once it is confirmed. */
  start(): Promise<void> {
    this.started ??= this.subscribe(undefined);
    return this.started;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.setLive(false);
    for (const consumer of [...this.consumers]) void consumer.unsubscribe();
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.unsubscribe().catch(() => undefined); // the connection may be closing too
    subscription?.destroy();
  }

  /** A consumer's view of `$all` from `fromPosition`, filtered: caught up by reads, then fed live. */
  subscribeToAll(options: FeedSubscribeOptions): AllStreamSubscription {
    const consumer = new FeedConsumer(this, this.client, options);
    this.consumers.add(consumer);
    consumer.once('close', () => this.consumers.delete(consumer));
    // The feed must be running for the consumer to join it; starting it here keeps a consumer that
    // subscribes early (during bootstrap) from racing the feed's own start.
    this.start()
      .then(() => consumer.begin())
      .catch((err: Error) => consumer.destroy(err));
    return consumer as unknown as AllStreamSubscription;
  }

  /** Where the feed is: a consumer whose reads reached this position may join. */
  get position(): Position {
    return this.seen;
  }

  /** @internal Called by a consumer whose reads have reached `position`: true if it joined. */
  join(consumer: FeedConsumer, position: Position): boolean {
    if (!this.live || compare(position, this.seen) < 0) return false;
    this.joined.add(consumer);
    return true;
  }

  /** @internal */
  leave(consumer: FeedConsumer): void {
    this.joined.delete(consumer);
  }

  private async subscribe(after: Position | undefined): Promise<void> {
    // From the store's last event as a position, never END: a consumer's reads and the feed must meet
    // at a position both know, or an event appended in between would reach neither.
    const from = after ?? (await this.lastPosition());
    this.seen = from ?? BEFORE_ALL;
    const subscription = this.client.subscribeToAll({ fromPosition: from ?? START });
    this.subscription = subscription;
    await new Promise<void>((resolve, reject) => {
      subscription.once('confirmation', () => resolve());
      subscription.once('error', reject);
    });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => this.deliver(resolved));
    subscription.on('error', (err) => this.dropped(subscription, err));
    subscription.on('close', () => this.dropped(subscription));
    this.setLive(true);
  }

  private deliver(resolved: AllStreamResolvedEvent): void {
    const position = resolved.event?.position;
    if (!position || compare(position, this.seen) <= 0) return;
    this.seen = position;
    for (const consumer of this.joined) consumer.offer(resolved, position);
  }

  /** The connection dropped: consumers stay joined, and the feed takes up again where it stopped. */
  private dropped(subscription: AllStreamSubscription, err?: Error): void {
    if (this.subscription !== subscription || this.stopped) return;
    this.subscription = undefined;
    this.setLive(false);
    this.logger.warn(`the ledger's subscription to the store dropped${err ? ` (${err.message})` : ''}; subscribing again after ${this.seen.commit}`);
    const again = (): void => {
      if (this.stopped) return;
      this.subscribe(compare(this.seen, BEFORE_ALL) === 0 ? undefined : this.seen).catch(() => setTimeout(again, RESUBSCRIBE_MS).unref());
    };
    setTimeout(again, RESUBSCRIBE_MS).unref();
  }

  private setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    for (const listener of this.liveListeners) listener(live);
  }

  /** The position of the store's last event, if it has any. */
  async lastPosition(): Promise<Position | undefined> {
    let last: Position | undefined;
    for await (const { event } of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) last = event?.position ?? last;
    return last;
  }
}

/** One consumer of the feed: catching up by reads, or joined to the feed. */
class FeedConsumer extends Readable {
  /** The position of the last event this consumer has been given or passed over. */
  private reached: Position = BEFORE_ALL;
  private joined = false;
  private reading = false;
  private wanted = false;
  private scanned = 0;
  private began = false;
  /** Unsubscribed: nothing more is read or taken. */
  private ended = false;
  private checkpointing: Promise<unknown> = Promise.resolve();
  private readonly matches: (event: AllStreamRecordedEvent) => boolean;

  constructor(
    private readonly feed: LedgerFeed,
    private readonly client: EventStoreDBClient,
    private readonly options: FeedSubscribeOptions,
  ) {
    super({ objectMode: true, highWaterMark: MAX_BUFFERED });
    const { streamPrefixes, eventType } = options.filter ?? {};
    this.matches = (event) =>
      (!streamPrefixes || streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) && (!eventType || eventType.test(event.type));
  }

  /** Ends the consumer as a subscription ends: what it holds is still read, then its iteration ends. */
  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.feed.leave(this);
    this.joined = false;
    this.push(null);
  }

  /** Once the feed runs: from END joins after the store's last event; otherwise catch-up reads start. */
  async begin(): Promise<void> {
    if (this.destroyed || this.ended) return;
    const from = this.options.fromPosition;
    // The feed may not have delivered the last events yet: END is where the store ends, not the feed.
    const last = from === END ? await this.feed.lastPosition() : undefined;
    if (this.destroyed || this.ended) return;
    this.reached = from === END ? (last && compare(last, this.feed.position) > 0 ? last : this.feed.position) : from === START ? BEFORE_ALL : from;
    this.began = true;
    this.emit('confirmation');
    if (from === END && this.feed.join(this, this.reached)) {
      this.joined = true;
      this.emit('caughtUp');
      return;
    }
    if (this.wanted) void this.catchUp();
  }

  /** An event from the feed, in `$all` order: buffered, or, past the buffer's bound, left to reads. */
  offer(resolved: AllStreamResolvedEvent, position: Position): void {
    if (this.ended || compare(position, this.reached) <= 0) return;
    if (!this.hand(resolved, position)) {
      // Full: leave the feed; reads take up from here once the consumer has room again.
      this.feed.leave(this);
      this.joined = false;
      this.emit('fellBehind');
    }
  }

  override _read(): void {
    this.wanted = true;
    if (this.began && !this.joined && !this.ended) void this.catchUp();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.feed.leave(this);
    this.joined = false;
    callback(err);
  }

  /** Gives the consumer an event it takes, or counts one it passes over; false once its buffer is full. */
  private hand(resolved: AllStreamResolvedEvent, position: Position): boolean {
    this.reached = position;
    const event = resolved.event!;
    let room = true;
    if (this.matches(event)) room = this.push(resolved);
    if (this.options.filter && ++this.scanned >= CHECKPOINT_EVERY) this.checkpoint(position);
    return room;
  }

  /** Calls the filter's checkpointReached, one call after another (as a subscription awaits each); a failure ends the consumer. */
  private checkpoint(position: Position): void {
    this.scanned = 0;
    const reached = this.options.filter?.checkpointReached;
    if (!reached) return;
    this.checkpointing = this.checkpointing.then(() => reached(position)).catch((err: Error) => this.destroy(err));
  }

  /** Reads pages of `$all` after what was reached until the consumer can join the feed or has no room. */
  private async catchUp(): Promise<void> {
    if (this.reading || this.destroyed) return;
    this.reading = true;
    this.wanted = false;
    try {
      let room = true;
      while (room && !this.destroyed && !this.ended && !this.joined) {
        // A page read to its end: leaving a read early leaves its call open.
        const from = compare(this.reached, BEFORE_ALL) === 0 ? START : this.reached;
        const page: [AllStreamResolvedEvent, Position][] = [];
        let read = 0;
        for await (const resolved of this.client.readAll({ fromPosition: from, maxCount: CATCH_UP_PAGE })) {
          read++;
          const position = resolved.event?.position;
          if (position && compare(position, this.reached) > 0) page.push([resolved, position]);
        }
        // A full page may end inside an append: its last append is read again with the next page,
        // so a consumer never gets part of an append (they share the commit position it checkpoints).
        let end = page.length;
        if (read === CATCH_UP_PAGE) {
          while (end > 0 && page[end - 1][1].commit === page[page.length - 1][1].commit) end--;
          if (end === 0) end = page.length; // one append larger than a page: given whole
        }
        const progressed = end > 0;
        for (const [resolved, position] of page.slice(0, end)) {
          if (this.destroyed || this.ended) break;
          room = this.hand(resolved, position) && room;
        }
        // Everything the feed has delivered, this consumer has now: anything later comes by the feed.
        if (!this.destroyed && !this.ended && this.feed.join(this, this.reached)) {
          this.joined = true;
          if (this.scanned > 0) this.checkpoint(this.reached);
          this.emit('caughtUp');
        } else if (!progressed) {
          // At the end of the store and the feed is down (reconnecting): wait for it rather than read in a loop.
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    } catch (err) {
      this.destroy(err as Error);
    } finally {
      this.reading = false;
    }
    // Asked for more while the last page was read, and not joined: read on.
    if (this.wanted && !this.joined && !this.destroyed && !this.ended) void this.catchUp();
  }
}
