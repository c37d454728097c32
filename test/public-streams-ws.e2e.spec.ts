/**
 * Integrators follow the public projection streams over a WebSocket (`GET /streams/{stream}/ws`) on
 * the ledger's own port, with the `ws` client: they receive exactly what an SSE client receives, the
 * same JSON in the same order, live events too, from one shared subscription; cut off and resuming with
 * `?from=`, they miss nothing and get nothing twice. Whatever is not a public stream is refused on the
 * upgrade request with the API's error body, appending nothing. Silent clients are cut off at the next
 * ping, and a stopping ledger closes its clients with 1001.
 */
import fc from 'fast-check';
import { ClientOptions, WebSocket } from 'ws';
import { PublicStreamFanOuts } from '../src/projections/public-streams/public-stream-fan-outs';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';
import { openSse } from '../src/cli/sse';
import { PRICE_STREAM_SETUP, projectorCaughtUp, readPublicStream, Received } from './support/public-streams';
import { waitFor } from './support/wait';

const HEARTBEAT_MS = 400;

let ledger: RunningLedger;
let market: Market;
/** An integrator: it watches the projector's lag in GET /projections. */
let integrator: Actor;
let round = 1n;
let stopped = false;

interface WsClient {
  ws: WebSocket;
  /** Waits for the next `count` text messages and takes them. */
  next(count: number): Promise<string[]>;
  /** Whether every message so far was a text message. */
  allText(): boolean;
  closed: Promise<{ code: number; reason: string }>;
  pings(): number;
}

const wsUrl = (route: string) => ledger.url.replace(/^http/, 'ws') + route;

async function openWs(route: string, options: ClientOptions = {}): Promise<WsClient> {
  const ws = new WebSocket(wsUrl(route), options);
  const queue: string[] = [];
  let text = true;
  let pings = 0;
  ws.on('message', (data, isBinary) => {
    text &&= !isBinary;
    queue.push(data.toString());
  });
  ws.on('ping', () => pings++);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return {
    ws,
    next: (count) => waitFor(async () => (queue.length >= count ? queue.splice(0, count) : undefined)),
    allText: () => text,
    closed,
    pings: () => pings,
  };
}

/** Closes a client as an integrator's process would, and waits until the server has let it go. */
async function closeWs(client: WsClient): Promise<void> {
  client.ws.close(1000, 'done');
  await client.closed;
}

/** Attempts an upgrade that the ledger is to refuse: its HTTP answer (status, headers, JSON body). */
function refusal(route: string): Promise<{ status: number; contentType: string | undefined; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(route));
    ws.on('error', reject);
    ws.on('open', () => {
      ws.terminate();
      reject(new Error(`${route} was upgraded`));
    });
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: JSON.parse(text) as Record<string, unknown> }));
    });
  });
}

const fanOuts = () => ledger.app.get(PublicStreamFanOuts);

const readAll = (stream: string) => readPublicStream(ledger, stream);

const sequence = (events: Received[]) => events.map(({ revision, type, data }) => ({ revision, type, data }));
const parsed = (messages: string[]): Received[] => messages.map((m) => JSON.parse(m) as Received);

const caughtUp = (stream: string, length: number) => projectorCaughtUp(ledger, integrator, stream, length);

async function publishRounds(count: number, price: () => string): Promise<void> {
  for (let i = 0; i < count; i++) await market.publish(++round, price());
}

