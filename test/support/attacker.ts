/**
 * Someone else on the ledger's host with a client of the store: runs writes against the store's port
 * from a process of its own, as an attacker would (and because the client keeps its pending appends in
 * one table per process, a second client disposed inside the ledger's process could fail the ledger's).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export type StoreWrite =
  | { append: string; type: string; data: unknown; metadata?: unknown }
  | { delete: string }
  | { tombstone: string }
  | { read: string };

const SCRIPT = `
const { EventStoreDBClient, jsonEvent } = require('@eventstore/db-client');
const [connectionString, writes] = [process.argv[1], JSON.parse(process.argv[2])];
(async () => {
  const client = EventStoreDBClient.connectionString(connectionString);
  const outcomes = [];
  try {
    for (const w of writes) {
      try {
        if (w.append) await client.appendToStream(w.append, jsonEvent({ type: w.type, data: w.data, metadata: w.metadata }));
        else if (w.delete) await client.deleteStream(w.delete);
        else if (w.tombstone) await client.tombstoneStream(w.tombstone);
        else for await (const e of w.read === '$all' ? client.readAll({ maxCount: 10 }) : client.readStream(w.read)) void e;
        outcomes.push('ok');
      } catch (err) {
        outcomes.push(err.constructor.name);
      }
    }
  } finally {
    await client.dispose().catch(() => undefined);
  }
  console.log(JSON.stringify(outcomes));
})();
`;

/** Runs the operations in order from another process; answers each one's outcome: 'ok' or the client's error class. */
export async function tryAsAttacker(connectionString: string, operations: StoreWrite[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCRIPT, connectionString, JSON.stringify(operations)], { cwd: __dirname });
  return JSON.parse(stdout) as string[];
}

/** Runs the writes in order from another process; rejects unless the store took every one. */
export async function writeAsAttacker(connectionString: string, writes: StoreWrite[]): Promise<void> {
  const outcomes = await tryAsAttacker(connectionString, writes);
  if (outcomes.some((o) => o !== 'ok')) throw new Error(`the store refused: ${outcomes.join(', ')}`);
}
