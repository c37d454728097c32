import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventStoreEngine } from './store';
import { StoredEvent } from './log-record';

const event = (id: number): StoredEvent => ({
  id: Buffer.from(id.toString(16).padStart(32, '0'), 'hex'),
  type: 'Thing',
  isJson: true,
  created: 1n,
  data: Buffer.from('{}'),
  metadata: Buffer.alloc(0),
});

describe('group commit', () => {
  let dir: string;
  let engine: EventStoreEngine;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'es-group-'));
    engine = await EventStoreEngine.open(dir);
  });
  afterEach(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('decides appends that share one fsync against each other: one wins, a rival conflicts, a resend is idempotent', async () => {
    // The first append starts a group; the next three queue behind its fsync and share the next group.
    const first = engine.append('other', { kind: 'any' }, [event(1)]);
    const winner = engine.append('s', { kind: 'no_stream' }, [event(2), event(3)]);
    const rival = engine.append('s', { kind: 'no_stream' }, [event(4)]);
    const resend = engine.append('s', { kind: 'no_stream' }, [event(2), event(3)]);
    const after = engine.append('s', { kind: 'exact', revision: 1n }, [event(5)]);
    await first;
    expect(await winner).toMatchObject({ status: 'ok', nextRevision: 1n });
    expect(await rival).toMatchObject({ status: 'wrong_expected_version', current: 1n });
    expect(await resend).toEqual(await winner);
    expect(await after).toMatchObject({ status: 'ok', nextRevision: 2n });
    expect(engine.readStream('s', 'start', 'forwards', 10).map((e) => e.id.readUInt8(15))).toEqual([2, 3, 5]);
  });
});
