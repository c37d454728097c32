/**
 * The embedded read-model database (PGlite, in a worker thread of its own) keeps the one door's
 * promises: a transaction commits whole or not at all, a failed statement reports PostgreSQL's error
 * and code, and a query from outside waits for an open transaction instead of seeing half of it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Database, openDatabase } from './database';

let dir: string;
let db: Database;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'database-'));
  db = await openDatabase({ pgliteDataDir: path.join(dir, 'pglite') });
  await db.exec('CREATE TABLE balances (account text PRIMARY KEY, amount numeric NOT NULL CHECK (amount >= 0))');
});
afterAll(async () => {
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const amounts = async () => Object.fromEntries((await db.query<{ account: string; amount: string }>('SELECT account, amount::text FROM balances ORDER BY account')).map((r) => [r.account, r.amount]));

it('commits a transaction whole, and rolls one back whole when its work fails', async () => {
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO balances VALUES ($1, $2)', ['a', '10']);
    await tx.query('INSERT INTO balances VALUES ($1, $2)', ['b', '5']);
  });
  await expect(
    db.transaction(async (tx) => {
      await tx.query('UPDATE balances SET amount = amount + 7 WHERE account = $1', ['a']);
      await tx.query('UPDATE balances SET amount = amount - 7 WHERE account = $1', ['b']); // below zero: refused
    }),
  ).rejects.toMatchObject({ code: '23514' });
  await expect(
    db.transaction(async (tx) => {
      await tx.query('UPDATE balances SET amount = 0 WHERE account = $1', ['a']);
      throw new Error('the caller changed its mind');
    }),
  ).rejects.toThrow('the caller changed its mind');
  expect(await amounts()).toEqual({ a: '10', b: '5' });
});

it('makes a query from outside wait for an open transaction', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const transaction = db.transaction(async (tx) => {
    await tx.query('UPDATE balances SET amount = 20 WHERE account = $1', ['a']);
    await held;
    await tx.query('UPDATE balances SET amount = 0 WHERE account = $1', ['b']);
  });
  let seen: Record<string, string> | undefined;
  const outside = amounts().then((a) => (seen = a));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(seen).toBeUndefined();
  release();
  await Promise.all([transaction, outside]);
  expect(seen).toEqual({ a: '20', b: '0' });
});

it('reports a bad statement with its PostgreSQL code and stays usable', async () => {
  await expect(db.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
  expect(await amounts()).toEqual({ a: '20', b: '0' });
});
