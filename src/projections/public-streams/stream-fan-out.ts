/**
 * One live subscription per public stream, however many clients follow it: each event is encoded
 * once and handed to every client, instead of every client holding a subscription of its own (which
 * decodes and encodes every event once per client, and cannot keep up with a thousand of them).
 * Clients of either transport share it: an event's JSON is encoded once, and a batch's SSE frames
 * are built once, as one buffer written as is to every SSE client (a WebSocket client sends each JSON).
 *
 * Live events are handed out a batch at a time: what arrives within `flushMs` goes to each client in
 * one call and one write. With a thousand clients the cost is per client and batch, not per client
 * and event.
 *
 * A client joins without a gap or a repeat: it is registered first (live events it receives meanwhile
 * are held), then reads what it missed from the store with an ordinary read, then is handed the held
 * events it has not yet had, by revision, and goes live.
 */
import { END, EventStoreDBClient, FORWARDS, ResolvedEvent, StreamNotFoundError, StreamSubscription } from '@eventstore/db-client';
import { Logger } from '@nestjs/common';
import { sseFrame } from './public-stream-protocol';

/** An event of a public stream as clients receive it: its revision and its JSON, encoded once for all clients. */
export interface StreamMessage {
  revision: bigint;
  json: string;
}

/** Consecutive events of a stream, handed to each client at once. */
export class StreamBatch {
  private frames?: Buffer;

  constructor(readonly messages: readonly StreamMessage[]) {}

  get last(): bigint {
    return this.messages[this.messages.length - 1].revision;
  }

  /** The batch's server-sent events as one buffer, built once and written as is to every SSE client. */
  get sse(): Buffer {
    return (this.frames ??= Buffer.from(this.messages.map((m) => sseFrame(m.revision, m.json)).join('')));
  }

  /** The part of the batch from `revision` on (a client that joined during it), or nothing. */
  from(revision: bigint): StreamBatch | undefined {
    if (this.messages[0].revision >= revision) return this;
    const rest = this.messages.filter((m) => m.revision >= revision);
    return rest.length ? new StreamBatch(rest) : undefined;
  }
}

export interface StreamClient {
  /** Takes a batch of events; answers false when the client is gone (it is then let go). */
  send(batch: StreamBatch): boolean;
  /** The stream can no longer be followed here: the client is to reconnect (and resume). */
  close(): void;
}

interface Follower {
  client: StreamClient;
  /** The next revision it needs. */
  next: bigint;
  /** Live messages held while it catches up from the store; undefined once it is live. */
  held?: StreamMessage[];
}

const CATCH_UP_PAGE = 500;

export class StreamFanOut {
  private readonly logger = new Logger('stream-fan-out');
  private readonly followers = new Set<Follower>();
  private subscription?: StreamSubscription;
  /** Live events received since the last batch went out. */
  private pending: StreamMessage[] = [];
  /** Resolves once the live subscription has caught up (what comes after it is live). */
  private live?: Promise<void>;

  constructor(
    private readonly client: EventStoreDBClient,
    readonly stream: string,
    /** An event's JSON, as every client receives it. */
    private readonly encode: (event: NonNullable<ResolvedEvent['event']>) => string,
    /** How long live events gather before going out as one batch (0: every turn of the event loop). */
    private readonly flushMs: number,
    /** Told when the last follower left, so the owner can drop this fan-out. */
    private readonly onIdle: () => void,
  ) {}

  /** How many clients follow the stream here, whatever their transport. */
  get size(): number {
    return this.followers.size;
  }

  /** Follows the stream from revision `first` on; returns how to stop following. */
  async follow(client: StreamClient, first: bigint): Promise<() => void> {
    const follower: Follower = { client, next: first, held: [] };
    this.followers.add(follower);
    const leave = () => this.leave(follower);
    try {
      await this.startLive();
      await this.catchUp(follower);
    } catch (err) {
      leave();
      throw err;
    }
    return leave;
  }

  private startLive(): Promise<void> {
    if (this.live) return this.live;
    const subscription = this.client.subscribeToStream(this.stream, { fromRevision: END });
    this.subscription = subscription;
    this.live = new Promise<void>((resolve, reject) => {
      subscription.once('caughtUp', () => resolve());
      subscription.once('error', reject);
    });
    subscription.on('data', ({ event }: ResolvedEvent) => {
      if (event) this.deliver({ revision: event.revision, json: this.encode(event) });
    });
    subscription.on('error', (err) => {
      this.logger.warn(`live subscription to ${this.stream} ended: ${err.message}`);
      this.end();
    });
    return this.live;
  }

  /** Lets every follower go, telling each to reconnect (and resume); the subscription is released. */
  end(): void {
    for (const f of [...this.followers]) {
      this.leave(f);
      f.client.close();
    }
  }

  private deliver(m: StreamMessage): void {
    this.pending.push(m);
    if (this.pending.length > 1) return;
    if (this.flushMs > 0) setTimeout(() => this.flush(), this.flushMs);
    else setImmediate(() => this.flush());
  }

  private flush(): void {
    if (!this.pending.length) return;
    const batch = new StreamBatch(this.pending);
    this.pending = [];
    for (const f of this.followers) {
      if (f.held) f.held.push(...batch.messages);
      else this.sendTo(f, batch);
    }
  }

  private sendTo(f: Follower, batch: StreamBatch): void {
    const rest = batch.from(f.next);
    if (!rest) return;
    f.next = rest.last + 1n;
    if (!f.client.send(rest)) this.leave(f);
  }

  /** Reads what the follower missed from the store, then hands it the held live messages and lets it go live. */
  private async catchUp(f: Follower): Promise<void> {
    for (;;) {
      const page: StreamMessage[] = [];
      try {
        for await (const { event } of this.client.readStream(this.stream, { direction: FORWARDS, fromRevision: f.next, maxCount: CATCH_UP_PAGE })) {
          if (event) page.push({ revision: event.revision, json: this.encode(event) });
        }
      } catch (err) {
        if (!(err instanceof StreamNotFoundError)) throw err;
      }
      if (!this.followers.has(f)) return;
      if (page.length) this.sendTo(f, new StreamBatch(page));
      if (page.length < CATCH_UP_PAGE) break;
    }
    const held = f.held ?? [];
    f.held = undefined;
    if (held.length && this.followers.has(f)) this.sendTo(f, new StreamBatch(held));
  }

  private leave(f: Follower): void {
    if (!this.followers.delete(f) || this.followers.size > 0) return;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.live = undefined;
    void subscription?.unsubscribe().catch(() => undefined);
    subscription?.destroy();
    this.onIdle();
  }
}
