/**
 * The projection runner over the real embedded store and PGlite: rows and checkpoint move together,
 * so a runner stopped at any point and started again neither skips nor repeats an event.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmbeddedEventStore, EmbeddedEventStore } from '../src/eventstore/embedded';
import { Database, openDatabase, Queryable } from '../src/database/database';
import { migrate } from '../src/database/migrations';
import { Projection, ProjectedEvent } from '../src/projections/projection';
import { ProjectionRunner } from '../src/projections/projection-runner';
import { LedgerFeed } from '../src/eventstore/ledger-feed';

/** Counts events per stream; any skipped or repeated event shows in the counts. */
const counting: Projection = {
  name: 'counting',
  streamPrefixes: ['counted-'],
  tables: ['test_counts'],
  async apply(tx: Queryable, events: readonly ProjectedEvent[]) {
    for (const e of events) {
      await tx.query(
        `INSERT INTO test_counts (stream, seen, last_revision) VALUES ($1, 1, $2)
         ON CONFLICT (stream) DO UPDATE SET seen = test_counts.seen + 1, last_revision = $2`,
        [e.stream, e.revision.toString()],
      );
    }
  },
};

let dir: string;
let store: EmbeddedEventStore;
let client: EventStoreDBClient;
let db: Database;
let feed: LedgerFeed;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'projection-'));
  store = await startEmbeddedEventStore({ dataDir: path.join(dir, 'es') });
  client = EventStoreDBClient.connectionString(store.connectionString);
  feed = new LedgerFeed(client);
  db = await openDatabase({ pgliteDataDir: path.join(dir, 'pg') });
  await migrate(db);
  await db.exec('CREATE TABLE test_counts (stream text PRIMARY KEY, seen int NOT NULL, last_revision bigint NOT NULL)');
});
afterAll(async () => {
  await feed.stop();
  await db.close();
  await client.dispose();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function counts(): Promise<Record<string, number>> {
  const rows = await db.query<{ stream: string; seen: number }>('SELECT stream, seen FROM test_counts ORDER BY stream');
  return Object.fromEntries(rows.map((r) => [r.stream, r.seen]));
}

it('applies every event once across stops and restarts, ignoring streams it does not read', async () => {
  const streams = ['counted-a', 'counted-b', 'counted-c'];
  let last = 0n;
  const write = async (n: number) => {
    for (let i = 0; i < n; i++) {
      for (const s of streams) await client.appendToStream(s, jsonEvent({ type: 'Tick', data: {} }));
      const r = await client.appendToStream('ignored-x', jsonEvent({ type: 'Tick', data: {} }));
      last = r.position!.commit;
    }
  };
  await write(40);
  for (let round = 1; round <= 3; round++) {
    const runner = new ProjectionRunner(feed, db, counting);
    await runner.start();
    const more = write(20); // events keep arriving while the runner catches up and goes live
    await more;
    await runner.waitFor(last);
    await runner.stop();
    const expected = (40 + 20 * round);
    expect(await counts()).toEqual({ 'counted-a': expected, 'counted-b': expected, 'counted-c': expected });
  }
  const [checkpoint] = await db.query<{ events_applied: string }>("SELECT events_applied FROM projection_checkpoints WHERE projection = 'counting'");
  expect(Number(checkpoint.events_applied)).toBe(3 * 100);
});

it('catches up on history in whole batches, not a transaction per handful of events', async () => {
  const batches: number[] = [];
  const sizing: Projection = { name: 'sizing', streamPrefixes: ['sized-'], tables: [], apply: async (_tx, events) => void batches.push(events.length) };
  let last = 0n;
  for (let i = 0; i < 12; i++) {
    const r = await client.appendToStream(`sized-${i}`, Array.from({ length: 100 }, () => jsonEvent({ type: 'Tick', data: { i } })));
    last = r.position!.commit;
  }
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // history by now: older than a second
  const runner = new ProjectionRunner(feed, db, sizing);
  await runner.start();
  await runner.waitFor(last);
  await runner.stop();
  expect(batches.reduce((a, b) => a + b, 0)).toBe(1_200);
  // Events come off the wire a few at a time: unbatched, each transaction holds about ten.
  expect(batches.length).toBeLessThanOrEqual(12);
  // No batch ends inside an append (its events share the commit position read-your-writes waits on).
  expect(batches.every((n) => n % 100 === 0)).toBe(true);
});

it('answers read-your-writes live at a position past events it does not take, where the server sends no checkpoint', async () => {
  const taken: string[] = [];
  const live: Projection = { name: 'live-waits', streamPrefixes: ['waited-'], tables: [], apply: async (_tx, events) => void taken.push(...events.map((e) => e.stream)) };
  const runner = new ProjectionRunner(feed, db, live);
  await runner.start();
  // A taken event, then a few the projection passes over: fewer than a checkpoint interval, so live
  // no checkpoint covers them, and the wait must still end, with the taken event applied.
  await client.appendToStream('waited-1', jsonEvent({ type: 'Tick', data: {} }));
  let last = 0n;
  for (let i = 0; i < 5; i++) last = (await client.appendToStream('passed-over', jsonEvent({ type: 'Tick', data: {} }))).position!.commit;
  await runner.waitFor(last);
  expect(taken).toEqual(['waited-1']);
  await runner.stop();
});
