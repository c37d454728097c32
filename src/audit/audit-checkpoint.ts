/**
 * Records checkpoints of the `$all` prefix in the stream `audit-checkpoints`: the hash over every ledger
 * event's hash-chain link up to a position. Per-stream chains show an event changed, dropped or
 * inserted inside a stream; a checkpoint also shows a stream's tail cut off or events moved in `$all`.
 * One is recorded at every multiple of AUDIT_CHECKPOINT_EVERY ledger events, after AUDIT_CHECKPOINT_IDLE_MS without
 * one when events are waiting, and on request (before an export, say). One recorder per store: the
 * stream is appended with its expected revision, so a second one fails rather than interleaves.
 */
import { AllStreamSubscription, BACKWARDS, END, EventStoreDBClient, jsonEvent, NO_STREAM, START, StreamNotFoundError } from '@eventstore/db-client';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { isLedgerEventType, LEDGER_STREAM_PREFIXES } from '../domain/events';
import { isLedgerMetadata } from '../eventstore/event-codec';
import { LedgerSigning } from '../eventstore/ledger-signing';
import { LedgerFeed } from '../eventstore/ledger-feed';
import { AUDIT_CHECKPOINT_EVENT, AUDIT_CHECKPOINT_STREAM, AuditCheckpoint, checkpointLink, PrefixHash } from './hash-chain';


@Injectable()
export class AuditCheckpoints implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('audit-checkpoints');
  private readonly every: number;
  private readonly idleMs: number;
  private readonly prefix = new PrefixHash();
  private subscription?: AllStreamSubscription;
  private timer?: NodeJS.Timeout;
  private done?: Promise<void>;
  /** The last position this recorder has seen (ledger event or not). */
  private seen = -1n;
  private lastLedgerPosition = { commit: -1n, prepare: -1n };
  private last?: AuditCheckpoint;
  private revision = -1n;
  private recording: Promise<AuditCheckpoint | undefined> = Promise.resolve(undefined);
  private waiters: { position: bigint; resolve: () => void }[] = [];
  /** When the last checkpoint was recorded (or the recorder started). */
  private lastActivity = Date.now();

  constructor(
    private readonly client: EventStoreDBClient,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    private readonly signing: LedgerSigning,
    private readonly feed: LedgerFeed,
  ) {
    this.every = config.auditCheckpointEvery;
    this.idleMs = config.auditCheckpointIdleMs;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.loadLast();
    this.subscription = this.feed.subscribeToAll({
      fromPosition: this.last ? { commit: this.last.upTo, prepare: this.last.upToPrepare } : START,
      filter: { streamPrefixes: LEDGER_STREAM_PREFIXES, checkpointReached: (p) => this.reach(p.commit) },
    });
    this.done = this.consume(this.subscription);
    this.timer = setInterval(() => void this.recordIfIdle(), Math.max(100, this.idleMs / 2));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.subscription?.unsubscribe();
    this.subscription?.destroy();
    await this.done;
    await this.recording;
  }

  /** Records a checkpoint covering everything in the store now (if anything new). */
  async recordNow(): Promise<AuditCheckpoint | undefined> {
    const end = await this.lastLedgerEventPosition();
    if (end > this.seen) await new Promise<void>((resolve) => this.waiters.push({ position: end, resolve }));
    return this.record();
  }

  private async consume(subscription: AllStreamSubscription): Promise<void> {
    try {
      for await (const resolved of subscription) {
        const e = resolved.event;
        if (!e?.position) continue;
        const meta = e.metadata;
        if (isLedgerEventType(e.type) && isLedgerMetadata(meta) && typeof meta.hash === 'string') {
          this.prefix.add(meta.hash);
          this.lastLedgerPosition = { commit: e.position.commit, prepare: e.position.prepare };
          // At whole multiples, which the auditor remembers however far this recorder lags (CHECKPOINT_GRID).
          if (this.prefix.events % this.every === 0) await this.record();
        }
        this.reach(e.position.commit);
      }
    } catch (err) {
      this.logger.error(`checkpoint subscription stopped: ${(err as Error).message}`);
    }
  }

  private reach(position: bigint): void {
    if (position > this.seen) this.seen = position;
    this.waiters = this.waiters.filter((w) => (w.position <= this.seen ? (w.resolve(), false) : true));
  }

  private async recordIfIdle(): Promise<void> {
    const waiting = this.prefix.events > (this.last?.events ?? 0);
    if (waiting && Date.now() - this.lastActivity >= this.idleMs) await this.record();
  }

  /**
   * One at a time, in order. A failed append (the store unreachable, or its deadline passed under load)
   * is logged and tried again at the next checkpoint or idle tick: it must neither poison the chain nor
   * escape as an unhandled rejection, which would stop the ledger.
   */
  private record(): Promise<AuditCheckpoint | undefined> {
    this.recording = this.recording
      .then(async () => {
        if (this.prefix.events === (this.last?.events ?? 0)) return this.last;
        const { commit, prepare } = this.lastLedgerPosition;
        const checkpoint: AuditCheckpoint = { upTo: commit, upToPrepare: prepare, events: this.prefix.events, prefixHash: this.prefix.hash };
        const data = { upTo: commit.toString(), upToPrepare: prepare.toString(), events: checkpoint.events, prefixHash: checkpoint.prefixHash };
        // Signed like a link: a checkpoint anyone could write would let a cut history pass.
        const result = await this.signing.signing((sign) =>
          this.client.appendToStream(AUDIT_CHECKPOINT_STREAM, jsonEvent({ type: AUDIT_CHECKPOINT_EVENT, data, metadata: { ...sign(checkpointLink(checkpoint)) } }), {
            expectedRevision: this.revision < 0n ? NO_STREAM : this.revision,
          }),
        );
        this.revision = result.nextExpectedRevision;
        this.last = checkpoint;
        this.lastActivity = Date.now();
        return checkpoint;
      })
      .catch((err: Error) => {
        this.logger.warn(`audit checkpoint not recorded (tried again later): ${err.message}`);
        return this.last;
      });
    return this.recording;
  }

  /** Where the store's last ledger event is (among its last thousand events; older ones are seen already). */
  private async lastLedgerEventPosition(): Promise<bigint> {
    let found = -1n;
    // Read the whole page: leaving a read early leaves its call open.
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1000 })) {
      const e = resolved.event;
      if (found < 0n && e?.position && LEDGER_STREAM_PREFIXES.some((p) => e.streamId.startsWith(p))) found = e.position.commit;
    }
    return found;
  }

  private async loadLast(): Promise<void> {
    try {
      for await (const resolved of this.client.readStream(AUDIT_CHECKPOINT_STREAM, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        const e = resolved.event!;
        const d = e.data as { upTo: string; upToPrepare: string; events: number; prefixHash: string };
        this.last = { upTo: BigInt(d.upTo), upToPrepare: BigInt(d.upToPrepare), events: d.events, prefixHash: d.prefixHash };
        this.revision = e.revision;
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
    }
    if (this.last) {
      this.prefix.hash = this.last.prefixHash;
      this.prefix.events = this.last.events;
      this.lastLedgerPosition = { commit: this.last.upTo, prepare: this.last.upToPrepare };
      this.seen = this.last.upTo;
    }
  }
}
