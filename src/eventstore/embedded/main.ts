/**
 * `npm run eventstore`: the embedded EventStoreDB-protocol server on its own, for other processes and
 * any EventStoreDB client. EVENTSTORE_PORT (default 2113), EVENTSTORE_HOST (default 127.0.0.1) and
 * EVENTSTORE_DATA_DIR (default ./data/eventstore) configure it; it is secure (TLS, users, ACLs) unless
 * EVENTSTORE_INSECURE=true, with the certificates generated into the data directory unless
 * EVENTSTORE_CERT_FILE, EVENTSTORE_KEY_FILE and EVENTSTORE_CA_FILE name them.
 */
import * as path from 'node:path';
import { startEmbeddedEventStore } from './index';
import { tlsFilesFromEnv } from './security';

async function main(): Promise<void> {
  const dataDir = process.env.EVENTSTORE_DATA_DIR ?? path.resolve('data', 'eventstore');
  const port = Number(process.env.EVENTSTORE_PORT ?? 2113);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`EVENTSTORE_PORT must be a port number, got ${process.env.EVENTSTORE_PORT}`);
  const insecure = process.env.EVENTSTORE_INSECURE === 'true';
  const store = await startEmbeddedEventStore({ dataDir, port, host: process.env.EVENTSTORE_HOST ?? '127.0.0.1', insecure, tls: tlsFilesFromEnv() });
  const { truncated, records } = store.engine.recovery;
  if (insecure) console.log(JSON.stringify({ msg: 'EVENTSTORE_INSECURE=true: no TLS, users or ACLs; anyone who reaches the port can read and write everything' }));
  // Without the admin's password, which stays in its file.
  const connectionString = store.connectionStringFor();
  console.log(JSON.stringify({ msg: 'event store ready', connectionString, caFile: store.caFile, adminPasswordFile: insecure ? undefined : path.join(dataDir, 'admin.password'), dataDir, records, truncated }));
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
