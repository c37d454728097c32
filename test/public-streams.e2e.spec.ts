/**
 * Integrators follow the public projection streams: over any EventStoreDB client and over server-sent
 * events, cut off at random points and resuming, they receive exactly the stream, nothing missed and
 * nothing twice. A restarted ledger writes no public event twice. No position's amount appears, nor
 * any sum of a pool (total collateral or debt, reserve, socialized loss): with few positions in a pool,
 * its totals are one position's amounts.
 */
import { EventStoreDBClient, FORWARDS, ResolvedEvent, START } from '@eventstore/db-client';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { LEDGER_STREAM_PREFIXES } from '../src/domain/events';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';
import { openSse } from '../src/cli/sse';
import { cli } from './support/cli';
import { PRICE_STREAM_SETUP, projectorCaughtUp, readPublicStream, Received } from './support/public-streams';
import { waitFor } from './support/wait';

let ledger: RunningLedger;
let market: Market;
/** An integrator: it watches the projector's lag in GET /projections. */
let integrator: Actor;
let round = 1n;

const client = () => ledger.app.get(EventStoreDBClient);

const readAll = (stream: string) => readPublicStream(ledger, stream);

/** A pool's sums: for admins and auditors (GET /pools/:id), never in a public stream. */
const POOL_SUMS = ['totalCollateral', 'totalDebt', 'reserve', 'socializedLoss'];

const sequence = (events: Received[]) => events.map(({ revision, type, data }) => ({ revision, type, data }));

const caughtUp = (stream: string, length: number) => projectorCaughtUp(ledger, integrator, stream, length);

async function publishRounds(count: number, price: () => string): Promise<void> {
  for (let i = 0; i < count; i++) await market.publish(++round, price());
}

beforeAll(async () => {
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  integrator = await ledger.principal('integrator-1', 'integrator');
  await market.borrow('a', '1.25', '1800');
  await market.borrow('b', '3', '2500');
  await publishRounds(3, () => '2010');
  // `a` falls below the line and the ledger liquidates it.
  await market.publish(++round, '1700');
}, 180_000);

