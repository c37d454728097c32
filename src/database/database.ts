/**
 * The read models' one door to SQL, the same over embedded PGlite and a real PostgreSQL server, so
 * projections, migrations and tests never know which one they run on.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Pool, PoolClient } from 'pg';

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations, truncation). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** Runs `work` in one transaction: all of it commits or none of it does. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

export async function openDatabase(options: { databaseUrl?: string; pgliteDataDir: string }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPglite(options.pgliteDataDir);
}

/**
 * PGlite runs in a worker thread of its own. Its statements are synchronous WebAssembly: on the main
 * thread a projection's transaction (a few milliseconds) held up every request and every append behind
 * it, and the projection could not use the second core.
 *
 * A read model can always be replayed: its rows and checkpoint commit together, so a crash that loses
 * the last transactions loses both and the projection resumes from the older checkpoint. PGlite may
 * therefore skip syncing to disk after every query.
 */
const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const ready = PGlite.create(workerData.dataDir, { relaxedDurability: true });
ready.catch(() => undefined);
/** Open transactions by id: PGlite holds every other query until each ends. */
const open = new Map();
let nextTransaction = 1;
const answer = (id, value) => parentPort.postMessage({ id, value });
const fail = (id, err) => parentPort.postMessage({ id, error: { message: String((err && err.message) || err), code: err && err.code } });
const target = (db, m) => (m.transaction ? open.get(m.transaction).tx : db);
parentPort.on('message', async (m) => {
  try {
    const db = await ready;
    switch (m.kind) {
      case 'query':
        return answer(m.id, (await target(db, m).query(m.sql, m.params)).rows);
      case 'exec':
        await target(db, m).exec(m.sql);
        return answer(m.id);
      case 'begin': {
        const id = nextTransaction++;
        const t = { id };
        db.transaction((tx) => new Promise((commit, rollBack) => {
          Object.assign(t, { tx, commit, rollBack });
          open.set(id, t);
          answer(m.id, id);
        })).then(
          () => answer(t.ended, undefined),
          (err) => (t.ended === undefined ? fail(m.id, err) : t.rolledBack ? answer(t.ended) : fail(t.ended, err)),
        ).finally(() => open.delete(id));
        return;
      }
      case 'end': {
        const t = open.get(m.transaction);
        t.ended = m.id;
        if (m.commit) return t.commit();
        t.rolledBack = true;
        return t.rollBack(new Error('rolled back'));
      }
      case 'close':
        await db.close();
        return answer(m.id);
    }
  } catch (err) {
    fail(m.id, err);
  }
});
`;

type PgliteRequest =
  | { kind: 'query'; sql: string; params?: unknown[]; transaction?: number }
  | { kind: 'exec'; sql: string; transaction?: number }
  | { kind: 'begin' }
  | { kind: 'end'; transaction: number; commit: boolean }
  | { kind: 'close' };

interface PgliteReply {
  id: number;
  value?: unknown;
  error?: { message: string; code?: string };
}

async function openPglite(dataDir: string): Promise<Database> {
  // PGlite creates its own directory but not the ones above it (a fresh machine has no ./data yet).
  if (!dataDir.includes('://')) await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  const worker = new Worker(PGLITE_WORKER_SOURCE, { eval: true, workerData: { pglite: require.resolve('@electric-sql/pglite'), dataDir } });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', ({ id, value, error }: PgliteReply) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (error) w?.reject(Object.assign(new Error(error.message), error.code ? { code: error.code } : {}));
    else w?.resolve(value);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the PGlite worker exited (code ${code})`)));
  const call = <T>(request: PgliteRequest): Promise<T> =>
    failure
      ? Promise.reject(failure)
      : new Promise<T>((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
          worker.postMessage({ id, ...request });
        });
  const within = (transaction?: number): Queryable => ({
    query: (sql, params) => call({ kind: 'query', sql, params, transaction }),
    exec: (sql) => call({ kind: 'exec', sql, transaction }),
  });
  // Opening fails here, not at the first query.
  await call({ kind: 'query', sql: 'SELECT 1' });
  return {
    kind: 'pglite',
    ...within(),
    async transaction(work) {
      const transaction = await call<number>({ kind: 'begin' });
      let result;
      try {
        result = await work(within(transaction));
      } catch (err) {
        await call({ kind: 'end', transaction, commit: false }).catch(() => undefined);
        throw err;
      }
      await call({ kind: 'end', transaction, commit: true });
      return result;
    },
    async close() {
      await call({ kind: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

function openPostgres(url: string): Database {
  const pool = new Pool({ connectionString: url, max: 8 });
  const viaClient = (client: Pool | PoolClient): Queryable => ({
    query: async (sql, params) => (await client.query(sql, params)).rows,
    exec: async (sql) => void (await client.query(sql)),
  });
  return {
    kind: 'postgres',
    ...viaClient(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(viaClient(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
