/**
 * The ledger proves every liquidation it detects, so that each one, like a liquidator's, carries a
 * proof anyone can check without learning the position's size. The detector hands over each detected
 * trigger (and, after a restart, every one still without its proof); proving runs on the prover pool's
 * worker threads and never delays a trigger; the proof is appended as its own event on
 * `proof-<liquidationId>` through the one command path. How far proofs lag behind triggers is a metric
 * (and `GET /liquidations` says which are pending).
 */
import { asComponent } from '../eventstore/command-issuer';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '../domain/decider';
import { LEDGER_PROVER, ProofJob } from '../domain/liquidation/detected-liquidation-proof';
import { liquidationProofAggregate } from '../domain/liquidation/detected-liquidation-proof-aggregate';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCommand } from '../eventstore/aggregate-commands';
import { Metrics } from '../observability/metrics';
import { ProverClosedError, ProverPool } from './prover-pool';
import { buildWitnessInput, WitnessError } from './witness';

export const PROVER_POOL = Symbol('ProverPool');


/** A failed attempt (the store unreachable, say) is tried again after this long. */
const RETRY_MS = 5_000;

@Injectable()
export class DetectionProver implements OnModuleDestroy {
  private readonly logger = new Logger('liquidation-proofs');
  /** Liquidations being proven, by id: each is proven once however often it is handed over. */
  private readonly inFlight = new Set<string>();
  private closed = false;

  constructor(
    private readonly bus: CommandBus,
    private readonly metrics: Metrics,
    @Inject(PROVER_POOL) private readonly prover: ProverPool | undefined,
  ) {}

  /** Whether the ledger proves its detections (LEDGER_PROOFS). */
  get enabled(): boolean {
    return this.prover !== undefined;
  }

  /** Starts proving this detected liquidation, unless it is being proven already; returns at once. */
  prove(job: ProofJob): void {
    const id = job.trigger.liquidationId;
    if (!this.prover || this.closed || this.inFlight.has(id)) return;
    this.inFlight.add(id);
    this.metrics.liquidationProofsPending.set(this.inFlight.size);
    const started = performance.now();
    void this.attempt(job)
      .then(() => this.metrics.liquidationProofLagSeconds.observe((performance.now() - started) / 1000))
      .finally(() => {
        this.inFlight.delete(id);
        this.metrics.liquidationProofsPending.set(this.inFlight.size);
      });
  }

  /** Proves and appends; tries again after a failure that is not the rules' (the store, a worker), while the ledger runs. */
  private async attempt(job: ProofJob): Promise<void> {
    const { trigger, opening } = job;
    for (;;) {
      try {
        const input = buildWitnessInput({
          opening,
          roundPrice: { feed: trigger.feed, round: trigger.round, price: trigger.price },
          pool: { thresholdBps: trigger.thresholdBps, collateralDecimals: trigger.collateralDecimals, debtDecimals: trigger.debtDecimals, borrowIndex: trigger.borrowIndex },
          positionId: trigger.positionId,
          liquidator: LEDGER_PROVER,
        });
        const { proof, publicSignals, verified } = await this.prover!.prove(input);
        await asComponent('detection-prover', () =>
          this.bus.execute(
            new ExecuteCommand(
              liquidationProofAggregate,
              trigger.liquidationId,
              `prove-${trigger.liquidationId}`,
              { type: 'ProveDetectedLiquidation', proof, publicSignals, proofVerified: verified },
              // The liquidation it proves is the one the watch found, which the detector handed over.
              { reads: { detectedLiquidation: () => trigger } },
            ),
          ),
        );
        return;
      } catch (err) {
        if (this.closed || err instanceof ProverClosedError) return;
        // Proven already (by this ledger before a restart, or another process): nothing left to do.
        if (err instanceof DomainError && err.code === 'LIQUIDATION_ALREADY_PROVEN') return;
        this.metrics.liquidationProofFailures.inc();
        this.logger.error(`proving liquidation ${trigger.liquidationId} failed: ${(err as Error).message}`);
        // A refusal by the rules (or an unprovable input) will not change by trying again.
        if (err instanceof DomainError || err instanceof WitnessError) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS).unref());
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.prover?.close();
  }
}
