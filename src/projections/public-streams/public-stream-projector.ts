/**
 * Writes the public projection streams (public-streams.ts) back to the event store, where any
 * EventStoreDB client, and the SSE endpoint, can follow them.
 *
 * It folds the ledger's history from the start at every start (the views need the whole of it), and
 * writes each derived event exactly once: every public event names the `$all` position of the ledger
 * event it came from, so on its first write to a stream the projector reads that stream's last event
 * and skips whatever it derives from that position or earlier. Ids are name-based on the source and
 * appends expect the stream's revision, so a second projector racing this one fails instead of
 * duplicating.
 */
import { AllStreamSubscription, BACKWARDS, END, EventStoreDBClient, jsonEvent, NO_STREAM, Position, START, StreamNotFoundError } from '@eventstore/db-client';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LEDGER_STREAM_PREFIXES, ledgerEventCodec } from '../../domain/events';
import { isLedgerMetadata, ledgerTimeOf } from '../../eventstore/event-codec';
import { Quarantine } from '../../eventstore/quarantine';
import { LedgerFeed } from '../../eventstore/ledger-feed';
import { INTEGRATORS } from '../../eventstore/embedded/security';
import { eventId } from '../../eventstore/command-handling';
import { endSubscription, ProjectionStatus, statusOf } from '../projection-runner';
import { PublicEvent, PublicStreams } from './public-streams';

/** Where a public event came from: the ledger event's stream, revision and `$all` position. */
export interface PublicEventSource {
  stream: string;
  revision: string;
  commit: string;
  prepare: string;
  /** When the ledger decided it (ISO-8601, to the millisecond): what the dashboard measures latencies with. */
  at?: string;
}

interface StreamCursor {
  /** The stream's last revision, or undefined before its first event. */
  revision: bigint | undefined;
  /** `$all` position of the last source written to the stream. */
  written: Position | undefined;
}

/** Public events waiting to be appended, at most this many before the projector stops reading. */
const MAX_PENDING = 1_000;

@Injectable()
export class PublicStreamProjector implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly name = 'public-streams';
  private readonly logger = new Logger('projection:public-streams');
  private readonly views = new PublicStreams();
  private readonly cursors = new Map<string, StreamCursor>();
  private pending: Array<{ event: PublicEvent; source: PublicEventSource; index: number }> = [];
  private subscription?: AllStreamSubscription;
  private done?: Promise<void>;
  private state: ProjectionStatus['state'] = 'starting';
  private error?: string;
  private checkpoint?: Position;
  private eventsApplied = 0;
  private eventsWritten = 0;
  private lastEventAt?: Date;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly quarantine: Quarantine,
    private readonly feed: LedgerFeed,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.feed.subscribeToAll({ fromPosition: START, filter: { streamPrefixes: LEDGER_STREAM_PREFIXES } });
    this.state = 'running';
    this.done = this.consume(this.subscription);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.state === 'running') this.state = 'stopped';
    await endSubscription(this.subscription, this.done);
  }

  status(): ProjectionStatus {
    const { state, checkpoint, eventsApplied, lastEventAt, error } = this;
    const waiting = this.pending.length + (this.subscription?.readableLength ?? 0);
    return { ...statusOf({ projection: this.name, state, checkpoint, eventsApplied, lastEventAt, error, waiting }), eventsWritten: this.eventsWritten };
  }

  private async consume(subscription: AllStreamSubscription): Promise<void> {
    try {
      for await (const { event: e } of subscription) {
        // A stream with a quarantined event is published up to it, and no further.
        if (!e || !e.isJson || !e.position || this.quarantine.of(e.streamId)) continue;
        const event = this.quarantine.decode(ledgerEventCodec, e);
        if (!event) continue;
        const source: PublicEventSource = {
          stream: e.streamId,
          revision: e.revision.toString(),
          commit: e.position.commit.toString(),
          prepare: e.position.prepare.toString(),
          ...(isLedgerMetadata(e.metadata) ? { at: e.metadata.at } : {}),
        };
        let derived: PublicEvent[];
        try {
          derived = this.views.apply(e.streamId, event, ledgerTimeOf(e));
        } catch (err) {
          this.quarantine.report(e, 'UNFOLDABLE', err);
          continue;
        }
        derived.forEach((d, index) => this.pending.push({ event: d, source, index }));
        this.checkpoint = e.position;
        this.eventsApplied++;
        this.lastEventAt = e.created;
        // Written when the subscription has nothing more buffered, or when enough has gathered.
        if (this.pending.length >= MAX_PENDING || subscription.readableLength === 0) await this.flush();
      }
      await this.flush();
    } catch (err) {
      if (this.state === 'stopped') return;
      this.state = 'faulted';
      this.error = err instanceof Error ? err.message : String(err);
      this.logger.error(`stopped on an error: ${this.error}`);
    }
  }

  /** Appends what is pending, stream by stream in order, skipping what an earlier run already wrote. */
  private async flush(): Promise<void> {
    const byStream = new Map<string, typeof this.pending>();
    for (const p of this.pending) {
      const list = byStream.get(p.event.stream) ?? [];
      list.push(p);
      byStream.set(p.event.stream, list);
    }
    this.pending = [];
    for (const [stream, items] of byStream) {
      const cursor = await this.cursorOf(stream);
      const fresh = items.filter((p) => after(positionOf(p.source), cursor.written));
      if (!fresh.length) continue;
      const result = await this.client.appendToStream(
        stream,
        fresh.map(({ event, source, index }) =>
          jsonEvent({ id: eventId(`${source.commit}/${source.prepare}`, index, event.type, event.data), type: event.type, data: event.data, metadata: { source } }),
        ),
        { expectedRevision: cursor.revision ?? NO_STREAM },
      );
      cursor.revision = result.nextExpectedRevision;
      cursor.written = positionOf(fresh[fresh.length - 1].source);
      this.eventsWritten += fresh.length;
    }
  }

  private async cursorOf(stream: string): Promise<StreamCursor> {
    let cursor = this.cursors.get(stream);
    if (cursor) return cursor;
    cursor = { revision: undefined, written: undefined };
    try {
      for await (const { event } of this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        if (!event) continue;
        cursor.revision = event.revision;
        const source = (event.metadata as { source?: PublicEventSource } | undefined)?.source;
        cursor.written = source ? positionOf(source) : undefined;
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
    }
    await this.openToIntegrators(stream);
    this.cursors.set(stream, cursor);
    return cursor;
  }

  /**
   * A public stream's ACL lets the integrators group read it (`npm run cli -- eventstore add-integrator`);
   * every other stream keeps the store's default ACL, which gives them nothing.
   */
  private async openToIntegrators(stream: string): Promise<void> {
    const { metadata } = await this.client.getStreamMetadata(stream);
    if (metadata?.acl) return;
    await this.client.setStreamMetadata(stream, { ...metadata, acl: { readRoles: [INTEGRATORS] } });
  }
}

const positionOf = (source: PublicEventSource): Position => ({ commit: BigInt(source.commit), prepare: BigInt(source.prepare) });

/** Whether `$all` position `a` comes after `b` (nothing written yet: everything does). */
const after = (a: Position, b: Position | undefined) => b === undefined || a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