afterAll(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('public projection streams', () => {
  it('are ordinary streams in the store, each event naming the ledger event in $all it came from', async () => {
    const prices = await caughtUp('public-prices', PRICE_STREAM_SETUP + Number(round));
    expect(prices.filter((e) => e.type === 'PriceUpdated').map((e) => (e.data as any).round)).toEqual(Array.from({ length: Number(round) }, (_, i) => String(i + 1)));
    const liquidations = await caughtUp('public-liquidations', 1);
    expect(liquidations[0]).toMatchObject({ type: 'LiquidationTriggered', data: { positionId: 'a', poolId: POOL, by: 'detection', healthBand: 'liquidatable' } });
    const poolState = await readAll(`public-pool-state-${POOL}`);
    const state = poolState[poolState.length - 1].data as Record<string, unknown>;
    expect(state).toMatchObject({ poolId: POOL, price: '1700', priceRound: String(round), openPositions: 2, liquidationsPaused: false, borrowIndex: expect.stringMatching(/^1(\.\d+)?$/), at: expect.any(Number) });
    expect(Object.keys(state).sort()).toEqual(['at', 'borrowIndex', 'liquidationsPaused', 'openPositions', 'poolId', 'price', 'priceRound']);
    for (const sum of POOL_SUMS) expect(state).not.toHaveProperty(sum);
    // The source of each public event is a ledger event at that very position in $all.
    for (const e of [...prices.slice(-2), liquidations[0]]) {
      const { commit, prepare, stream } = e.metadata.source;
      const [found] = await readAllFrom(BigInt(commit), BigInt(prepare));
      expect(found.event?.streamId).toBe(stream);
      expect(LEDGER_STREAM_PREFIXES.some((p) => stream.startsWith(p))).toBe(true);
    }
  });

  it('never carry a position’s amounts, nor a pool’s sums', async () => {
    const amounts = new Set<string>();
    for (const id of ['a', 'b']) {
      for await (const { event } of client().readStream(`position-${id}`)) {
        const data = event!.data as Record<string, string>;
        for (const field of ['amount', 'collateral', 'scaledDebt', 'collateralSold', 'debtRepaid', 'collateralReturned']) if (data[field] && BigInt(data[field]) > 0n) amounts.add(data[field]);
      }
    }
    for (const human of ['1.25', '1800', '2500']) amounts.add(human);
    expect(amounts.size).toBeGreaterThan(4);
    // The pool's sums as an admin sees them now, and as they were while both positions were open.
    const pool = await market.ok('GET', `/pools/${POOL}`);
    expect(pool.totalCollateral).toBeDefined();
    const sums = [pool.totalCollateral, pool.totalDebt, pool.reserve, pool.socializedLoss, '4.25', '4300'].filter((s) => s !== '0');
    const published = JSON.stringify(await Promise.all(['public-prices', 'public-liquidations', 'public-auctions', `public-pool-state-${POOL}`].map(readAll)));
    for (const amount of [...amounts, ...sums]) expect(published).not.toMatch(new RegExp(`"${amount.replace('.', '\\.')}"`));
    for (const field of ['amount', 'collateral', 'scaledDebt', 'debt', 'lot', 'tab', 'raised', 'sold', 'paid', ...POOL_SUMS]) expect(published).not.toContain(`"${field}":`);
  });

  it('serve an integrator on the EventStoreDB client that is cut off at random points and resumes: no gap, no duplicate', async () => {
    const cuts = fc.sample(fc.integer({ min: 1, max: 4 }), 40);
    const target = (await caughtUp('public-prices', PRICE_STREAM_SETUP + Number(round))).length + 8;
    const publishing = publishRounds(8, () => String(1900 + Number(round % 7n)));
    const received: Received[] = [];
    let last: bigint | undefined;
    for (let c = 0; received.length < target; c++) {
      // Never waits for more than will come: the stream ends at the target, and a cut point is within it.
      const batch = await take('public-prices', last, Math.min(cuts[c % cuts.length], target - received.length));
      received.push(...batch);
      last = BigInt(batch[batch.length - 1].revision);
    }
    await publishing;
    expect(sequence(received)).toEqual(sequence((await readAll('public-prices')).slice(0, received.length)));
  });

  it('serve an integrator over server-sent events that is cut off at random points and resumes with Last-Event-ID: no gap, no duplicate', async () => {
    const stream = `public-pool-state-${POOL}`;
    const cuts = fc.sample(fc.integer({ min: 1, max: 5 }), 40);
    const before = (await caughtUp(stream, 0)).length;
    const publishing = publishRounds(8, () => String(1900 + Number(round % 5n)));
    const received: Received[] = [];
    let lastId: string | undefined;
    for (let c = 0; received.length < before + 8; c++) {
      const sse = await openSse(`${ledger.url}/streams/${stream}/events`, lastId === undefined ? {} : { 'Last-Event-ID': lastId });
      expect(sse.status).toBe(200);
      let taken = 0;
      const cut = Math.min(cuts[c % cuts.length], before + 8 - received.length);
      for await (const message of sse.messages) {
        const { revision, type, data } = JSON.parse(message.data);
        expect(message.id).toBe(revision);
        received.push({ revision, type, data });
        lastId = message.id;
        if (++taken >= cut) break;
      }
      sse.close();
    }
    await publishing;
    expect(sequence(received)).toEqual(sequence((await readAll(stream)).slice(0, received.length)));
    // `from` starts at a given revision too.
    const sse = await openSse(`${ledger.url}/streams/${stream}/events?from=2`);
    const first = await sse.messages.next();
    sse.close();
    expect(JSON.parse(first.value!.data).revision).toBe('2');
  });

  it('refuse what is not a public stream, or a checkpoint that is not a revision, with a code, appending nothing', async () => {
    const before = await ledger.lastPosition();
    for (const [route, headers, status, code] of [
      ['/streams/position-a/events', {}, 404, 'STREAM_NOT_FOUND'],
      ['/streams/pool-weth-usdc/events', {}, 404, 'STREAM_NOT_FOUND'],
      ['/streams/public-prices/events?from=-1', {}, 422, 'INVALID_CHECKPOINT'],
      ['/streams/public-prices/events', { 'Last-Event-ID': 'x1' }, 422, 'INVALID_CHECKPOINT'],
    ] as const) {
      const res = await ledger.api('GET', route, undefined, headers);
      expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status, code });
    }
    expect(await ledger.lastPosition()).toBe(before);
  });

  it('are written once: a restarted ledger derives them again and writes only what is new', async () => {
    const streams = ['public-prices', 'public-liquidations', 'public-auctions', `public-pool-state-${POOL}`];
    await caughtUp('public-prices', PRICE_STREAM_SETUP + Number(round));
    const before = await Promise.all(streams.map(readAll));
    const dataDir = ledger.dataDir;
    await ledger.stop();
    ledger = await startLedger(dataDir);
    market.ledger = ledger;
    await caughtUp('public-prices', before[0].length);
    expect(await Promise.all(streams.map(readAll))).toEqual(before);
    // And goes on from there: one new round, one new price.
    await market.publish(++round, '1950');
    const prices = await caughtUp('public-prices', before[0].length + 1);
    expect(prices.slice(before[0].length).map((e) => [e.type, (e.data as any).round])).toEqual([['PriceUpdated', String(round)]]);
  });

  it('serve the example integrator (examples/follow-pool-state.ts) as a read-only store user, which resumes from its checkpoint after a restart', async () => {
    const stream = `public-pool-state-${POOL}`;
    const states = await caughtUp(stream, 1);
    const integrator = await integratorStore();
    const checkpointFile = path.join(ledger.dataDir, 'example.checkpoint');
    const first = await runExample(integrator, checkpointFile, states.length);
    expect(first).toHaveLength(states.length);
    expect(first[first.length - 1]).toMatch(new RegExp(`^#${states.length - 1} .* ${POOL}: price ${(states[states.length - 1].data as any).price} `));
    // Stopped; the ledger goes on; started again, it prints only what it has not printed.
    await market.publish(++round, '1975');
    await caughtUp(stream, states.length + 1);
    const second = await runExample(integrator, checkpointFile, 1);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatch(new RegExp(`^#${states.length} .* price 1975 \\(round ${round}\\)`));
  });

  it('serve the example integrator across a ledger restart: it reconnects with backoff and resumes from its checkpoint', async () => {
    const stream = `public-pool-state-${POOL}`;
    const states = await caughtUp(stream, 1);
    const checkpointFile = path.join(ledger.dataDir, 'example-restart.checkpoint');
    const example = startExample(await integratorStore(), checkpointFile);
    try {
      await example.printedAtLeast(states.length);
      // The ledger stops (its store with it) and comes back on the same data and the same port.
      const port = new URL(ledger.app.get(EventStoreConnection).connectionString!.replace(/^esdb:/, 'http:')).port;
      await ledger.stop();
      await waitFor(async () => example.reported.some((l) => l.includes('reconnecting')) || undefined, 60_000);
      ledger = await startLedger(ledger.dataDir, { EVENTSTORE_PORT: port });
      market.ledger = ledger;
      await market.publish(++round, '1990');
      await example.printedAtLeast(states.length + 1);
      // Nothing missed, nothing printed twice: one line per revision, in order, the new price last.
      expect(example.printed.map((l) => l.split(' ')[0])).toEqual(Array.from({ length: example.printed.length }, (_, i) => `#${i}`));
      expect(example.printed.at(-1)).toMatch(new RegExp(`price 1990 \\(round ${round}\\)`));
    } finally {
      await example.stop();
    }
  }, 240_000);
});

