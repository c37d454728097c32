/**
 * Starts every registered read-model projection once the app is up, and answers for their status and
 * for the public-stream projector's.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { DATABASE } from '../database/database.module';
import { Database } from '../database/database';
import { Metrics } from '../observability/metrics';
import { Projection } from './projection';
import { ProjectionRunner, ProjectionStatus } from './projection-runner';
import { PublicStreamProjector } from './public-streams/public-stream-projector';

export const PROJECTIONS = Symbol('PROJECTIONS');

@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runners: ProjectionRunner[];

  constructor(
    client: EventStoreDBClient,
    @Inject(DATABASE) db: Database,
    @Inject(PROJECTIONS) projections: Projection[],
    private readonly publicStreams: PublicStreamProjector,
  ) {
    this.runners = projections.map((p) => new ProjectionRunner(client, db, p));
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.start()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  statuses(): ProjectionStatus[] {
    return [...this.runners.map((r) => r.status()), this.publicStreams.status()];
  }

  /** Read-your-writes: waits until every projection has applied events up to this `$all` position. */
  async waitFor(commitPosition: bigint | undefined): Promise<void> {
    if (commitPosition !== undefined) await Promise.all(this.runners.map((r) => r.waitFor(commitPosition)));
  }

  exportMetrics(metrics: Metrics): void {
    for (const s of this.statuses()) {
      const labels = { projection: s.projection };
      metrics.projectionEvents.set(labels, s.eventsApplied);
      metrics.projectionLagEvents.set(labels, s.lagEvents);
      metrics.projectionLagSeconds.set(labels, s.lagSeconds);
      if (s.eventsWritten !== undefined) metrics.projectionStreamEvents.set(labels, s.eventsWritten);
    }
  }
}
