/**
 * The live feed over the real embedded store: one subscription to the store, however many consumers;
 * each consumer gets every event it takes exactly once and in `$all` order, whether it starts behind
 * (catching up by reads while appends go on), from now, or falls behind and catches up again.
 */
import { AllStreamResolvedEvent, AllStreamSubscription, END, EventStoreDBClient, jsonEvent, Position, START } from '@eventstore/db-client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EmbeddedEventStore, startEmbeddedEventStore } from '../src/eventstore/embedded';
import { LedgerFeed } from '../src/eventstore/ledger-feed';
import { StoreSubscriptions } from '../src/eventstore/store-subscriptions';

let dir: string;
let store: EmbeddedEventStore;
let client: EventStoreDBClient;
let subscriptions: StoreSubscriptions;
let feed: LedgerFeed;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'feed-'));
  store = await startEmbeddedEventStore({ dataDir: path.join(dir, 'es') });
  client = EventStoreDBClient.connectionString(store.connectionString);
  subscriptions = StoreSubscriptions.of(client);
  feed = new LedgerFeed(client);
});
afterAll(async () => {
  await feed.stop();
  await client.dispose();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Appends `n` events, one append each, to streams `${prefix}0..`, in turns; answers their positions. */
async function append(prefix: string, n: number, streams = 3, type = 'Tick'): Promise<Position[]> {
  const positions: Position[] = [];
  for (let i = 0; i < n; i++) positions.push((await client.appendToStream(`${prefix}${i % streams}`, jsonEvent({ type, data: { i } }))).position!);
  return positions;
}

/** What the store holds for this prefix, read directly, as stream/revision keys in `$all` order. */
async function stored(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { event } of client.readAll({ fromPosition: START })) {
    if (!event?.position || !event.streamId.startsWith(prefix)) continue;
    keys.push(`${event.streamId}@${event.revision}`);
  }
  return keys;
}

/** Collects what the subscription gives until it has `count` events; then pauses it. */
function take(subscription: AllStreamSubscription, count: number): Promise<{ keys: string[]; positions: Position[] }> {
  const keys: string[] = [];
  const positions: Position[] = [];
  return new Promise((resolve) => {
    const onData = (resolved: AllStreamResolvedEvent) => {
      keys.push(`${resolved.event!.streamId}@${resolved.event!.revision}`);
      positions.push(resolved.event!.position!);
      if (keys.length < count) return;
      subscription.off('data', onData);
      subscription.pause();
      resolve({ keys, positions });
    };
    // Resumed: a stream paused on purpose stays paused when a listener is added.
    subscription.on('data', onData).resume();
  });
}

function ascending(positions: Position[]): boolean {
  return positions.every((p, i) => i === 0 || p.commit > positions[i - 1].commit || (p.commit === positions[i - 1].commit && p.prepare > positions[i - 1].prepare));
}

it('gives a consumer from the start every event it takes once and in order, while appends go on during its catch-up', async () => {
  await append('caught-', 600);
  await feed.start();
  const consumer = feed.subscribeToAll({ fromPosition: START, filter: { streamPrefixes: ['caught-'] } });
  const [, got] = await Promise.all([append('caught-', 400), take(consumer, 1_000)]);
  expect(got.keys).toEqual(await stored('caught-'));
  expect(ascending(got.positions)).toBe(true);
});

it('holds one subscription to the store however many consumers it feeds', async () => {
  await feed.start();
  const consumers = Array.from({ length: 6 }, (_, i) => feed.subscribeToAll({ fromPosition: i % 2 ? START : END, filter: { streamPrefixes: ['many-'] } }));
  const written = append('many-', 50);
  const got = await Promise.all(consumers.map((c, i) => take(c, 50)));
  await written;
  for (const g of got) expect(g.keys).toEqual(await stored('many-'));
  expect(subscriptions.held).toBe(1);
  await Promise.all(consumers.map((c) => c.unsubscribe()));
});

it('gives a consumer from END only what is appended after it joined', async () => {
  await append('later-', 5);
  const consumer = feed.subscribeToAll({ fromPosition: END, filter: { streamPrefixes: ['later-'] } });
  await new Promise<void>((resolve) => consumer.once('caughtUp', resolve));
  const after = await append('later-', 7);
  const got = await take(consumer, 7);
  expect(got.positions).toEqual(after);
});

it('filters by event type and by stream prefix together', async () => {
  const consumer = feed.subscribeToAll({ fromPosition: END, filter: { streamPrefixes: ['typed-a'], eventType: /^Wanted$/ } });
  await new Promise<void>((resolve) => consumer.once('caughtUp', resolve));
  await append('typed-a', 4, 1, 'Unwanted');
  await append('typed-b', 4, 1, 'Wanted');
  const wanted = await append('typed-a', 3, 1, 'Wanted');
  const got = await take(consumer, 3);
  expect(got.positions).toEqual(wanted);
});

it('lets a consumer that stops reading fall behind, then catch up by reads without a gap or a repeat', async () => {
  const consumer = feed.subscribeToAll({ fromPosition: END, filter: { streamPrefixes: ['slow-'] } });
  await new Promise<void>((resolve) => consumer.once('caughtUp', resolve));
  const fellBehind = new Promise<void>((resolve) => consumer.once('fellBehind', resolve));
  // Nobody reads while more than its buffer's bound arrives; every append is an event it takes.
  await append('slow-', 1);
  await client.appendToStream('slow-bulk', Array.from({ length: 2_500 }, (_, i) => jsonEvent({ type: 'Tick', data: { i } })));
  await fellBehind;
  // What comes after it left the feed reaches it by reads.
  await append('slow-', 20);
  const got = await take(consumer, 1 + 2_500 + 20);
  expect(got.keys).toEqual(await stored('slow-'));
  expect(ascending(got.positions)).toBe(true);
  // Having caught up again, it is fed live.
  const next = await append('slow-', 2);
  expect((await take(consumer, 2)).positions).toEqual(next);
});

it('tells a consumer how far it has been given everything, as the events it passes over go by', async () => {
  const reached: Position[] = [];
  const consumer = feed.subscribeToAll({ fromPosition: END, filter: { streamPrefixes: ['kept-'], checkpointReached: (p) => void reached.push(p) } });
  consumer.on('data', () => undefined);
  await new Promise<void>((resolve) => consumer.once('caughtUp', resolve));
  const passed = await append('passed-', 70);
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Every 32 events scanned, as a server-side filter checkpoints.
  expect(reached).toEqual([passed[31], passed[63]]);
  await consumer.unsubscribe();
});
