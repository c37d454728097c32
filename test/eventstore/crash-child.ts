/**
 * Child process of the crash test: runs the embedded store on a data directory and appends numbered
 * events to one stream as fast as it can, printing each number once the store has acknowledged it.
 * Secure (TLS, the admin's credentials) unless its mode argument is `insecure`.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { startEmbeddedEventStore } from '../../src/eventstore/embedded';

async function main(): Promise<void> {
  const [dataDir, stream, fromText, mode] = process.argv.slice(2);
  const store = await startEmbeddedEventStore({ dataDir, insecure: mode === 'insecure' });
  if ((mode === 'insecure') !== store.connectionString.includes('tls=false')) throw new Error(`the store did not start ${mode}`);
  const client = EventStoreDBClient.connectionString(store.connectionString);
  // Four writers at once, so group commits of several appends are crashed into too.
  let next = Number(fromText);
  const writer = async () => {
    for (;;) {
      const n = next++;
      await client.appendToStream(`${stream}-${n % 4}`, jsonEvent({ type: 'Counted', data: { n, pad: 'p'.repeat(n % 300) } }));
      process.stdout.write(`${n}\n`);
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
}

void main();
