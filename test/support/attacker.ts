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
  | { tombstone: string };

const SCRIPT = `
const { EventStoreDBClient, jsonEvent } = require('@eventstore/db-client');
const [connectionString, writes] = [process.argv[1], JSON.parse(process.argv[2])];
(async () => {
  const client = EventStoreDBClient.connectionString(connectionString);
  try {
    for (const w of writes) {
      if (w.append) await client.appendToStream(w.append, jsonEvent({ type: w.type, data: w.data, metadata: w.metadata }));
      else if (w.delete) await client.deleteStream(w.delete);
      else await client.tombstoneStream(w.tombstone);
    }
  } finally {
    await client.dispose();
  }
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

/** Runs the writes in order from another process; rejects with the store's refusal if one is refused. */
export async function writeAsAttacker(connectionString: string, writes: StoreWrite[]): Promise<void> {
  await promisify(execFile)(process.execPath, ['-e', SCRIPT, connectionString, JSON.stringify(writes)], { cwd: __dirname });
}
