/**
 * The server a conformance test talks to: the embedded store on a fresh data directory, or, when
 * EVENTSTORE_CONNECTION_STRING is set, that real EventStoreDB (tests then skip only what needs a
 * restart of the server).
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { EmbeddedEventStore, startEmbeddedEventStore } from '../../src/eventstore/embedded';
import { withCredentials } from '../../src/eventstore/connection-string';

export const againstRealServer = Boolean(process.env.EVENTSTORE_CONNECTION_STRING);

export interface StoreUnderTest {
  client: EventStoreDBClient;
  /** As the admin, whom `client` connects as. */
  adminConnectionString: string;
  /** The store's connection string as another user, or (no login) as nobody. */
  connectionStringAs(login?: string, password?: string): string;
  /** Stops and starts the embedded server on the same data (embedded only). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function storeUnderTest(): Promise<StoreUnderTest> {
  if (againstRealServer) {
    const client = EventStoreDBClient.connectionString(process.env.EVENTSTORE_CONNECTION_STRING as string);
    return {
      client,
      adminConnectionString: process.env.EVENTSTORE_CONNECTION_STRING as string,
      connectionStringAs: (login, password) => withCredentials(process.env.EVENTSTORE_CONNECTION_STRING as string, login, password),
      restart: () => Promise.reject(new Error('cannot restart a real server from the suite')),
      stop: () => client.dispose(),
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'es-conformance-'));
  let embedded: EmbeddedEventStore = await startEmbeddedEventStore({ dataDir });
  const sut: StoreUnderTest = {
    client: EventStoreDBClient.connectionString(embedded.connectionString),
    get adminConnectionString() {
      return embedded.connectionString;
    },
    connectionStringAs: (login, password) => withCredentials(embedded.connectionString, login, password),
    async restart() {
      await sut.client.dispose();
      await embedded.close();
      embedded = await startEmbeddedEventStore({ dataDir, port: embedded.port });
      sut.client = EventStoreDBClient.connectionString(embedded.connectionString);
    },
    async stop() {
      await sut.client.dispose();
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return sut;
}

/** A stream name no other test (or earlier run against a shared real server) has used. */
export function uniqueStream(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}
