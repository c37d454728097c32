/**
 * The ledger's own liquidation detection. It follows pools, feeds and positions from `$all` into a
 * LiquidationWatch; having read the history it looks over every pool (anything that went under while the
 * ledger was down), and from then on, whenever an event moves a pool's price, borrow index or
 * threshold, it triggers exactly the positions that event pushed below health factor 1.
 *
 * A trigger is an ordinary position command (DetectLiquidation) through the one command path, so the
 * position's expected revision guards it and the rules are decided again against fresh state. Its
 * command id names the position's revision: a restarted detector, or two sweeps that overlap, never
 * append the same trigger twice.
 */
import { asComponent } from '../eventstore/command-issuer';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AllStreamSubscription, Position, START } from '@eventstore/db-client';
import { LedgerFeed } from '../eventstore/ledger-feed';
import { Clock, unixSeconds } from '../clock/clock';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { DomainError } from '../domain/decider';
import { isLedgerStream, LEDGER_STREAM_PREFIXES, LedgerEvent, ledgerEventCodec } from '../domain/events';
import { Quarantine } from '../eventstore/quarantine';
import { positionAggregate } from '../domain/position/position-aggregate';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCommand } from '../eventstore/aggregate-commands';
import { Metrics } from '../observability/metrics';
import { DueLiquidation, LiquidationWatch } from './liquidation-watch';
import { LiquidationSaga } from './liquidation-saga';
import { DetectionProver } from '../zk/detection-prover';

/** Triggers appended at once: enough to overlap store round trips, few enough not to crowd out borrowers' commands. */
const TRIGGER_CONCURRENCY = 32;

/** What one look over a pool found and did: the figures the detection benchmark reports. */
export interface Sweep {
  poolId: string;
  /** The `$all` commit position of the event that moved the pool; none for the first look after start. */
  cause?: bigint;
  found: number;
  triggered: number;
  /** Time to select the due positions from the index. */
  selectMillis: number;
  /** Time from the event reaching the detector to every trigger being appended. */
  totalMillis: number;
  /** CPU the whole process (every thread) spent meanwhile, on the sweep and on whatever ran beside it. */
  cpuMillis: number;
}

