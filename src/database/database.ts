/**
 * The read models' one door to SQL, the same over embedded PGlite and a real PostgreSQL server, so
 * projections, migrations and tests never know which one they run on.
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
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

async function openPglite(dataDir: string): Promise<Database> {
  // PGlite creates its own directory but not the ones above it (a fresh machine has no ./data yet).
  await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  // A read model can always be replayed: its rows and checkpoint commit together, so a crash that loses
  // the last transactions loses both and the projection resumes from the older checkpoint. PGlite may
  // therefore skip syncing to disk after every query.
  const db = await PGlite.create(dataDir, { relaxedDurability: true });
  return {
    kind: 'pglite',
    async query(sql, params) {
      return (await db.query(sql, params)).rows as never;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    transaction(work) {
      return db.transaction((tx) =>
        work({
          query: async (sql, params) => (await tx.query(sql, params)).rows as never,
          exec: async (sql) => void (await tx.exec(sql)),
        }),
      );
    },
    close: () => db.close(),
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
