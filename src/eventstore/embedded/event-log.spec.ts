import { appendFile, mkdtemp, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventStoreEngine } from './store';
import { StoredEvent } from './log-record';

const event = (n: number): StoredEvent => ({
  id: Buffer.from(n.toString(16).padStart(32, '0'), 'hex'),
  type: 'Counted',
  isJson: true,
  created: 1n,
  data: Buffer.from(JSON.stringify({ n })),
  metadata: Buffer.alloc(0),
});

describe('event log recovery', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'es-log-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function writeThree(): Promise<number> {
    const engine = await EventStoreEngine.open(dir);
    for (let n = 0; n < 3; n++) await engine.append('s', { kind: 'any' }, [event(n)]);
    await engine.close();
    return (await stat(path.join(dir, 'events.log'))).size;
  }

  async function storedNumbers(engine: EventStoreEngine): Promise<number[]> {
    return engine.readStream('s', 'start', 'forwards', 100).map((e) => JSON.parse(e.data.toString()).n);
  }

  it('cuts a record torn mid-write back to the last whole record, keeping every whole one', async () => {
    const size = await writeThree();
    await truncate(path.join(dir, 'events.log'), size - 5);
    const engine = await EventStoreEngine.open(dir);
    expect(engine.recovery.truncated?.reason).toBe('partial record body');
    expect(await storedNumbers(engine)).toEqual([0, 1]);
    // The log goes on cleanly after the cut.
    await engine.append('s', { kind: 'exact', revision: 1n }, [event(9)]);
    await engine.close();
    const reopened = await EventStoreEngine.open(dir);
    expect(reopened.recovery.truncated).toBeUndefined();
    expect(await storedNumbers(reopened)).toEqual([0, 1, 9]);
    await reopened.close();
  });

  it('detects a corrupted tail record by its checksum', async () => {
    const size = await writeThree();
    const file = path.join(dir, 'events.log');
    const bytes = await readFile(file);
    bytes[size - 3] ^= 0xff;
    await writeFile(file, bytes);
    const engine = await EventStoreEngine.open(dir);
    expect(engine.recovery.truncated?.reason).toBe('checksum mismatch');
    expect(await storedNumbers(engine)).toEqual([0, 1]);
    await engine.close();
  });

  it('cuts a partial header left by a crash', async () => {
    const size = await writeThree();
    await appendFile(path.join(dir, 'events.log'), Buffer.from([7, 0, 0]));
    const engine = await EventStoreEngine.open(dir);
    expect(engine.recovery.truncated).toEqual({ bytes: 3, reason: 'partial record header' });
    expect(await storedNumbers(engine)).toEqual([0, 1, 2]);
    await engine.close();
    expect((await stat(path.join(dir, 'events.log'))).size).toBe(size);
  });

  it('keeps a multi-event append all-or-nothing', async () => {
    const engine = await EventStoreEngine.open(dir);
    await engine.append('s', { kind: 'any' }, [event(0)]);
    await engine.append('s', { kind: 'any' }, [event(1), event(2), event(3)]);
    await engine.close();
    const fh = await open(path.join(dir, 'events.log'), 'r+');
    await fh.truncate((await fh.stat()).size - 1);
    await fh.close();
    const reopened = await EventStoreEngine.open(dir);
    expect(await storedNumbers(reopened)).toEqual([0]);
    await reopened.close();
  });
});
