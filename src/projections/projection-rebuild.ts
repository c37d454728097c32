/**
 * Rebuilds a read model from the start of `$all` beside the one the API serves, then switches.
 *
 * The new model is built in a schema of its own (`rebuild_<name>`), with the same tables, by a second
 * runner of the same projection whose transactions see only that schema. The live model keeps serving
 * and keeps following the store meanwhile. Once the new one has caught up with it, the live runner
 * stops, and one transaction replaces the live rows and checkpoint with the rebuilt ones: readers see
 * the old model or the new one, never a mix. The live runner then resumes from the new checkpoint.
 */
import { LedgerFeed } from '../eventstore/ledger-feed';
import { Logger } from '@nestjs/common';
import { Database, Queryable } from '../database/database';
import { lastStorePosition } from '../eventstore/store-position';
import { Projection } from './projection';
import { ProjectionRunner, RebuildStatus } from './projection-runner';

const POLL_MS = 100;

export class ProjectionRebuild {
  private readonly logger: Logger;
  private readonly schema: string;
  private readonly startedAt = new Date();
  private finishedAt?: Date;
  private state: RebuildStatus['state'] = 'catching-up';
  private error?: string;
  private target = 0n;
  private shadow?: ProjectionRunner;
  private aborted = false;
  /** The runner that serves after the switch: the rebuilt model, or the old one if the switch failed. */
  private resumed?: ProjectionRunner;
  /** Resolves, once the rebuild is over, with the runner that took over from the live one (none if it never stopped). */
  readonly finished: Promise<ProjectionRunner | undefined>;

  constructor(
    private readonly feed: LedgerFeed,
    private readonly db: Database,
    private readonly projection: Projection,
    private readonly live: ProjectionRunner,
  ) {
    this.logger = new Logger(`rebuild:${projection.name}`);
    this.schema = `rebuild_${projection.name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
    this.finished = this.run().then(
      () => this.resumed,
      (err) => {
        this.state = 'failed';
        this.error = err instanceof Error ? err.message : String(err);
        this.finishedAt = new Date();
        this.logger.error(`failed: ${this.error}`);
        return this.resumed;
      },
    );
  }

  /** Stops a rebuild still catching up (the app is shutting down); the next rebuild starts afresh. */
  async abort(): Promise<void> {
    if (this.state !== 'catching-up') return;
    this.aborted = true;
    await this.shadow?.stop();
    await this.finished;
  }

  get running(): boolean {
    return this.state === 'catching-up' || this.state === 'switching';
  }

  status(): RebuildStatus {
    const shadow = this.shadow?.status();
    const commit = shadow?.commitPosition ? BigInt(shadow.commitPosition) : 0n;
    const progress = this.state === 'done' ? 1 : this.target > 0n ? Math.min(1, Number(commit) / Number(this.target)) : 0;
    const seconds = ((this.finishedAt ?? new Date()).getTime() - this.startedAt.getTime()) / 1000;
    const eventsApplied = shadow?.eventsApplied ?? 0;
    const eventsPerSecond = seconds > 0 ? eventsApplied / seconds : 0;
    const etaSeconds = this.state === 'catching-up' && progress > 0 ? (seconds * (1 - progress)) / progress : undefined;
    return {
      state: this.state,
      startedAt: this.startedAt.toISOString(),
      ...(this.finishedAt ? { finishedAt: this.finishedAt.toISOString() } : {}),
      eventsApplied,
      commitPosition: shadow?.commitPosition ?? null,
      targetPosition: this.target.toString(),
      progress,
      eventsPerSecond: Math.round(eventsPerSecond),
      ...(etaSeconds !== undefined ? { etaSeconds: Math.round(etaSeconds * 10) / 10 } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  private async run(): Promise<void> {
    this.target = await lastStorePosition(this.feed.client);
    const tables = ['projection_checkpoints', ...this.projection.tables];
    await this.db.exec(
      `DROP SCHEMA IF EXISTS ${this.schema} CASCADE; CREATE SCHEMA ${this.schema};` +
        tables.map((t) => `CREATE TABLE ${this.schema}.${t} (LIKE public.${t} INCLUDING ALL);`).join(''),
    );
    this.shadow = new ProjectionRunner(this.feed, inSchema(this.db, this.schema), this.projection);
    await this.shadow.start();
    await this.caughtUp(this.shadow);

    this.state = 'switching';
    await this.live.stop();
    try {
      await this.switchOver(this.shadow);
    } finally {
      // From whichever checkpoint committed: the rebuilt model's, or the old one's if the switch failed.
      this.resumed = new ProjectionRunner(this.feed, this.db, this.projection);
      await this.resumed.start();
    }
    this.state = 'done';
    this.finishedAt = new Date();
    const { eventsApplied, eventsPerSecond } = this.status();
    this.logger.log(`switched: ${eventsApplied} events at ${eventsPerSecond} events/s`);
  }

  /** One transaction: the live rows and checkpoint become the rebuilt ones, and the rebuild's schema goes. */
  private async switchOver(shadow: ProjectionRunner): Promise<void> {
    await shadow.stop();
    await this.db.transaction(async (tx) => {
      for (const t of this.projection.tables) {
        // DELETE rather than TRUNCATE: readers keep seeing the old rows until this commits.
        await tx.exec(`DELETE FROM public.${t}; INSERT INTO public.${t} SELECT * FROM ${this.schema}.${t};`);
      }
      await tx.query(
        `INSERT INTO public.projection_checkpoints SELECT * FROM ${this.schema}.projection_checkpoints WHERE projection = $1
         ON CONFLICT (projection) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position,
           events_applied = excluded.events_applied, updated_at = excluded.updated_at`,
        [this.projection.name],
      );
      await tx.exec(`DROP SCHEMA ${this.schema} CASCADE;`);
    });
  }

  /** Until the new model has everything it received applied and stands at or past the live model. */
  private async caughtUp(shadow: ProjectionRunner): Promise<void> {
    for (;;) {
      const s = shadow.status();
      if (this.aborted) throw new Error('aborted: the ledger is shutting down');
      if (s.state === 'faulted') throw new Error(s.error ?? 'the rebuilding projection faulted');
      const at = s.commitPosition ? BigInt(s.commitPosition) : -1n;
      const live = this.live.status().commitPosition;
      if ((live === null || at >= BigInt(live)) && s.lagEvents === 0) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** The database as seen from one schema: every statement runs with it first on the search path. */
function inSchema(db: Database, schema: string): Database {
  const scoped = <T>(work: (tx: Queryable) => Promise<T>) =>
    db.transaction(async (tx) => {
      await tx.exec(`SET LOCAL search_path TO ${schema}`);
      return work(tx);
    });
  return {
    kind: db.kind,
    query: (sql, params) => scoped((tx) => tx.query(sql, params)),
    exec: (sql) => scoped((tx) => tx.exec(sql)),
    transaction: scoped,
    close: () => Promise.resolve(),
  };
}
