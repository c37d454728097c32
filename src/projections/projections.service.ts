/**
 * Starts every registered read-model projection once the app is up, and answers for their status and
 * for the public-stream projector's.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { LedgerFeed } from '../eventstore/ledger-feed';
import { DATABASE } from '../database/database.module';
import { Database } from '../database/database';
import { Metrics } from '../observability/metrics';
import { Projection } from './projection';
import { DomainError } from '../domain/decider';
import { ProjectionRebuild } from './projection-rebuild';
import { ProjectionRunner, ProjectionStatus, RebuildStatus } from './projection-runner';
import { PublicStreamProjector } from './public-streams/public-stream-projector';

export const PROJECTIONS = Symbol('PROJECTIONS');

@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runners: ProjectionRunner[];
  private readonly rebuilds = new Map<string, ProjectionRebuild>();

  constructor(
    private readonly feed: LedgerFeed,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(PROJECTIONS) projections: Projection[],
    private readonly publicStreams: PublicStreamProjector,
  ) {
    this.runners = projections.map((p) => new ProjectionRunner(feed, db, p));
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.start()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.rebuilds.values()].map((r) => r.abort()));
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  statuses(): ProjectionStatus[] {
    const withRebuild = (s: ProjectionStatus) => {
      const rebuild = this.rebuilds.get(s.projection);
      return rebuild ? { ...s, rebuild: rebuild.status() } : s;
    };
    return [...this.runners.map((r) => withRebuild(r.status())), this.publicStreams.status()];
  }

  /**
   * Starts rebuilding a read model beside the live one (ProjectionRebuild); the API serves the live one
   * until the rebuilt one has caught up and replaced it.
   */
  rebuild(name: string): RebuildStatus {
    if (name === this.publicStreams.name) {
      throw new DomainError('NOT_REBUILDABLE', 'projection streams are append-only: they are derived once, and a restart re-derives only what they lack');
    }
    const index = this.runners.findIndex((r) => r.projection.name === name);
    if (index < 0) throw new DomainError('PROJECTION_NOT_FOUND', `no read model named ${name.slice(0, 80)}; known: ${this.runners.map((r) => r.projection.name).join(', ')}`);
    if (this.rebuilds.get(name)?.running) throw new DomainError('REBUILD_IN_PROGRESS', `${name} is being rebuilt already`);
    const live = this.runners[index];
    const rebuild = new ProjectionRebuild(this.feed, this.db, live.projection, live);
    this.rebuilds.set(name, rebuild);
    void rebuild.finished.then((resumed) => {
      if (!resumed) return;
      this.runners[index] = resumed;
      live.handOverTo(resumed);
    });
    return rebuild.status();
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
