/**
 * Runs one projection: a subscription on the live feed from the projection's checkpoint (caught up by
 * reads, then live), applying events in batches, each batch in one transaction with the checkpoint
 * that covers it. Events the filter passes over still move the checkpoint forward (checkpointReached),
 * in their own transaction.
 */
import { START, AllStreamSubscription, Position } from '@eventstore/db-client';
import { LedgerFeed } from '../eventstore/ledger-feed';
import { Logger } from '@nestjs/common';
import { Database, Queryable } from '../database/database';
import { Projection, ProjectedEvent } from './projection';

/** How a rebuild of a read model goes (ProjectionRebuild), reported in its projection's status. */
export interface RebuildStatus {
  state: 'catching-up' | 'switching' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  /** Events the new model has applied. */
  eventsApplied: number;
  /** Where the new model is in `$all`, and where the store ended when the rebuild started. */
  commitPosition: string | null;
  targetPosition: string;
  /** Share of the way to the target, 0 to 1. */
  progress: number;
  eventsPerSecond: number;
  /** Seconds left at the current rate, while catching up. */
  etaSeconds?: number;
  error?: string;
}

export interface ProjectionStatus {
  projection: string;
  state: 'starting' | 'running' | 'stopped' | 'faulted';
  commitPosition: string | null;
  eventsApplied: number;
  /** Creation time of the last event applied, ISO-8601. */
  lastEventAt: string | null;
  /** Events received and not yet applied. */
  lagEvents: number;
  /** While events wait: seconds since the last applied event was written (0 when caught up). */
  lagSeconds: number;
  /** Public events written to projection streams (for a projection that writes them). */
  eventsWritten?: number;
  /** A rebuild of the read model, under way or the last one. */
  rebuild?: RebuildStatus;
  error?: string;
}

/** What a projection knows of itself, as its status reports it. */
export interface ProjectionProgress {
  projection: string;
  state: ProjectionStatus['state'];
  checkpoint?: Position;
  eventsApplied: number;
  lastEventAt?: Date;
  /** Events received and not yet applied. */
  waiting: number;
  error?: string;
}

export function statusOf(p: ProjectionProgress): ProjectionStatus {
  return {
    projection: p.projection,
    state: p.state,
    commitPosition: p.checkpoint ? p.checkpoint.commit.toString() : null,
    eventsApplied: p.eventsApplied,
    lastEventAt: p.lastEventAt?.toISOString() ?? null,
    lagEvents: p.waiting,
    // While events wait: time since the last applied one was written.
    lagSeconds: p.waiting > 0 && p.lastEventAt ? Math.max(0, (Date.now() - p.lastEventAt.getTime()) / 1000) : 0,
    ...(p.error ? { error: p.error } : {}),
  };
}

/** Cancels a subscription and waits for its consuming loop to end. */
export async function endSubscription(subscription: AllStreamSubscription | undefined, consuming: Promise<void> | undefined): Promise<void> {
  await subscription?.unsubscribe();
  // Ends the consuming loop even if the cancelled call never closes the stream.
  subscription?.destroy();
  await consuming;
}

const MAX_BATCH = 500;
/** Events received and waiting for the applier, at most. */
const MAX_WAITING = 4 * MAX_BATCH;
/** How long a live batch waits for company before it is written. */
const LIVE_LINGER_MS = 5;
/** Events read per page looking for the next one a projection takes. */
const NEXT_EVENT_PAGE = 128;
/** Events older than this are history being caught up on. */
const CATCH_UP_AGE_MS = 1_000;

export class ProjectionRunner {
  private readonly logger: Logger;
  private subscription?: AllStreamSubscription;
  private checkpoint?: Position;
  private eventsApplied = 0;
  private lastEventAt?: Date;
  private state: ProjectionStatus['state'] = 'starting';
  private error?: string;
  private waiters: { position: bigint; resolve: () => void }[] = [];
  /** Events received and not yet applied. */
  private batch: ProjectedEvent[] = [];
  private applying = false;
  /** A server checkpoint that came while events before it were still unapplied. */
  private deferredSkip?: Position;
  private done?: Promise<void>;
  /** The applier at work, if any. */
  private applier?: Promise<void>;

  constructor(
    private readonly feed: LedgerFeed,
    private readonly db: Database,
    readonly projection: Projection,
  ) {
    this.logger = new Logger(`projection:${projection.name}`);
  }

