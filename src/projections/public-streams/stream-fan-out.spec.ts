/** A batch of a stream's events, as the fan-out hands it to every client of the stream. */
import { sseFrame } from './public-stream-protocol';
import { StreamBatch } from './stream-fan-out';

const batch = new StreamBatch([3n, 4n, 5n].map((n) => ({ revision: n, json: JSON.stringify({ n: Number(n) }) })));

describe('a stream batch', () => {
  it('is, for SSE, the frames of its events in one buffer, built once for every client', () => {
    expect(batch.sse.toString()).toBe(sseFrame(3n, '{"n":3}') + sseFrame(4n, '{"n":4}') + sseFrame(5n, '{"n":5}'));
    expect(batch.sse).toBe(batch.sse);
  });

  it('gives a client that joined during it only the events it has not had', () => {
    expect(batch.from(0n)).toBe(batch);
    expect(batch.from(3n)).toBe(batch);
    expect(batch.from(5n)!.messages.map((m) => m.revision)).toEqual([5n]);
    expect(batch.from(5n)!.last).toBe(5n);
    expect(batch.from(6n)).toBeUndefined();
  });
});