@Injectable()
export class LiquidationDetector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('liquidation');
  readonly watch = new LiquidationWatch();
  private subscription?: AllStreamSubscription;
  private consuming?: Promise<void>;
  private timer?: NodeJS.Timeout;
  /** Triggers being appended, by command id. */
  private readonly inFlight = new Set<string>();
  private readonly sweepListeners = new Set<(sweep: Sweep) => void>();

  constructor(
    private readonly feed: LedgerFeed,
    private readonly bus: CommandBus,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly saga: LiquidationSaga,
    private readonly prover: DetectionProver,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly quarantine: Quarantine,
  ) {}

  /**
   * Reads the history before the app serves, looks over every pool once, then follows from where the
   * read ended: a subscription from a position delivers exactly what came after it.
   */
  async onApplicationBootstrap(): Promise<void> {
    let from: Position | typeof START = START;
    for await (const { event: recorded } of this.feed.client.readAll({ fromPosition: START })) {
      if (!recorded?.position) continue;
      from = recorded.position;
      this.watched(recorded);
    }
    await Promise.all(this.watch.poolIds().map((poolId) => this.sweep(poolId, performance.now())));
    await Promise.all(this.watch.pendingSteps().map((step) => this.saga.take(step)));
    // Detections a stop left without their proof: proven now, in the background.
    for (const job of this.watch.awaitingProof()) this.prover.prove(job);
    this.subscription = this.feed.subscribeToAll({ fromPosition: from, filter: { streamPrefixes: LEDGER_STREAM_PREFIXES } });
    this.consuming = this.consume(this.subscription);
    // Auctions close and go stale with time, not with an event: look for those once a second.
    this.timer = setInterval(() => {
      for (const step of this.watch.timedSteps(unixSeconds(this.clock.now()))) void this.saga.take(step);
    }, 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.subscription?.unsubscribe().catch(() => undefined);
    this.subscription?.destroy();
    await this.consuming;
  }

  /** Calls back after each look over a pool (for the benchmark and for tests that wait on detection). */
  onSweep(listener: (sweep: Sweep) => void): () => void {
    this.sweepListeners.add(listener);
    return () => this.sweepListeners.delete(listener);
  }

  private async consume(subscription: AllStreamSubscription): Promise<void> {
    try {
      for await (const { event: recorded } of subscription) {
        const receivedAt = performance.now();
        const event = recorded && this.watched(recorded);
        if (!event) continue;
        const proofJob = this.watch.proofJobOf(recorded.streamId, recorded.revision, event);
        if (proofJob) this.prover.prove(proofJob);
        for (const step of this.watch.stepsAfter(recorded.streamId, event)) void this.saga.take(step);
        for (const poolId of this.watch.poolsMovedBy(recorded.streamId, event)) void this.sweep(poolId, receivedAt, recorded.position?.commit);
      }
    } catch (err) {
      this.logger.error(`the detector's subscription ended: ${(err as Error).message}`);
    }
  }

  /** Triggers every due position of the pool that is not being triggered already. */
  private async sweep(poolId: string, receivedAt: number, cause?: bigint): Promise<void> {
    if (!this.config.liquidationDetection) return; // the watch still follows, for the list of liquidations
    const cpuBefore = process.cpuUsage();
    const due = this.watch.due(poolId, unixSeconds(this.clock.now())).filter((d) => !this.inFlight.has(commandIdOf(d)));
    const selected = performance.now();
    let triggered = 0;
    const queue = due[Symbol.iterator]();
    const worker = async () => {
      for (const d of queue) if (await this.trigger(d)) triggered++;
    };
    await Promise.all(Array.from({ length: Math.min(TRIGGER_CONCURRENCY, due.length) }, worker));
    const totalMillis = performance.now() - receivedAt;
    if (due.length) this.metrics.detectionSeconds.observe(totalMillis / 1000);
    const { user, system } = process.cpuUsage(cpuBefore);
    const sweep = { poolId, cause, found: due.length, triggered, selectMillis: selected - receivedAt, totalMillis, cpuMillis: (user + system) / 1000 };
    for (const listener of this.sweepListeners) listener(sweep);
  }

  /**
   * Folds an event of a ledger stream into the watch and answers it; undefined for anything else. An
   * event that cannot be decoded or watched is quarantined, and the watch keeps its stream as it was
   * before (commands on that stream are refused meanwhile).
   */
  private watched(recorded: { streamId: string; revision: bigint; type: string; isJson: boolean; data: unknown; metadata?: unknown; id: string }): LedgerEvent | undefined {
    if (!recorded.isJson || !isLedgerStream(recorded.streamId) || this.quarantine.of(recorded.streamId)) return undefined;
    const event = this.quarantine.decode(ledgerEventCodec, recorded);
    if (!event) return undefined;
    try {
      this.watch.apply(recorded.streamId, recorded.revision, event);
    } catch (err) {
      this.quarantine.report(recorded, 'UNFOLDABLE', err);
      return undefined;
    }
    return event;
  }

  private async trigger(due: DueLiquidation): Promise<boolean> {
    const commandId = commandIdOf(due);
    this.inFlight.add(commandId);
    try {
      const result = await asComponent('liquidation-detector', () => this.bus.execute(new ExecuteCommand(positionAggregate, due.positionId, commandId, { type: 'DetectLiquidation', round: due.round })));
      if (!result.duplicate) this.metrics.liquidationsTriggered.inc();
      return !result.duplicate;
    } catch (err) {
      // The position moved on since (repaid, topped up, already liquidating) or the round went stale:
      // the rules said no, and the next event that matters looks again.
      if (!(err instanceof DomainError)) this.logger.warn(`triggering ${due.positionId} failed: ${(err as Error).message}`);
      return false;
    } finally {
      this.inFlight.delete(commandId);
    }
  }
}


function commandIdOf(due: DueLiquidation): string {
  return `detect-${due.positionId}@${due.revision}`;
}
