/**
 * The one command-handling path with two writers on one stream (two ledger instances): each decides on
 * its cached state first, so the other's appends must show up as conflicts to retry, and a refusal
 * must be checked against what the store holds now.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CommandHandling } from '../src/eventstore/command-handling';
import { EmbeddedEventStore, startEmbeddedEventStore } from '../src/eventstore/embedded';
import { codec, counter, Event } from './support/counter';

let dir: string;
let store: EmbeddedEventStore;
let clients: EventStoreDBClient[];
let a: CommandHandling;
let b: CommandHandling;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'handling-'));
  store = await startEmbeddedEventStore({ dataDir: dir });
  clients = [0, 1].map(() => EventStoreDBClient.connectionString(store.connectionString));
  [a, b] = clients.map((c) => new CommandHandling(c));
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const run = (h: CommandHandling, by: number, commandId: string, nonce: string = randomUUID()) =>
  h.handle('counter-1', counter, codec, { by, nonce }, { commandId, now: new Date(), context: () => undefined });

it('retries a conflict with the other writer and decides on fresh state', async () => {
  await run(a, 5, 'a-1'); // a caches revision 0
  await run(b, 5, 'b-1'); // b appends revision 1 behind a's back
  const outcome = await run(a, 1, 'a-2'); // a's cached state is stale: its first append conflicts
  expect(outcome.revision).toBe(2n);
  expect(outcome.state).toBe(11);
});

it('does not refuse on stale state what fresh state allows', async () => {
  await run(b, 10, 'b-2'); // the total is now 21, but a's cache says 11
  const outcome = await run(a, -15, 'a-3'); // refused at 11, allowed at 21
  expect(outcome.state).toBe(6);
  await expect(run(a, -7, 'a-4')).rejects.toMatchObject({ code: 'BELOW_ZERO' });
});

it('answers a command the other writer already handled as a duplicate, keeping the stored version', async () => {
  const first = await run(b, 2, 'shared-1');
  const again = await run(a, 2, 'shared-1'); // decided again on a's stale cache: another nonce
  expect(again).toMatchObject({ duplicate: true, revision: first.revision, events: [] });
  const stored = [];
  for await (const e of clients[0].readStream('counter-1')) stored.push(e.event!.data as { nonce: string });
  expect(stored.filter((d) => d.nonce === (first.events[0] as Event).nonce)).toHaveLength(1);
  expect(stored).toHaveLength(Number(first.revision) + 1);
  expect((await a.load('counter-1', counter, codec)).state).toBe(8);
});

it('lets the store drop a byte-identical resend of an append', async () => {
  const once = await run(a, 1, 'resend-1', 'same-nonce');
  const b2 = await run(b, 1, 'resend-1', 'same-nonce'); // b's cache is stale: it decides the same events again
  expect(b2.revision).toBe(once.revision);
  expect((await b.load('counter-1', counter, codec)).state).toBe(9);
});

describe('followed streams', () => {
  let follower: CommandHandling;
  let client: EventStoreDBClient;
  beforeAll(async () => {
    client = EventStoreDBClient.connectionString(store.connectionString);
    follower = new CommandHandling(client);
    follower.follow('gauge-', counter, codec);
    await follower.startFollowing();
  });
  afterAll(async () => {
    await follower.stopFollowing();
    await client.dispose();
  });

  it("are served from the cache, and kept current with the other writer's appends", async () => {
    await a.handle('gauge-1', counter, codec, { by: 3, nonce: 'n1' }, { commandId: 'g-1', now: new Date(), context: () => undefined });
    expect((await follower.current('gauge-1', counter, codec)).state).toBe(3); // read once, then followed
    await a.handle('gauge-1', counter, codec, { by: 4, nonce: 'n2' }, { commandId: 'g-2', now: new Date(), context: () => undefined });
    // The other writer's append reaches the follower's cache through the subscription, without a read.
    const deadline = Date.now() + 5000;
    while (follower.cached<number>('gauge-1')?.state !== 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(follower.cached<number>('gauge-1')?.state).toBe(7);
    expect((await follower.current('gauge-1', counter, codec)).revision).toBe(1n);
  });

  it('are read from the store when not followed', async () => {
    await a.handle('other-1', counter, codec, { by: 2, nonce: 'n3' }, { commandId: 'o-1', now: new Date(), context: () => undefined });
    expect((await follower.current('other-1', counter, codec)).state).toBe(2);
    await a.handle('other-1', counter, codec, { by: 2, nonce: 'n4' }, { commandId: 'o-2', now: new Date(), context: () => undefined });
    expect((await follower.current('other-1', counter, codec)).state).toBe(4);
  });
});

it('keeps the hash chain whole when one command with an identical body is decided twice at different instants', async () => {
  // As a liquidation trigger: its body copies the position unchanged, so two decisions differ only in their instant.
  const stream = 'counter-twice';
  const decide = (h: CommandHandling, at: Date) => h.handle(stream, counter, codec, { by: 1, nonce: 'same' }, { commandId: 'twice', now: at, context: () => undefined });
  await a.handle(stream, counter, codec, { by: 1, nonce: 'first' }, { commandId: 'before', now: new Date(), context: () => undefined });
  await b.load(stream, counter, codec);
  const outcomes = await Promise.all([decide(a, new Date(1_000)), decide(b, new Date(2_000))]);
  expect(outcomes.map((o) => o.duplicate).sort()).toEqual([false, true]);
  // Both writers go on from the link the store holds.
  await a.handle(stream, counter, codec, { by: 1, nonce: 'a' }, { commandId: 'after-a', now: new Date(), context: () => undefined });
  await b.handle(stream, counter, codec, { by: 1, nonce: 'b' }, { commandId: 'after-b', now: new Date(), context: () => undefined });
  const links: Array<{ prevHash: string; hash: string }> = [];
  for await (const { event } of clients[0].readStream(stream)) links.push(event!.metadata as { prevHash: string; hash: string });
  expect(links).toHaveLength(4);
  for (let i = 1; i < links.length; i++) expect(links[i].prevHash).toBe(links[i - 1].hash);
});

it('answers a command handled hundreds of commands ago as a duplicate, from the cache and after a cold read', async () => {
  const stream = 'counter-long';
  const handleOn = (h: CommandHandling, commandId: string) => h.handle(stream, counter, codec, { by: 1, nonce: randomUUID() }, { commandId, now: new Date(), context: () => undefined });
  const first = await handleOn(a, 'long-0');
  for (let i = 1; i < 300; i++) await handleOn(a, `long-${i}`);
  const retried = await handleOn(a, 'long-0');
  expect(retried).toMatchObject({ duplicate: true, revision: first.revision, events: [] });
  // A ledger that has not read the stream yet folds it whole and finds the id too.
  const cold = await handleOn(new CommandHandling(clients[1]), 'long-0');
  expect(cold).toMatchObject({ duplicate: true, revision: first.revision, events: [] });
  expect((await a.load(stream, counter, codec)).revision).toBe(299n);
});

describe('a command that starts its stream', () => {
  let client: EventStoreDBClient;
  let starter: CommandHandling;
  /** The streams the starter read, in order. */
  const reads: string[] = [];
  beforeAll(() => {
    client = EventStoreDBClient.connectionString(store.connectionString);
    const readStream = client.readStream.bind(client);
    client.readStream = ((stream: string, options?: never) => (reads.push(stream), readStream(stream, options))) as typeof client.readStream;
    starter = new CommandHandling(client);
  });
  afterAll(() => client.dispose());
  const start = (stream: string, by: number, commandId: string) =>
    starter.handle(stream, counter, codec, { by, nonce: randomUUID() }, { commandId, now: new Date(), context: () => undefined, newStream: true });

  it('is decided on the initial state and appended without a read', async () => {
    reads.length = 0;
    expect(await start('fresh-1', 4, 'f-1')).toMatchObject({ state: 4, revision: 0n, duplicate: false });
    expect(reads).toEqual([]);
    // Its stream is cached from then on, as after any append.
    expect(await start('fresh-1', 1, 'f-2')).toMatchObject({ state: 5, revision: 1n });
    expect(reads).toEqual([]);
  });

  it('on a stream that is there after all, is decided again on what the store holds', async () => {
    await a.handle('fresh-2', counter, codec, { by: 5, nonce: 'n' }, { commandId: 'e-1', now: new Date(), context: () => undefined });
    // Allowed at 0 + 1: the append's expected revision (none) conflicts, and the retry reads 5.
    expect(await start('fresh-2', 1, 'e-2')).toMatchObject({ state: 6, revision: 1n, duplicate: false });
    // Refused at 0 − 3: the refusal is checked against the store, where 6 − 3 is allowed.
    await a.handle('fresh-3', counter, codec, { by: 6, nonce: 'n' }, { commandId: 'e-3', now: new Date(), context: () => undefined });
    expect(await start('fresh-3', -3, 'e-4')).toMatchObject({ state: 3, revision: 1n });
    // A command the stream already handled is answered as a duplicate, not appended again.
    await a.handle('fresh-4', counter, codec, { by: 2, nonce: 'n' }, { commandId: 'e-5', now: new Date(), context: () => undefined });
    expect(await start('fresh-4', 2, 'e-5')).toMatchObject({ duplicate: true, revision: 0n, events: [] });
    expect((await a.load('fresh-4', counter, codec)).revision).toBe(0n);
  });
});