  async start(): Promise<void> {
    const [row] = await this.db.query<{ commit_position: string; prepare_position: string; events_applied: string }>(
      'SELECT commit_position, prepare_position, events_applied FROM projection_checkpoints WHERE projection = $1',
      [this.projection.name],
    );
    if (row) {
      this.checkpoint = { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) };
      this.eventsApplied = Number(row.events_applied);
    }
    this.subscription = this.feed.subscribeToAll({
      fromPosition: this.checkpoint ?? START,
      filter: { streamPrefixes: this.projection.streamPrefixes, checkpointReached: (position) => this.skipTo(position) },
    });
    this.state = 'running';
    this.done = this.consume(this.subscription);
  }

  async stop(): Promise<void> {
    if (this.state === 'running') this.state = 'stopped';
    await endSubscription(this.subscription, this.done);
  }

  status(): ProjectionStatus {
    const { state, checkpoint, eventsApplied, lastEventAt, error } = this;
    return statusOf({ projection: this.projection.name, state, checkpoint, eventsApplied, lastEventAt, error, waiting: this.batch.length + (this.subscription?.readableLength ?? 0) });
  }

  /**
   * Resolves once every event up to this `$all` commit position is in the read model. Live, the server
   * checkpoints a filtered subscription only every so many events it scans (as EventStoreDB does), so
   * the checkpoint may never pass events this projection does not take: the store is asked for the
   * next event the projection does take, and only that one is waited for.
   */
  async waitFor(commitPosition: bigint, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.checkpoint && this.checkpoint.commit >= commitPosition)) {
      const next = await this.nextEventToApply();
      if (next === undefined || next > commitPosition) return;
      await this.checkpointAt(next, deadline - Date.now());
    }
  }

  /**
   * The commit position of the first event after the checkpoint that this projection takes, if any. The
   * read is short: the server checkpoints every few dozen events it passes over, so little lies between
   * the checkpoint and the next event taken or the end.
   */
  private async nextEventToApply(): Promise<bigint | undefined> {
    const { streamPrefixes } = this.projection;
    // Batches never end inside an append, so every event at the checkpoint's commit is applied.
    const applied = this.checkpoint?.commit;
    let from: Position | typeof START = this.checkpoint ?? START;
    for (;;) {
      // Whole pages, each read to its end: a read left half-consumed keeps its call open.
      let found: bigint | undefined;
      let last: Position | undefined;
      for await (const { event } of this.feed.client.readAll({ fromPosition: from, maxCount: NEXT_EVENT_PAGE })) {
        if (!event?.position) continue;
        last = event.position;
        if (found !== undefined || (applied !== undefined && last.commit <= applied)) continue;
        if (streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) found = last.commit;
      }
      // The end of `$all`: the page was empty, or held only the event it was read from.
      if (found !== undefined || !last || (from !== START && last.commit === from.commit && last.prepare === from.prepare)) return found;
      from = last;
    }
  }

  private checkpointAt(commitPosition: bigint, timeoutMs: number): Promise<void> {
    if (this.checkpoint && this.checkpoint.commit >= commitPosition) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`projection ${this.projection.name} did not reach ${commitPosition}`)), Math.max(0, timeoutMs));
      this.waiters.push({ position: commitPosition, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Passes callers waiting to read their writes on to the runner that takes over from this one. */
  handOverTo(next: ProjectionRunner): void {
    for (const w of this.waiters) void next.waitFor(w.position).then(w.resolve, () => undefined);
    this.waiters = [];
  }

  /**
   * Receives events into the batch while the applier writes earlier ones, so reading the store and
   * writing the read model overlap instead of taking turns. The batch waiting is bounded: past a few
   * batches, receiving waits for the applier (and the subscription's own buffer then fills and holds
   * back the server).
   */
  private async consume(subscription: AllStreamSubscription): Promise<void> {
    try {
      for await (const resolved of subscription) {
        const e = resolved.event;
        if (!e || !e.isJson || !e.position) continue;
        this.batch.push({
          stream: e.streamId,
          revision: e.revision,
          commit: e.position.commit,
          prepare: e.position.prepare,
          type: e.type,
          data: e.data as Record<string, unknown>,
          metadata: (e.metadata ?? {}) as Record<string, unknown>,
          created: e.created,
        });
        this.startApplier();
        if (this.batch.length >= MAX_WAITING) await this.applier;
      }
      await this.applier;
      await this.drain();
    } catch (err) {
      this.fault(err);
    }
  }

  /**
   * Starts the applier unless it is at work. Events received while it was finishing (its last await, or
   * between its last look at the batch and its end) found it still at work: it starts again for them,
   * or they would wait for the next event to arrive.
   */
  private startApplier(): void {
    this.applier ??= this.drain().finally(() => {
      this.applier = undefined;
      if (this.batch.length && this.state === 'running') this.startApplier();
    });
  }

  /** Applies what has arrived, a batch at a time, until nothing is waiting. */
  private async drain(): Promise<void> {
    try {
      while (this.batch.length && this.state !== 'faulted') {
        // Live, events come one by one: give the next ones a moment, so a busy ledger writes one
        // transaction per few milliseconds rather than one per event.
        if (this.batch.length < MAX_BATCH && this.subscription?.readableLength === 0) await new Promise((resolve) => setTimeout(resolve, LIVE_LINGER_MS));
        // Catching up on history, events arrive as fast as the client decodes them: while they keep
        // coming, let a whole batch gather, since a transaction costs about as much as a hundred events.
        while (this.batch.length < MAX_BATCH && this.catchingUp()) {
          const received = this.batch.length;
          await new Promise((resolve) => setTimeout(resolve, LIVE_LINGER_MS));
          if (this.batch.length === received) break;
        }
        await this.applyPending();
      }
      // A server checkpoint that came while the last batch was being written is saved now, or it
      // would wait for an event that may never come.
      const skip = this.deferredSkip;
      if (skip && this.state !== 'faulted') {
        this.deferredSkip = undefined;
        await this.skipTo(skip);
      }
    } catch (err) {
      this.fault(err);
    }
  }

  /**
   * How many waiting events the next transaction takes: up to MAX_BATCH, never ending inside an
   * append. An append's events share one commit position, the position read-your-writes waits on, so
   * a checkpoint at that commit must come with all of them. Catching up, the last append received may
   * still be arriving: it waits for the next batch unless it is all there is.
   */
  private batchEnd(): number {
    const b = this.batch;
    let end = Math.min(MAX_BATCH, b.length);
    while (end < b.length && b[end].commit === b[end - 1].commit) end++;
    if (end === b.length && this.catchingUp()) {
      let tail = end;
      while (tail > 0 && b[tail - 1].commit === b[end - 1].commit) tail--;
      if (tail > 0) end = tail;
    }
    return end;
  }

  /** The newest event received was written a while ago: this is history, not live traffic. */
  private catchingUp(): boolean {
    const newest = this.batch[this.batch.length - 1];
    return newest !== undefined && Date.now() - newest.created.getTime() > CATCH_UP_AGE_MS;
  }

  private fault(err: unknown): void {
    if (this.state === 'stopped') return;
    this.state = 'faulted';
    this.error = err instanceof Error ? err.message : String(err);
    this.logger.error(`stopped on an error: ${this.error}`);
    void this.subscription?.unsubscribe();
  }

  private async applyPending(): Promise<void> {
    const events = this.batch.splice(0, this.batchEnd());
    if (!events.length) return;
    this.applying = true;
    try {
      const last = events[events.length - 1];
      let covered: Position = { commit: last.commit, prepare: last.prepare };
      // Everything received before a deferred checkpoint is in this batch once the subscription's
      // buffer is empty, so the checkpoint may then be saved with it.
      const skip = this.deferredSkip;
      if (skip && this.batch.length === 0 && this.subscription?.readableLength === 0) {
        this.deferredSkip = undefined;
        if (skip.commit > covered.commit) covered = skip;
      }
      await this.db.transaction(async (tx) => {
        await this.projection.apply(tx, events);
        await this.saveCheckpoint(tx, covered, events.length);
      });
      this.eventsApplied += events.length;
      this.lastEventAt = last.created;
      this.advance(covered);
    } finally {
      this.applying = false;
    }
  }

  /**
   * A checkpoint the server reached past events this projection does not read. It is saved at once only
   * when everything received before it is applied (nothing in the batch, being applied, or still in the
   * subscription's buffer); otherwise it waits for the next batch, so it never covers an unapplied event.
   */
  private async skipTo(position: Position): Promise<void> {
    if (this.checkpoint && position.commit <= this.checkpoint.commit) return;
    if (this.batch.length || this.applying || (this.subscription?.readableLength ?? 0) > 0) {
      if (!this.deferredSkip || position.commit > this.deferredSkip.commit) this.deferredSkip = position;
      return;
    }
    await this.db.transaction((tx) => this.saveCheckpoint(tx, position, 0));
    this.advance(position);
  }

  private async saveCheckpoint(tx: Queryable, position: Position, applied: number): Promise<void> {
    await tx.query(
      `INSERT INTO projection_checkpoints (projection, commit_position, prepare_position, events_applied, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (projection) DO UPDATE SET commit_position = $2, prepare_position = $3,
         events_applied = projection_checkpoints.events_applied + $4, updated_at = now()`,
      [this.projection.name, position.commit.toString(), position.prepare.toString(), applied],
    );
  }

  private advance(position: Position): void {
    this.checkpoint = position;
    const ready = this.waiters.filter((w) => w.position <= position.commit);
    this.waiters = this.waiters.filter((w) => w.position > position.commit);
    for (const w of ready) w.resolve();
  }
}
