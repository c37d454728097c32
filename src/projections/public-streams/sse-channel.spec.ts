/**
 * A client that stops reading is dropped once what the server holds for it passes the bound, told
 * where to resume; a client that keeps up is never dropped. The target is a real Writable whose reader
 * takes nothing (or everything), so `writableLength` is what Node itself counts as buffered.
 */
import { Writable } from 'node:stream';
import { SseChannel } from './sse-channel';
import { StreamBatch } from './stream-fan-out';

/** Events `from` .. `from + count - 1`, as the fan-out hands them over. */
const batch = (from: bigint, count: number) =>
  new StreamBatch(Array.from({ length: count }, (_, i) => ({ revision: from + BigInt(i), json: JSON.stringify({ n: Number(from) + i, padding: 'x'.repeat(200) }) })));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A socket stand-in: `reading` false holds every chunk unacknowledged, as a stalled client's socket
 * does, until `release` lets the client read all of it.
 */
function socket(reading: boolean): { out: Writable; received: string[]; release(): void } {
  const received: string[] = [];
  let held: (() => void) | undefined;
  let stalled = !reading;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk.toString());
      if (stalled) held = done;
      else done();
    },
  });
  return {
    out,
    received,
    release() {
      stalled = false;
      held?.();
    },
  };
}

describe('a server-sent events channel', () => {
  it('drops a client that stopped reading once it holds more than the bound, naming the revision to resume from', async () => {
    const { out, received, release } = socket(false);
    let closed = 0;
    const channel = new SseChannel(out, 4_096, () => closed++);
    // A few events a turn, as a live stream brings them, until the channel gives up on the client.
    let sent = 0n;
    while (channel.open) {
      channel.send(batch(sent, 5));
      sent += 5n;
      await nextTurn();
    }
    expect(channel.send(batch(sent, 5))).toBe(false);
    expect(closed).toBe(1);
    expect(out.writableLength).toBeLessThan(4_096 + 1_024);
    // When the client reads again it gets what was held, then the reason, then the end.
    release();
    await new Promise((resolve) => out.once('finish', resolve));
    const last = received[received.length - 1];
    expect(last).toContain('event: dropped');
    // Everything before the drop went out, in order: the client resumes right after the last of it.
    const ids = received.join('').match(/^id: \d+$/gm)!.map((line) => BigInt(line.slice(4)));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => BigInt(i)));
    expect(JSON.parse(last.split('data: ')[1])).toMatchObject({ code: 'SLOW_CONSUMER', resumeFrom: String(ids.length) });
  });

  it('never drops a client that keeps up, however much goes through, and writes each batch at once', async () => {
    const { out, received } = socket(true);
    const channel = new SseChannel(out, 4_096, () => undefined);
    for (let i = 0n; i < 2_000n; i += 5n) {
      expect(channel.send(batch(i, 5))).toBe(true);
      await nextTurn();
    }
    channel.heartbeat();
    expect(channel.open).toBe(true);
    // The greeting, 400 batches of five events each, the heartbeat.
    expect(received).toHaveLength(402);
    expect(received.join('').match(/^id: /gm)).toHaveLength(2_000);
    expect(received[received.length - 1]).toBe(': heartbeat\n\n');
  });
});
