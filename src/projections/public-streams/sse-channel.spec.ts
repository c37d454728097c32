/**
 * A client that stops reading is dropped once what the server holds for it passes the bound, told
 * where to resume; a client that keeps up is never dropped. The target is a real Writable whose reader
 * takes nothing (or everything), so `writableLength` is what Node itself counts as buffered.
 */
import { Writable } from 'node:stream';
import { SseChannel } from './sse-channel';

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
    let sent = 0n;
    while (channel.send(sent, { n: Number(sent), padding: 'x'.repeat(200) })) sent++;
    expect(channel.open).toBe(false);
    expect(closed).toBe(1);
    expect(out.writableLength).toBeLessThan(4_096 + 1_024);
    // Sending more does nothing: the client is gone.
    expect(channel.send(sent + 1n, { n: -1 })).toBe(false);
    // When the client reads again it gets what was held, then the reason, then the end.
    release();
    await new Promise((resolve) => out.once('finish', resolve));
    const last = received[received.length - 1];
    expect(last).toContain('event: dropped');
    expect(JSON.parse(last.split('data: ')[1])).toMatchObject({ code: 'SLOW_CONSUMER', resumeFrom: String(sent + 1n) });
    // What it did take in order, with each event's revision as its id.
    expect(received[1]).toMatch(/^id: 0\ndata: /);
  });

  it('never drops a client that keeps up, however much goes through', () => {
    const { out, received } = socket(true);
    const channel = new SseChannel(out, 4_096, () => undefined);
    for (let i = 0n; i < 2_000n; i++) expect(channel.send(i, { n: Number(i), padding: 'x'.repeat(200) })).toBe(true);
    channel.heartbeat();
    expect(channel.open).toBe(true);
    expect(received.filter((r) => r.startsWith('id: '))).toHaveLength(2_000);
    expect(received[received.length - 1]).toBe(': heartbeat\n\n');
  });
});
