/** Starts every registered projection once the app is up, and answers for their status. */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { DATABASE } from '../database/database.module';
import { Database } from '../database/database';
import { Metrics } from '../observability/metrics';
import { Projection } from './projection';
import { ProjectionRunner, ProjectionStatus } from './projection-runner';

export const PROJECTIONS = Symbol('PROJECTIONS');

@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runners: ProjectionRunner[];

  constructor(client: EventStoreDBClient, @Inject(DATABASE) db: Database, @Inject(PROJECTIONS) projections: Projection[]) {
    this.runners = projections.map((p) => new ProjectionRunner(client, db, p));
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.start()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  statuses(): ProjectionStatus[] {
    return this.runners.map((r) => r.status());
  }

  /** Read-your-writes: waits until every projection has applied events up to this `$all` position. */
  async waitFor(commitPosition: bigint | undefined): Promise<void> {
    if (commitPosition !== undefined) await Promise.all(this.runners.map((r) => r.waitFor(commitPosition)));
  }

  exportMetrics(metrics: Metrics): void {
    for (const s of this.statuses()) {
      metrics.projectionEvents.set({ projection: s.projection }, s.eventsApplied);
      if (s.lastEventAt) metrics.projectionLagSeconds.set({ projection: s.projection }, (Date.now() - Date.parse(s.lastEventAt)) / 1000);
    }
  }
}
