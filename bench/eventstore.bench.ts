/**
 * Issue 2's comparison: the embedded event store against the alternative a user would pick here, a
 * PostgreSQL events table (one row per event, unique (stream, revision) for optimistic concurrency,
 * durable commits), on the same work, each as its own server process on loopback. The embedded store
 * runs three ways: secure mode with each event's link signed as the ledger signs it (and checked
 * where it is read, as the live ledger checks it), secure mode alone, and insecure (no TLS, no users):
 * the cost of the signatures and of TLS, side by side.
 */
import { EventStoreDBClient, jsonEvent, START, NO_STREAM, ResolvedEvent } from '@eventstore/db-client';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chainHash, GENESIS_HASH } from '../src/eventstore/event-codec';
import { LedgerKeys, linkSigner } from '../src/eventstore/ledger-key';
import { Pool } from 'pg';
import { Benchmark, BenchRow, fmt, percentile } from './bench';
import { startEventStoreProcess } from './support/eventstore-process';
import { startPostgres } from './support/postgres-server';
import { cpuSeconds, ownCpuSeconds } from './support/proc';

const TOTAL_EVENTS = Number(process.env.BENCH_EVENTSTORE_EVENTS ?? 1_000_000);
const payload = (n: number) => ({ account: `acc-${n % 977}`, amount: String(1_000_000 + n), note: 'benchmark event of about one hundred bytes' });

interface Contender {
  name: string;
  /** One event to this writer's own stream, at the revision the writer expects it to hold. */
  appendOne(writer: number): Promise<void>;
  appendBatch(stream: string, size: number): Promise<void>;
  readAll(): Promise<number>;
  catchUp(count: number): Promise<void>;
  close(): Promise<void>;
  /** CPU seconds the server has used so far, where it is one process to measure. */
  serverCpuSeconds?(): number;
}

interface Measured {
  eventsPerSecond: number;
  p50: number;
  p99: number;
  /** CPU per event in microseconds: this process (the contender's client library) and the server. */
  clientCpuMicros?: number;
  serverCpuMicros?: number;
}

/** Runs `work` (which returns the events it moved) and adds the CPU each side spent per event. */
async function withCpu(c: Contender, work: () => Promise<Measured & { events: number }>): Promise<Measured> {
  const client = ownCpuSeconds();
  const server = c.serverCpuSeconds?.();
  const { events, ...measured } = await work();
  const perEvent = (seconds: number) => (seconds * 1e6) / events;
  return { ...measured, clientCpuMicros: perEvent(ownCpuSeconds() - client), serverCpuMicros: server === undefined ? undefined : perEvent(c.serverCpuSeconds!() - server) };
}

