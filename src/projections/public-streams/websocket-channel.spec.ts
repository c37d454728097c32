/**
 * The WebSocket channel over a real connection on loopback (ws on both ends, no ledger): a client that
 * stops reading is dropped once what the server holds for it passes the bound, told where to resume,
 * and closed with 1008; a client that keeps up is never dropped; a client that does not answer a ping
 * is cut off at the next one.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { StreamBatch } from './stream-fan-out';
import { WebSocketChannel, WS_CLOSE } from './websocket-channel';

/** Events `from` .. `from + count - 1`, as the fan-out hands them over. */
const batch = (from: bigint, count: number, padding = 2_000) =>
  new StreamBatch(Array.from({ length: count }, (_, i) => ({ revision: from + BigInt(i), json: JSON.stringify({ n: Number(from) + i, padding: 'x'.repeat(padding) }) })));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

let server: Server;
let url: string;
/** The channel of the next connection the server accepts. */
let accepted: (channel: WebSocketChannel, ws: WebSocket) => void;
let options: { maxBufferBytes: number; onClose: () => void };
const wss = new WebSocketServer({ noServer: true, clientTracking: false });

beforeAll(async () => {
  server = createServer();
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => accepted(new WebSocketChannel(ws, options.maxBufferBytes, options.onClose, socket), ws)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Connects a client; answers the server's channel and socket for it, and the client. */
async function connect(clientOptions: { autoPong?: boolean } = {}): Promise<{ channel: WebSocketChannel; serverWs: WebSocket; client: WebSocket; received: string[]; closed: Promise<number> }> {
  const serverSide = new Promise<[WebSocketChannel, WebSocket]>((resolve) => (accepted = (channel, ws) => resolve([channel, ws])));
  const client = new WebSocket(url, clientOptions);
  const received: string[] = [];
  client.on('message', (data) => received.push(data.toString()));
  const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
  const [channel, serverWs] = await serverSide;
  return { channel, serverWs, client, received, closed };
}

describe('a WebSocket channel', () => {
  it('drops a client that stopped reading once it holds more than the bound, naming the revision to resume from, and closes with 1008', async () => {
    let closes = 0;
    options = { maxBufferBytes: 64 * 1024, onClose: () => closes++ };
    const { channel, serverWs, client, received, closed } = await connect();
    // The client stops reading: the kernel's buffers fill, then the server's.
    client.pause();
    let sent = 0n;
    let batchBytes = 0;
    while (channel.open) {
      const next = batch(sent, 5);
      channel.send(next);
      sent += 5n;
      batchBytes = next.messages.reduce((n, m) => n + m.json.length, 0);
      await nextTurn();
    }
    expect(channel.send(batch(sent, 5))).toBe(false);
    expect(closes).toBe(1);
    // Held for the client: at most the bound, the last batch and the drop message.
    expect(serverWs.bufferedAmount).toBeLessThan(64 * 1024 + batchBytes + 1_024);
    // When the client reads again it gets what was held, then the reason, then the close.
    client.resume();
    expect(await closed).toBe(WS_CLOSE.SLOW_CONSUMER);
    const last = JSON.parse(received[received.length - 1]);
    // Everything before the drop went out, in order: the client resumes right after the last of it.
    const revisions = received.slice(0, -1).map((m) => BigInt(JSON.parse(m).n));
    expect(revisions.length).toBeGreaterThan(0);
    expect(revisions).toEqual(Array.from({ length: revisions.length }, (_, i) => BigInt(i)));
    expect(last).toMatchObject({ event: 'dropped', code: 'SLOW_CONSUMER', resumeFrom: String(revisions.length) });
  });

  it('never drops a client that keeps up, however much goes through, one text message per event', async () => {
    options = { maxBufferBytes: 4_096, onClose: () => undefined };
    const { channel, client, received, closed } = await connect();
    for (let i = 0n; i < 2_000n; i += 5n) {
      expect(channel.send(batch(i, 5, 200))).toBe(true);
      await nextTurn();
      // The client reads as it goes, as one that keeps up does.
      while (received.length < Number(i) + 5) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(channel.open).toBe(true);
    expect(received.map((m) => JSON.parse(m).n)).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    channel.close(WS_CLOSE.GOING_AWAY, 'done');
    expect(await closed).toBe(WS_CLOSE.GOING_AWAY);
    expect(client.readyState).toBe(WebSocket.CLOSED);
  });

  it('pings at each heartbeat and cuts off a client that did not answer the previous ping', async () => {
    let closes = 0;
    options = { maxBufferBytes: 4_096, onClose: () => closes++ };
    const answering = await connect();
    const silent = await connect({ autoPong: false });
    const pinged = new Promise((resolve) => silent.client.once('ping', resolve));
    const answered = new Promise((resolve) => answering.serverWs.once('pong', resolve));
    for (const { channel } of [answering, silent]) channel.heartbeat();
    await Promise.all([pinged, answered]);
    for (const { channel } of [answering, silent]) channel.heartbeat();
    // Cut off, without a close frame: the client sees an abnormal closure.
    expect(await silent.closed).toBe(1006);
    expect(silent.channel.open).toBe(false);
    expect(answering.channel.open).toBe(true);
    expect(closes).toBe(1);
    answering.channel.close(WS_CLOSE.GOING_AWAY, 'done');
    expect(await answering.closed).toBe(WS_CLOSE.GOING_AWAY);
  });
});
