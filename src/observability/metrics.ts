/** The ledger's Prometheus metrics, one registry for the process, served at /metrics. */
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import { DomainError } from '../domain/decider';

@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'ledger_commands_total',
    help: 'Commands handled, by command and outcome (accepted, duplicate, refused code).',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly commandSeconds = new Histogram({
    name: 'ledger_command_duration_seconds',
    help: 'Time from receiving a command to its events being appended.',
    labelNames: ['command'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly proofVerificationSeconds = new Histogram({
    name: 'ledger_proof_verification_duration_seconds',
    help: 'Time to verify a liquidation proof on a worker thread, queueing included.',
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly projectionEvents = this.projectionGauge('ledger_projection_events_applied', 'Events a projection has applied to its read model.');
  readonly projectionLagSeconds = this.projectionGauge(
    'ledger_projection_lag_seconds',
    'While events wait to be applied: seconds since the last applied one was written (0 when caught up).',
  );
  readonly projectionLagEvents = this.projectionGauge('ledger_projection_lag_events', 'Events a projection has received and not yet applied.');
  readonly projectionStreamEvents = this.projectionGauge('ledger_projection_stream_events_written', 'Public events a projection has written to its projection streams.');

  readonly detectionSeconds = new Histogram({
    name: 'ledger_liquidation_detection_duration_seconds',
    help: 'Time from an event that moved a pool (price, index, parameters) reaching the detector to every trigger it caused being appended.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });

  readonly liquidationsTriggered = new Counter({
    name: 'ledger_liquidations_triggered_total',
    help: 'Liquidations the detector triggered.',
    registers: [this.registry],
  });
  readonly liquidationProofsPending = new Gauge({
    name: 'ledger_liquidation_proofs_pending',
    help: 'Liquidations the ledger detected and has not yet appended its proof of.',
    registers: [this.registry],
  });
  readonly liquidationProofLagSeconds = new Histogram({
    name: 'ledger_liquidation_proof_lag_seconds',
    help: 'From a detected liquidation reaching the ledger to its proof appended.',
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly liquidationProofFailures = new Counter({
    name: 'ledger_liquidation_proof_failures_total',
    help: "Attempts to prove a detected liquidation that failed (retried while the ledger runs).",
    registers: [this.registry],
  });

  readonly quarantinedEvents = new Gauge({
    name: 'ledger_quarantined_events',
    help: 'Events set aside instead of folded since the process started, by reason (UNDECODABLE, UNFOLDABLE): an alert, since only another writer to the store can put them there.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly deletedStreams = new Gauge({
    name: 'ledger_deleted_streams',
    help: 'Streams the ledger depends on found deleted or tombstoned in the store since the process started, by how: an alert.',
    labelNames: ['how'] as const,
    registers: [this.registry],
  });

  readonly storeSubscriptions = new Gauge({
    name: 'ledger_store_subscriptions',
    help: 'Subscriptions this process holds to its event store: one, the live feed that every consumer (snapshots, projections, detection, checkpoints) is fed from.',
    registers: [this.registry],
  });

  readonly accessRefusals = new Counter({
    name: 'ledger_access_refusals_total',
    help: 'Calls refused before reaching a handler, by code (AUTHENTICATION_REQUIRED, INVALID_API_KEY, ROLE_NOT_ALLOWED, NOT_POSITION_OWNER, RATE_LIMITED...).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge per projection (field initializers run in order: the registry exists by then). */
  private projectionGauge(name: string, help: string): Gauge<'projection'> {
    return new Gauge({ name, help, labelNames: ['projection'] as const, registers: [this.registry] });
  }

  /** Times a command and counts its outcome: accepted, duplicate, or the refusal's code. */
  async observeCommand<T extends { duplicate: boolean }>(command: string, run: () => Promise<T>): Promise<T> {
    const end = this.commandSeconds.startTimer({ command });
    try {
      const result = await run();
      this.commands.inc({ command, outcome: result.duplicate ? 'duplicate' : 'accepted' });
      return result;
    } catch (err) {
      const outcome = err instanceof DomainError ? err.code : err instanceof WrongExpectedVersionError ? 'CONCURRENCY_CONFLICT' : 'error';
      this.commands.inc({ command, outcome });
      throw err;
    } finally {
      end();
    }
  }
}
