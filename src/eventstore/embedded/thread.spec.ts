/**
 * The embedded store on a worker thread of its own: the ledger reaches it over gRPC as it reaches a
 * store on its own thread, in secure mode, and a start that fails, fails here. The worker runs the
 * TypeScript sources through the tests' loader (the ledger itself runs the compiled store).
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ADMINS } from './security';
import { startEmbeddedEventStoreEndpoint, StoreModule } from './thread';

const TYPESCRIPT_STORE: StoreModule = { store: path.join(__dirname, 'index.ts'), preload: path.join(__dirname, '../../../test/support/ts-register.js') };

let dir: string;
beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'es-thread-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

it('serves appends and reads in secure mode from its own thread, as a user the ledger asks for, until it is closed', async () => {
  const store = await startEmbeddedEventStoreEndpoint({ dataDir: dir }, { module: TYPESCRIPT_STORE });
  expect(store.onOwnThread).toBe(true);
  const client = EventStoreDBClient.connectionString(await store.connectionStringAs('ledger', [ADMINS]));
  try {
    await client.appendToStream('thread-check', jsonEvent({ type: 'Checked', data: { n: 1 } }));
    const read = [];
    for await (const resolved of client.readStream('thread-check')) read.push(resolved.event?.data);
    expect(read).toEqual([{ n: 1 }]);
    // A user without a password is nobody: the store's users and ACLs are in force on its thread too.
    const anonymous = EventStoreDBClient.connectionString(store.connectionStringFor());
    await expect(anonymous.appendToStream('thread-check', jsonEvent({ type: 'Forged', data: {} }))).rejects.toThrow();
    await anonymous.dispose();
  } finally {
    await client.dispose();
    await store.close();
  }
  const after = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${store.port}?tls=false`);
  await expect(after.appendToStream('thread-check', jsonEvent({ type: 'Late', data: {} }), { deadline: 2_000 })).rejects.toThrow();
  await after.dispose();
}, 60_000);

it('fails to start as the store fails: a port already taken', async () => {
  const taken = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => taken.once('listening', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    await expect(startEmbeddedEventStoreEndpoint({ dataDir: dir, port }, { module: TYPESCRIPT_STORE })).rejects.toThrow(/EADDRINUSE|in use|bind/i);
  } finally {
    taken.close();
  }
}, 60_000);