beforeAll(async () => {
  ledger = await startLedger(undefined, { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  market = new Market(ledger);
  await market.open('2000');
  integrator = await ledger.principal('integrator-1', 'integrator');
  await market.borrow('a', '1.25', '1800');
  await publishRounds(3, () => '2010');
}, 60_000);

afterAll(async () => {
  if (ledger && !stopped) await ledger.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('public projection streams over a WebSocket', () => {
  it('carry exactly what the SSE endpoint carries, the same JSON in the same order, live events too, on one shared subscription', async () => {
    const stored = await caughtUp('public-prices', PRICE_STREAM_SETUP + Number(round));
    const ws = await openWs('/streams/public-prices/ws');
    const sse = await openSse(`${ledger.url}/streams/public-prices/events`);
    expect(sse.status).toBe(200);
    const sseData = async (count: number) => {
      const out: string[] = [];
      while (out.length < count) {
        const { value, done } = await sse.messages.next();
        if (done) throw new Error('the SSE stream ended');
        expect(value.id).toBe((JSON.parse(value.data) as Received).revision);
        out.push(value.data);
      }
      return out;
    };
    // What was there before they connected...
    const history = await ws.next(stored.length);
    expect(history).toEqual(await sseData(stored.length));
    // ...and what is published after, on the subscription both share.
    expect(fanOuts().clients('public-prices')).toBe(2);
    await publishRounds(3, () => String(2000 + Number(round)));
    const live = await ws.next(3);
    expect(live).toEqual(await sseData(3));
    const all = parsed([...history, ...live]);
    expect(all.map((m) => m.revision)).toEqual(Array.from({ length: stored.length + 3 }, (_, i) => String(i)));
    expect(sequence(all)).toEqual(sequence(await readAll('public-prices')));
    expect(all[all.length - 1]).toMatchObject({ stream: 'public-prices', type: 'PriceUpdated', data: { round: String(round) }, source: { stream: expect.any(String), commit: expect.any(String) } });
    expect(ws.allText()).toBe(true);
    sse.close();
    await closeWs(ws);
    // The last client gone, the subscription is released.
    await waitFor(async () => (fanOuts().clients('public-prices') === 0 ? true : undefined));
  });

  it('serve an integrator that is cut off at random points and resumes with ?from=: no gap, no duplicate', async () => {
    const stream = `public-pool-state-${POOL}`;
    const cuts = fc.sample(fc.integer({ min: 1, max: 5 }), 40);
    const before = (await caughtUp(stream, 0)).length;
    const target = before + 8;
    const publishing = publishRounds(8, () => String(1900 + Number(round % 5n)));
    const received: Received[] = [];
    for (let c = 0; received.length < target; c++) {
      const from = received.length === 0 ? '' : `?from=${BigInt(received[received.length - 1].revision) + 1n}`;
      const ws = await openWs(`/streams/${stream}/ws${from}`);
      received.push(...parsed(await ws.next(Math.min(cuts[c % cuts.length], target - received.length))));
      await closeWs(ws);
    }
    await publishing;
    expect(received.map((m) => m.revision)).toEqual(Array.from({ length: target }, (_, i) => String(i)));
    expect(sequence(received)).toEqual(sequence((await readAll(stream)).slice(0, target)));
    // `from` starts anywhere in the stream.
    const ws = await openWs(`/streams/${stream}/ws?from=2`);
    expect(parsed(await ws.next(1))[0].revision).toBe('2');
    await closeWs(ws);
  });

  it('refuse, on the upgrade request, what is not a public stream, a checkpoint that is not a revision, or any other path, appending nothing', async () => {
    const before = await ledger.lastPosition();
    for (const [route, status, code] of [
      ['/streams/position-x/ws', 404, 'STREAM_NOT_FOUND'],
      ['/streams/pool-y/ws', 404, 'STREAM_NOT_FOUND'],
      ['/streams/position-a/ws?from=0', 404, 'STREAM_NOT_FOUND'],
      [`/streams/pool-${POOL}/ws`, 404, 'STREAM_NOT_FOUND'],
      ['/streams/public-prices/ws?from=abc', 422, 'INVALID_CHECKPOINT'],
      ['/streams/public-prices/ws?from=-1', 422, 'INVALID_CHECKPOINT'],
      ['/streams/public-prices/ws?from=', 422, 'INVALID_CHECKPOINT'],
      ['/streams/public-prices/events', 404, 'ROUTE_NOT_FOUND'],
      ['/streams/public-prices/ws/more', 404, 'ROUTE_NOT_FOUND'],
      ['/principals', 404, 'ROUTE_NOT_FOUND'],
      ['/', 404, 'ROUTE_NOT_FOUND'],
    ] as const) {
      const res = await refusal(route);
      expect({ route, status: res.status, code: res.body.code }).toEqual({ route, status, code });
      // The API's error body, nothing more.
      expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'statusCode']);
      expect(res.body.statusCode).toBe(status);
      expect(res.contentType).toMatch(/^application\/json/);
    }
    // The same refusals as the SSE endpoint gives.
    const sse = await ledger.api('GET', '/streams/position-x/events');
    expect((await refusal('/streams/position-x/ws')).body).toEqual(sse.body);
    expect(await ledger.lastPosition()).toBe(before);
    // The server goes on serving, HTTP and WebSocket alike.
    expect((await ledger.api('GET', '/health/live')).status).toBe(200);
    const ws = await openWs('/streams/public-prices/ws');
    expect(parsed(await ws.next(1))[0].revision).toBe('0');
    await closeWs(ws);
  });

  it(`ping every SSE_HEARTBEAT_MS (${HEARTBEAT_MS} ms here) and cut off a client that has not answered the previous ping`, async () => {
    const answering = await openWs('/streams/public-prices/ws');
    const silent = await openWs('/streams/public-prices/ws', { autoPong: false });
    // Cut off without a close frame: the client sees an abnormal closure.
    expect((await silent.closed).code).toBe(1006);
    expect(silent.pings()).toBeGreaterThanOrEqual(1);
    await waitFor(async () => (answering.pings() >= 3 ? true : undefined));
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
    await closeWs(answering);
  });

  it('are closed with 1001 when the ledger stops, their subscriptions released, no connection left open', async () => {
    const prices = await openWs('/streams/public-prices/ws');
    const pool = await openWs(`/streams/public-pool-state-${POOL}/ws`);
    // An SSE client of the same stream, on the same subscription, is ended too.
    const sse = await openSse(`${ledger.url}/streams/public-prices/events`);
    await Promise.all([prices.next(1), pool.next(1), sse.messages.next()]);
    expect(fanOuts().clients('public-prices')).toBe(2);
    const registry = fanOuts();
    const stopping = ledger.stop();
    stopped = true;
    expect(await prices.closed).toEqual({ code: 1001, reason: 'the ledger is stopping' });
    expect((await pool.closed).code).toBe(1001);
    await stopping;
    for await (const message of sse.messages) void message;
    expect(registry.clients('public-prices')).toBe(0);
    expect(registry.clients(`public-pool-state-${POOL}`)).toBe(0);
  });
});