/** Runs `ops` operations split across `concurrency` workers, timing each. */
async function measure(concurrency: number, opsPerWorker: number, eventsPerOp: number, op: (worker: number, i: number) => Promise<void>): Promise<Measured & { events: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < opsPerWorker; i++) {
        const t = performance.now();
        await op(worker, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const events = concurrency * opsPerWorker * eventsPerOp;
  return { events, eventsPerSecond: events / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function throughput(events: () => Promise<number>): Promise<Measured & { events: number }> {
  const started = performance.now();
  const n = await events();
  return { events: n, eventsPerSecond: n / ((performance.now() - started) / 1000), p50: NaN, p99: NaN };
}

type EmbeddedMode = 'signed' | 'secure' | 'insecure';

/**
 * Signs links as CommandHandling does (chainHash over the previous link and the event, Ed25519 over
 * the hash), and checks them as the live ledger's quarantine does: what `signed` adds per event.
 */
function linkSigning() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const sign = linkSigner(privateKey);
  const lastHash = new Map<string, string>();
  return {
    metadata(stream: string, revision: number, data: unknown) {
      const meta = { schemaVersion: 1, commandId: `c-${stream}-${revision}`, at: new Date().toISOString() };
      const prevHash = lastHash.get(stream) ?? GENESIS_HASH;
      const hash = chainHash(prevHash, stream, BigInt(revision), 'Appended', data, meta);
      lastHash.set(stream, hash);
      return { ...meta, prevHash, hash, ...sign(hash) };
    },
    /** A checker for one pass over the history (its cache of verified signatures starts empty). */
    checker() {
      const keys = new LedgerKeys(publicKey);
      return ({ event: e }: ResolvedEvent) => {
        if (!e || e.streamId.startsWith('$')) return;
        const problem = keys.checkEvent({ stream: e.streamId, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata }, e.position?.commit);
        if (problem) throw new Error(`${e.streamId}@${e.revision}: ${problem.message}`);
      };
    },
  };
}

/** The embedded store in secure mode (TLS, every call authenticated and authorized), with or without signed links, or insecure. */
async function embeddedContender(mode: EmbeddedMode): Promise<Contender> {
  const store = await startEventStoreProcess(mode === 'insecure');
  const client = EventStoreDBClient.connectionString(store.connectionString);
  const streams = Array.from({ length: 16 }, () => `writer-${randomUUID()}`);
  const nextRevision = streams.map(() => 0);
  const signing = mode === 'signed' ? linkSigning() : undefined;
  const event = (stream: string, revision: number) => {
    const data = payload(revision);
    return jsonEvent({ type: 'Appended', data, ...(signing ? { metadata: signing.metadata(stream, revision, data) } : {}) });
  };
  return {
    name: 'embedded',
    appendOne: async (writer) => {
      const revision = nextRevision[writer]++;
      await client.appendToStream(streams[writer], event(streams[writer], revision), {
        expectedRevision: revision === 0 ? NO_STREAM : BigInt(revision - 1),
      });
    },
    appendBatch: async (stream, size) => {
      await client.appendToStream(stream, Array.from({ length: size }, (_, i) => event(stream, i)));
    },
    readAll: async () => {
      const check = signing?.checker();
      let n = 0;
      for await (const resolved of client.readAll({ fromPosition: START, maxCount: Number.MAX_SAFE_INTEGER })) {
        check?.(resolved);
        n++;
      }
      return n;
    },
    catchUp: async (count) => {
      const check = signing?.checker();
      let n = 0;
      const subscription = client.subscribeToAll({ fromPosition: START });
      for await (const resolved of subscription) {
        check?.(resolved);
        if (++n >= count) break;
      }
      await subscription.unsubscribe();
    },
    close: async () => {
      await client.dispose();
      await store.stop();
    },
    serverCpuSeconds: () => cpuSeconds(store.pid),
  };
}

async function postgresContender(): Promise<Contender> {
  const server = startPostgres();
  const pool = new Pool({ connectionString: server.url, max: 17 });
  await pool.query(`CREATE TABLE events (
    global_position bigserial PRIMARY KEY,
    stream text NOT NULL, revision bigint NOT NULL, id uuid NOT NULL, type text NOT NULL,
    data jsonb NOT NULL, metadata jsonb, created timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream, revision))`);
  const streams = Array.from({ length: 16 }, () => `writer-${randomUUID()}`);
  const nextRevision = streams.map(() => 0);
  const revisions = new Map<string, number>();
  const page = async (after: string) =>
    (await pool.query<{ global_position: string }>('SELECT global_position, stream, revision, id, type, data, metadata FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 2000', [after])).rows;
  const scan = async (limit: number) => {
    let after = '0';
    let n = 0;
    for (;;) {
      const rows = await page(after);
      if (!rows.length) return n;
      n += rows.length;
      if (n >= limit) return n;
      after = rows[rows.length - 1].global_position;
    }
  };
  return {
    name: 'postgres',
    appendOne: async (writer) => {
      const revision = nextRevision[writer]++;
      // Optimistic concurrency: the unique (stream, revision) key refuses a stale writer.
      await pool.query('INSERT INTO events (stream, revision, id, type, data) VALUES ($1, $2, $3, $4, $5)', [streams[writer], revision, randomUUID(), 'Appended', payload(revision)]);
    },
    appendBatch: async (stream, size) => {
      const first = revisions.get(stream) ?? 0;
      revisions.set(stream, first + size);
      const values: unknown[] = [];
      const tuples = Array.from({ length: size }, (_, i) => {
        values.push(stream, first + i, randomUUID(), 'Appended', payload(i));
        const b = i * 5;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
      });
      await pool.query(`INSERT INTO events (stream, revision, id, type, data) VALUES ${tuples.join(',')}`, values);
    },
    readAll: () => scan(Number.MAX_SAFE_INTEGER),
    // A PostgreSQL-based subscription catches up by polling pages in global order.
    catchUp: async (count) => void (await scan(count)),
    close: async () => {
      await pool.end();
      server.stop();
    },
  };
}

async function runOn(c: Contender): Promise<Record<string, Measured>> {
  const results: Record<string, Measured> = {};
  // Not measured: warms up the client and the JIT, which the first contender would otherwise pay in its first row.
  await measure(1, 1000, 1, (w) => c.appendOne(w));
  results['single-event appends, 1 writer'] = await withCpu(c, () => measure(1, 1000, 1, (w) => c.appendOne(w)));
  results['single-event appends, 16 writers'] = await withCpu(c, () => measure(16, 250, 1, (w) => c.appendOne(w)));
  results['100-event batch appends'] = await withCpu(c, () => measure(1, 300, 100, () => c.appendBatch(`batch-${randomUUID()}`, 100)));
  // Fill up to the full history with 1,000-event batches from 4 writers, then read it all.
  const have = 1000 + 4000 + 30_000;
  const fillBatches = Math.max(0, Math.ceil((TOTAL_EVENTS - have) / 1000));
  await measure(4, Math.ceil(fillBatches / 4), 1000, (w) => c.appendBatch(`fill-${w}-${randomUUID()}`, 1000));
  results['read $all from start'] = await withCpu(c, () => throughput(() => c.readAll()));
  results[`catch-up subscription over ${fmt(TOTAL_EVENTS, 0)} events`] = await withCpu(c, () => throughput(async () => (await c.catchUp(TOTAL_EVENTS), TOTAL_EVENTS)));
  return results;
}

export const eventStoreBenchmark: Benchmark = {
  name: 'eventstore',
  title: `embedded event store (secure mode with signed links, secure, insecure) vs a PostgreSQL events table (targets: embedded >= PostgreSQL on every row, catch-up > 200,000 events/s)`,
  async run(): Promise<BenchRow[]> {
    const results: Record<EmbeddedMode, Record<string, Measured>> = { signed: {}, secure: {}, insecure: {} };
    for (const mode of ['secure', 'signed', 'insecure'] as const) {
      const embedded = await embeddedContender(mode);
      results[mode] = await runOn(embedded).finally(() => embedded.close());
    }
    const postgres = await postgresContender();
    const p = await runOn(postgres).finally(() => postgres.close());
    const { signed: s, secure: e, insecure: i } = results;
    const cpu = (m: Measured) => `${fmt(m.clientCpuMicros!, 1)} / ${fmt(m.serverCpuMicros!, 1)}`;
    return Object.keys(e).map((work) => ({
      work,
      // Secure mode with each link signed (appends) or checked (reads), as the ledger does.
      'signed ev/s': fmt(s[work].eventsPerSecond, 0),
      'secure ev/s': fmt(e[work].eventsPerSecond, 0),
      // The cost of TLS and of authenticating and authorizing every call.
      'insecure ev/s': fmt(i[work].eventsPerSecond, 0),
      'postgres ev/s': fmt(p[work].eventsPerSecond, 0),
      'secure/postgres': fmt(e[work].eventsPerSecond / p[work].eventsPerSecond, 2),
      'secure p50/p99 ms': Number.isNaN(e[work].p50) ? '-' : `${fmt(e[work].p50, 2)} / ${fmt(e[work].p99, 2)}`,
      'postgres p50/p99 ms': Number.isNaN(p[work].p50) ? '-' : `${fmt(p[work].p50, 2)} / ${fmt(p[work].p99, 2)}`,
      // Where the time goes, each side: the bench process (client library, and signing or checking) / the store's process.
      'CPU µs/event client / server: signed': cpu(s[work]),
      secure: cpu(e[work]),
      insecure: cpu(i[work]),
      'pg client': fmt(p[work].clientCpuMicros!, 1),
    }));
  },
};