/**
 * Subscribes after `last` (from the start without one), takes `count` events and cancels, as an
 * integrator's process that stops would; what arrives after the cancel is drained, not read.
 */
async function take(stream: string, last: bigint | undefined, count: number): Promise<Received[]> {
  const subscription = client().subscribeToStream(stream, { fromRevision: last === undefined ? START : last });
  const got: Received[] = [];
  await new Promise<void>((resolve, reject) => {
    subscription.on('data', ({ event }: ResolvedEvent) => {
      if (!event || got.length >= count) return;
      got.push({ revision: event.revision.toString(), type: event.type, data: event.data });
      if (got.length === count) resolve();
    });
    subscription.on('error', reject);
  });
  await subscription.unsubscribe();
  return got;
}

let integratorConnection: string | undefined;

/** The operator creates the integrator's store user once: it can read the public streams and nothing else. */
async function integratorStore(): Promise<string> {
  if (!integratorConnection) {
    const created = await cli('eventstore', 'add-integrator', 'example-integrator', '--eventstore', ledger.app.get(EventStoreConnection).connectionString!);
    expect(created.code).toBe(0);
    integratorConnection = (JSON.parse(created.out) as { connectionString: string }).connectionString;
  }
  return integratorConnection;
}

/** Runs the example integrator until it has printed `lines` lines, then stops it as an operator would (SIGTERM). */
async function runExample(connectionString: string, checkpointFile: string, lines: number): Promise<string[]> {
  const example = startExample(connectionString, checkpointFile);
  await example.printedAtLeast(lines);
  return example.stop();
}

/** Starts the example integrator; what it prints (stdout) and reports (stderr) is collected line by line. */
function startExample(connectionString: string, checkpointFile: string) {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'support/ts-register.js'), path.join(__dirname, '../examples/follow-pool-state.ts'), POOL], {
    env: { ...process.env, EVENTSTORE_CONNECTION_STRING: connectionString, CHECKPOINT_FILE: checkpointFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed: string[] = [];
  const reported: string[] = [];
  const lines = (into: string[]) => {
    let buffer = '';
    return (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      into.push(...parts);
    };
  };
  child.stdout!.on('data', lines(printed));
  child.stderr!.on('data', lines(reported));
  let exit: number | null | undefined;
  child.once('exit', (code) => (exit = code));
  return {
    printed,
    reported,
    /** Waits until it has printed `count` lines; fails if it exits first. */
    async printedAtLeast(count: number): Promise<void> {
      await waitFor(async () => {
        if (exit !== undefined) throw new Error(`the example exited with ${exit} after ${printed.length} lines: ${reported.join(' / ')}`);
        return printed.length >= count || undefined;
      }, 60_000);
    },
    async stop(): Promise<string[]> {
      if (exit === undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      return printed;
    },
  };
}

async function readAllFrom(commit: bigint, prepare: bigint): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const e of client().readAll({ direction: FORWARDS, fromPosition: { commit, prepare }, maxCount: 1 })) out.push(e);
  return out;
}
