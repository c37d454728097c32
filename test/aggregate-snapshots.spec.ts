/**
 * Snapshots of long streams over the real embedded store: a cold load reads the snapshot and only what
 * came after it; a snapshot the ledger's key did not sign, or one altered after signing, is ignored;
 * retried commands are still answered as duplicates after a cold load; and the idempotency window is
 * the same in a warm stream and a cold one.
 */
import { BACKWARDS, END, EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { serialize } from 'node:v8';
import { AggregateSnapshots, SNAPSHOT_EVENT, SNAPSHOT_EVERY, snapshotStream } from '../src/eventstore/aggregate-snapshots';
import { CommandHandling } from '../src/eventstore/command-handling';
import { EmbeddedEventStore, startEmbeddedEventStore } from '../src/eventstore/embedded';
import { COMMAND_IDS_KEPT, HandledCommands } from '../src/eventstore/handled-commands';
import { linkSigner } from '../src/eventstore/ledger-key';
import { LedgerSigning } from '../src/eventstore/ledger-signing';
import { Quarantine } from '../src/eventstore/quarantine';
import { activePool, DEFAULT_AUCTION, poolDecider, PoolEvent, PoolState } from '../src/domain/pool/pool';
import { codec, counter } from './support/counter';

let dir: string;
let store: EmbeddedEventStore;
let client: EventStoreDBClient;
let signing: LedgerSigning;
const STREAM = 'counter-snapshotted';
const COMMANDS = SNAPSHOT_EVERY + 50;

/** A ledger process's command path, as the ledger builds it: signed links, and a quarantine on its keys. */
const ledger = (c = client) => new CommandHandling(c, undefined, new Quarantine(signing.keys), signing);
const add = (h: CommandHandling, commandId: string) => h.handle(STREAM, counter, codec, { by: 1, nonce: randomUUID() }, { commandId, now: new Date(), context: () => undefined });

/** A fresh ledger whose reads of STREAM are counted: the revision each read starts from, and the events it got. */
function countingLedger(): { handling: CommandHandling; reads: { from: unknown; events: number }[]; client: EventStoreDBClient } {
  const counted = EventStoreDBClient.connectionString(store.connectionString);
  const reads: { from: unknown; events: number }[] = [];
  const readStream = counted.readStream.bind(counted);
  counted.readStream = ((stream: string, options?: { fromRevision?: unknown }) => {
    const read = readStream(stream, options as never);
    if (stream !== STREAM) return read;
    const entry = { from: options?.fromRevision, events: 0 };
    reads.push(entry);
    // The command path iterates its reads: count what the iteration yields.
    return {
      async *[Symbol.asyncIterator]() {
        for await (const resolved of read) {
          entry.events++;
          yield resolved;
        }
      },
    } as unknown as typeof read;
  }) as typeof counted.readStream;
  return { handling: ledger(counted), reads, client: counted };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'snapshots-'));
  store = await startEmbeddedEventStore({ dataDir: path.join(dir, 'es') });
  client = EventStoreDBClient.connectionString(store.connectionString);
  signing = await LedgerSigning.open(client, path.join(dir, 'ledger-key.pem'));
  const writer = ledger();
  for (let i = 0; i < COMMANDS; i++) await add(writer, `snap-${i}`);
  await writer.flushSnapshots();
}, 120_000);
afterAll(async () => {
  await client.dispose();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function lastSnapshot(): Promise<{ revision: string; metadata: unknown; data: Record<string, unknown> }> {
  const events = [];
  for await (const { event } of client.readStream(snapshotStream(STREAM), { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) events.push(event!);
  return { revision: (events[0].data as { revision: string }).revision, metadata: events[0].metadata, data: events[0].data as Record<string, unknown> };
}

it('records a snapshot once a stream has SNAPSHOT_EVERY events, and a cold load reads only what came after it', async () => {
  expect((await lastSnapshot()).revision).toBe(String(SNAPSHOT_EVERY - 1));
  const cold = countingLedger();
  const loaded = await cold.handling.load(STREAM, counter, codec);
  expect(loaded.state).toBe(COMMANDS);
  expect(loaded.revision).toBe(BigInt(COMMANDS - 1));
  expect(cold.reads).toEqual([{ from: BigInt(SNAPSHOT_EVERY), events: COMMANDS - SNAPSHOT_EVERY }]);
  await cold.client.dispose();
});

it('answers commands from before and after the snapshot as duplicates after a cold load', async () => {
  const cold = countingLedger();
  for (const id of [`snap-${SNAPSHOT_EVERY - 10}`, `snap-${COMMANDS - 1}`, 'snap-100']) {
    const again = await add(cold.handling, id);
    expect(again).toMatchObject({ duplicate: true, events: [] });
  }
  await cold.client.dispose();
});

it('ignores a snapshot the ledger did not sign, or one altered after signing, and folds the stream from its start', async () => {
  const genuine = await lastSnapshot();
  const forgedState = serialize(1_000_000).toString('base64');
  const otherKey = generateKeyPairSync('ed25519').privateKey;
  // An attacker with write access: its own key over its own state; then the ledger's signature over another state.
  await client.appendToStream(snapshotStream(STREAM), jsonEvent({ type: SNAPSHOT_EVENT, data: { ...genuine.data, state: forgedState }, metadata: linkSigner(otherKey)('0'.repeat(64)) }));
  let cold = countingLedger();
  expect((await cold.handling.load(STREAM, counter, codec)).state).toBe(COMMANDS);
  expect(cold.reads[0].from).toBe('start');
  // Having folded the stream whole, the ledger records a snapshot of its own again.
  await cold.handling.flushSnapshots();
  expect((await lastSnapshot()).revision).toBe(String(COMMANDS - 1));
  await cold.client.dispose();
  await client.appendToStream(snapshotStream(STREAM), jsonEvent({ type: SNAPSHOT_EVENT, data: { ...genuine.data, state: forgedState }, metadata: genuine.metadata as Record<string, unknown> }));
  cold = countingLedger();
  expect((await cold.handling.load(STREAM, counter, codec)).state).toBe(COMMANDS);
  expect(cold.reads[0].from).toBe('start');
  // And one moved to another stream, signature and all, is not taken for that stream either.
  await client.appendToStream(snapshotStream('counter-other'), jsonEvent({ type: SNAPSHOT_EVENT, data: genuine.data, metadata: genuine.metadata as Record<string, unknown> }));
  expect(await new AggregateSnapshots(client, signing).latest('counter-other')).toBeUndefined();
  await cold.client.dispose();
});

it('keeps a pool’s reservations, a persistent map, as its entries and reads them back as a map that reserves on', async () => {
  const parameters = {
    maxLtvBps: 7500n, liquidationThresholdBps: 8250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1000n,
    closeFactorBps: 5000n, fullCloseHealthFactor: 95n * 10n ** 16n, dustLimit: 0n, liquidationCollateralCap: 10n ** 30n, stabilityFeeYearly: 0n, auction: DEFAULT_AUCTION,
  };
  const reserved = (i: number): PoolEvent => ({
    type: 'LiquidationReserved', auctionId: `x.${i}`, positionId: `x${i}`, round: 1n, price: 2_000n, borrowIndex: 10n ** 27n, debtToCover: BigInt(i), penalty: 1n, tab: BigInt(i) + 1n, lot: 10n, at: 0n,
  });
  const events: PoolEvent[] = [
    { type: 'PoolCreated', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD', parameters, ratePerSecond: 10n ** 27n, at: 0n },
    ...Array.from({ length: 150 }, (_, i) => reserved(i)),
  ];
  const state = events.reduce(poolDecider.evolve, poolDecider.initialState());
  const snapshots = new AggregateSnapshots(client, signing);
  snapshots.write('pool-snapshotted', { state, revision: 150n, lastHash: '0'.repeat(64), handled: new HandledCommands() });
  await snapshots.flushed();

  const read = activePool((await snapshots.latest<PoolState>('pool-snapshotted'))!.state);
  const { reservations, ...rest } = activePool(state);
  expect({ ...read, reservations: undefined }).toEqual({ ...rest, reservations: undefined });
  expect([...read.reservations.entries()]).toEqual([...reservations.entries()]);
  const next = activePool(poolDecider.evolve(read, reserved(150)));
  expect(next.reservations.size).toBe(151);
  expect(next.reservations.get('x.150')).toMatchObject({ positionId: 'x150', tab: 151n });
  expect(read.reservations.size).toBe(150);
});

it('remembers the last COMMAND_IDS_KEPT command ids of a stream, whether warm or loaded from a snapshot', () => {
  const handled = new HandledCommands();
  for (let i = 0; i <= COMMAND_IDS_KEPT; i++) handled.record(`c-${i}`, { revision: BigInt(i) });
  expect(handled.at('c-0', BigInt(COMMAND_IDS_KEPT))).toBeUndefined();
  expect(handled.at('c-1', BigInt(COMMAND_IDS_KEPT))).toMatchObject({ revision: 1n });
  expect(handled.upTo(5n).map(([id]) => id)).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
});
