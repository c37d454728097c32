/**
 * `npm run eventstore`: the embedded EventStoreDB-protocol server on its own, for other processes and
 * any EventStoreDB client. EVENTSTORE_PORT (default 2113), EVENTSTORE_HOST (default 127.0.0.1) and
 * EVENTSTORE_DATA_DIR (default ./data/eventstore) configure it.
 */
import * as path from 'node:path';
import { startEmbeddedEventStore } from './index';

async function main(): Promise<void> {
  const dataDir = process.env.EVENTSTORE_DATA_DIR ?? path.resolve('data', 'eventstore');
  const port = Number(process.env.EVENTSTORE_PORT ?? 2113);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`EVENTSTORE_PORT must be a port number, got ${process.env.EVENTSTORE_PORT}`);
  const store = await startEmbeddedEventStore({ dataDir, port, host: process.env.EVENTSTORE_HOST ?? '127.0.0.1' });
  const { truncated, records } = store.engine.recovery;
  console.log(JSON.stringify({ msg: 'event store ready', connectionString: store.connectionString, dataDir, records, truncated }));
  const stop = async (signal: string) => {
    console.log(JSON.stringify({ msg: 'event store stopping', signal }));
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
