/**
 * Issue 6's rebuild target: the pool-state read model rebuilt from 1,000,000 events into embedded
 * PGlite at more than 20,000 events/s. The history is made by the ledger's own deciders
 * (synthetic-history.ts) and written to the embedded store running as its own process. Then, in this
 * process as the ledger runs them: the live projection catching up from nothing, and a rebuild beside
 * it (ProjectionRebuild: a second runner into its own schema, then the switch), each timed. Before
 * them, the ceiling any projection has here: the same events read through the client alone. Each row
 * shows the CPU per event of this process and of the store's.
 * BENCH_REBUILD_POSITIONS (default 100,000, ten events each) makes it smaller.
 */
import { EventStoreDBClient, START, streamNameFilter } from '@eventstore/db-client';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lastStorePosition } from '../src/eventstore/store-position';
import { openDatabase } from '../src/database/database';
import { migrate } from '../src/database/migrations';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { PoolStateProjection } from '../src/projections/pool-state/pool-state.projection';
import { ProjectionRebuild } from '../src/projections/projection-rebuild';
import { LedgerFeed } from '../src/eventstore/ledger-feed';
import { ProjectionRunner } from '../src/projections/projection-runner';
import { Benchmark, BenchRow, fmt } from './bench';
import { startEventStoreProcess } from './support/eventstore-process';
import { cpuSeconds, ownCpuSeconds } from './support/proc';
import { syntheticHistory, writeHistory } from './support/synthetic-history';

const POSITIONS = Number(process.env.BENCH_REBUILD_POSITIONS ?? 100_000);
const TARGET = 20_000;

async function run(): Promise<BenchRow[]> {
  await loadCrypto();
  const store = await startEventStoreProcess();
  const client = EventStoreDBClient.connectionString(store.connectionString);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-rebuild-'));
  const db = await openDatabase({ pgliteDataDir: path.join(dir, 'pglite') });
  try {
    let started = performance.now();
    const noProofs = async () => {
      throw new Error('this history has no proof-triggered liquidations');
    };
    const events = await writeHistory(client, syntheticHistory({ positions: POSITIONS, eventsPerPosition: 10, liquidations: 0, positionsPerRound: 100 }, noProofs));
    const written = (performance.now() - started) / 1000;
    await migrate(db);
    const projection = new PoolStateProjection();
    const last = await lastStorePosition(client);
    // CPU per event of this process (the client, decoding; the read model) and of the store process.
    const cpu = () => ({ here: ownCpuSeconds(), store: cpuSeconds(store.pid) });
    const row = (work: string, seconds: number, n: number, before: ReturnType<typeof cpu>, target = true): BenchRow => {
      const after = cpu();
      return {
        work,
        seconds: fmt(seconds, 1),
        'events/s': fmt(n / seconds, 0),
        'CPU µs/event: here / store': `${fmt(((after.here - before.here) * 1e6) / n, 0)} / ${fmt(((after.store - before.store) * 1e6) / n, 0)}`,
        target: target ? `> ${fmt(TARGET, 0)} events/s` : '',
        met: target ? (n / seconds > TARGET ? 'yes' : 'no') : '',
      };
    };

    // The ceiling: the same events read through the client with nothing done with them.
    let before = cpu();
    started = performance.now();
    const read = await readAlone(client, projection.streamPrefixes, last);
    const readRow = row(`the same events read alone through @eventstore/db-client (no read model): ${fmt(read, 0)}`, (performance.now() - started) / 1000, read, before, false);

    const feed = new LedgerFeed(client);
    const live = new ProjectionRunner(feed, db, projection);
    before = cpu();
    started = performance.now();
    await live.start();
    await live.waitFor(last, 3_600_000);
    const liveRow = row(`live projection from nothing: ${fmt(live.status().eventsApplied, 0)} events into PGlite`, (performance.now() - started) / 1000, live.status().eventsApplied, before);

    before = cpu();
    const rebuild = new ProjectionRebuild(feed, db, projection, live);
    const resumed = await rebuild.finished;
    const status = rebuild.status();
    const rebuilt = (Date.parse(status.finishedAt!) - Date.parse(status.startedAt)) / 1000;
    await resumed?.stop();
    await feed.stop();
    const [{ positions }] = await db.query<{ positions: string }>('SELECT count(*)::text AS positions FROM position_balances');
    return [
      { work: `history written: ${fmt(events, 0)} events (${fmt(POSITIONS, 0)} positions), to $all ${last}`, seconds: fmt(written, 1), 'events/s': fmt(events / written, 0), 'CPU µs/event: here / store': '', target: '', met: '' },
      readRow,
      liveRow,
      row(`rebuild beside it, then the switch (${status.state}): ${fmt(status.eventsApplied, 0)} events, ${positions} position rows`, rebuilt, status.eventsApplied, before),
    ];
  } finally {
    await db.close();
    await client.dispose();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads the projection's streams from the start through the client, up to the store's last event, doing nothing with them. */
async function readAlone(client: EventStoreDBClient, prefixes: string[], last: bigint): Promise<number> {
  let n = 0;
  const subscription = client.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ prefixes }) });
  for await (const { event } of subscription) {
    n++;
    if (event?.position && event.position.commit >= last) break;
  }
  await subscription.unsubscribe();
  return n;
}

export const rebuildBenchmark: Benchmark = {
  name: 'rebuild',
  title: 'pool-state read model rebuilt from 1,000,000 events into PGlite: > 20,000 events/s',
  run,
};
