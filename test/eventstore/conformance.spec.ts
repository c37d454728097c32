/**
 * Conformance of the event store with EventStoreDB, written only against the public
 * `@eventstore/db-client` API, as an integrator would use it. Runs against the embedded server, or
 * against a real EventStoreDB when EVENTSTORE_CONNECTION_STRING is set (see the README).
 */
import {
  ANY,
  BACKWARDS,
  END,
  eventTypeFilter,
  FORWARDS,
  jsonEvent,
  binaryEvent,
  NO_STREAM,
  Position,
  ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  MaxAppendSizeExceededError,
  AllStreamSubscription,
  StreamSubscription,
  AccessDeniedError,
  DeadlineExceededError,
  EventStoreDBClient,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { againstRealServer, storeUnderTest, StoreUnderTest, uniqueStream } from './store-under-test';
import { cli } from '../support/cli';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

let store: StoreUnderTest;
beforeAll(async () => {
  store = await storeUnderTest();
});
afterAll(() => store.stop());

const client = () => store.client;
const events = (n: number, type = 'Thing', from = 0) => Array.from({ length: n }, (_, i) => jsonEvent({ type, data: { n: from + i } }));

async function readAll<T>(iterable: AsyncIterable<ResolvedEvent>, map: (e: ResolvedEvent) => T): Promise<T[]> {
  const out: T[] = [];
  for await (const e of iterable) out.push(map(e));
  return out;
}
const numbers = (stream: string, options = {}) => readAll(client().readStream(stream, options), (e) => (e.event!.data as { n: number }).n);

/** A plain HTTP/1.1 GET over TLS (verified against the store's CA) to the store's port. */
function httpsGet(connectionString: string, pathname: string): Promise<{ status: number; body: string }> {
  const url = new URL(connectionString.replace(/^esdb:/, 'https:'));
  const ca = readFileSync(decodeURIComponent(url.searchParams.get('tlsCAFile')!));
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: pathname, ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Collects from a subscription until `until` holds, failing after a while rather than hanging. */
async function collect<T>(sub: AllStreamSubscription | StreamSubscription, map: (e: ResolvedEvent) => T | undefined, until: (got: T[]) => boolean): Promise<T[]> {
  const got: T[] = [];
  const timer = setTimeout(() => void sub.unsubscribe(), 15_000);
  for await (const e of sub) {
    const v = map(e);
    if (v !== undefined) got.push(v);
    if (until(got)) break;
  }
  clearTimeout(timer);
  await sub.unsubscribe();
  return got;
}

describe('append', () => {
  it('creates a stream with no_stream and reports the next revision and the $all position', async () => {
    const stream = uniqueStream();
    const result = await client().appendToStream(stream, events(3), { expectedRevision: NO_STREAM });
    expect(result.success).toBe(true);
    expect(result.nextExpectedRevision).toBe(2n);
    expect(result.position).toBeDefined();
    expect(await numbers(stream)).toEqual([0, 1, 2]);
  });

  it('appends at an exact expected revision and refuses a stale one with the current revision', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(2), { expectedRevision: NO_STREAM });
    await client().appendToStream(stream, events(1, 'Thing', 2), { expectedRevision: 1n });
    const refusal = await client()
      .appendToStream(stream, events(1, 'Thing', 9), { expectedRevision: 1n })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WrongExpectedVersionError);
    expect((refusal as WrongExpectedVersionError).actualVersion).toBe(2n);
    expect((refusal as WrongExpectedVersionError).expectedVersion).toBe(1n);
    expect(await numbers(stream)).toEqual([0, 1, 2]);
  });

  it('refuses no_stream on an existing stream and stream_exists on a missing one', async () => {
    const stream = uniqueStream();
    await expect(client().appendToStream(stream, events(1), { expectedRevision: STREAM_EXISTS })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await client().appendToStream(stream, events(1), { expectedRevision: NO_STREAM });
    await expect(client().appendToStream(stream, events(1), { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const ok = await client().appendToStream(stream, events(1, 'Thing', 1), { expectedRevision: STREAM_EXISTS });
    expect(ok.nextExpectedRevision).toBe(1n);
  });

  it('appends with any whatever the stream holds', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(1), { expectedRevision: ANY });
    const second = await client().appendToStream(stream, events(1, 'Thing', 1), { expectedRevision: ANY });
    expect(second.nextExpectedRevision).toBe(1n);
  });

  it('treats an identical retry (same event ids, same expected revision) as done, appending nothing twice', async () => {
    const stream = uniqueStream();
    const batch = [jsonEvent({ id: randomUUID(), type: 'Once', data: { a: 1 } }), jsonEvent({ id: randomUUID(), type: 'Once', data: { a: 2 } })];
    const first = await client().appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    const retry = await client().appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    expect(retry.nextExpectedRevision).toBe(first.nextExpectedRevision);
    const ids = await readAll(client().readStream(stream), (e) => e.event!.id);
    expect(ids).toEqual(batch.map((e) => e.id));
  });

  it('lets exactly one of several concurrent appends at the same expected revision win', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(1), { expectedRevision: NO_STREAM });
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => client().appendToStream(stream, events(1, 'Racer', 100 + i), { expectedRevision: 0n })),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a) => a.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost.every((l) => l.reason instanceof WrongExpectedVersionError)).toBe(true);
    expect(await numbers(stream)).toHaveLength(2);
  });

  it('keeps a multi-event append together and in order, even with other streams written at once', async () => {
    const [a, b] = [uniqueStream(), uniqueStream()];
    await Promise.all([client().appendToStream(a, events(50, 'A')), client().appendToStream(b, events(50, 'B'))]);
    const all = await readAll(client().readAll({ fromPosition: START }), (e) => e.event!);
    const mine = all.filter((e) => e.streamId === a || e.streamId === b);
    const firstB = mine.findIndex((e) => e.streamId === b);
    const firstA = mine.findIndex((e) => e.streamId === a);
    const contiguous = (stream: string, from: number) => mine.slice(from, from + 50).every((e) => e.streamId === stream);
    expect(contiguous(a, firstA)).toBe(true);
    expect(contiguous(b, firstB)).toBe(true);
  });

  it('keeps ids, types, JSON and binary payloads and metadata exactly', async () => {
    const stream = uniqueStream();
    const id = randomUUID();
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await client().appendToStream(stream, [
      jsonEvent({ id, type: 'Json', data: { text: 'é ✓', big: '12345678901234567890' }, metadata: { commandId: 'c-1' } }),
      binaryEvent({ type: 'Binary', data: bytes }),
    ]);
    const [json, binary] = await readAll(client().readStream(stream), (e) => e.event!);
    expect(json).toMatchObject({ id, type: 'Json', data: { text: 'é ✓', big: '12345678901234567890' }, metadata: { commandId: 'c-1' }, isJson: true });
    expect(binary.isJson).toBe(false);
    expect(Buffer.from(binary.data as Uint8Array)).toEqual(Buffer.from(bytes));
  });
});

describe('read', () => {
  it('reads a stream forwards and backwards from a revision, up to a count', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(10));
    expect(await numbers(stream, { fromRevision: 3n, maxCount: 4 })).toEqual([3, 4, 5, 6]);
    expect(await numbers(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 3 })).toEqual([9, 8, 7]);
    expect(await numbers(stream, { direction: BACKWARDS, fromRevision: 4n })).toEqual([4, 3, 2, 1, 0]);
    expect(await numbers(stream, { direction: FORWARDS, fromRevision: 20n })).toEqual([]);
  });

  it('reports a missing stream as StreamNotFoundError', async () => {
    await expect(numbers(uniqueStream('missing'))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reads $all in commit order forwards from a position and backwards from the end', async () => {
    const stream = uniqueStream();
    const first = await client().appendToStream(stream, events(3));
    await client().appendToStream(stream, events(2, 'Thing', 3));
    const from = { commit: first.position!.commit, prepare: first.position!.commit } as Position;
    const forwards = await readAll(client().readAll({ fromPosition: from }), (e) => e.event!);
    expect(forwards.filter((e) => e.streamId === stream).map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
    const backwards = await readAll(client().readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }), (e) => e.event!);
    expect(backwards.map((e) => (e.data as { n: number }).n)).toEqual([4, 3]);
    const positions = forwards.map((e) => e.position!);
    for (let i = 1; i < positions.length; i++) {
      const [p, q] = [positions[i - 1], positions[i]];
      expect(q.commit > p.commit || (q.commit === p.commit && q.prepare > p.prepare)).toBe(true);
    }
  });
});

describe('links', () => {
  it('resolves a $> link to its target with the link alongside when asked, and returns it as itself when not', async () => {
    const target = uniqueStream();
    const links = uniqueStream();
    await client().appendToStream(target, events(3));
    await client().appendToStream(links, [binaryEvent({ type: '$>', data: Buffer.from(`1@${target}`) }), binaryEvent({ type: '$>', data: Buffer.from(`9@${target}`) })]);
    const resolved = await readAll(client().readStream(links, { resolveLinkTos: true }), (e) => [e.event?.streamId, e.event?.revision, e.link?.streamId, e.link?.revision, e.link?.type]);
    expect(resolved[0]).toEqual([target, 1n, links, 0n, '$>']);
    // A link to nothing (here, a revision the target never had) comes as the link alone.
    expect(resolved[1].slice(2)).toEqual([links, 1n, '$>']);
    const plain = await readAll(client().readStream(links), (e) => [e.event?.streamId, e.event?.type, e.link]);
    expect(plain).toEqual([
      [links, '$>', undefined],
      [links, '$>', undefined],
    ]);
  });
});

describe('catch-up subscriptions', () => {
  it('delivers a stream from its start, then live events, without a gap or a duplicate', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(20));
    const sub = client().subscribeToStream(stream, { fromRevision: START });
    const writer = (async () => {
      for (let i = 20; i < 60; i += 10) await client().appendToStream(stream, events(10, 'Thing', i));
    })();
    const got = await collect(sub, (e) => (e.event!.data as { n: number }).n, (g) => g.length >= 60);
    await writer;
    expect(got).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('starts after a given revision, or only with new events from the end', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(5));
    const afterTwo = collect(client().subscribeToStream(stream, { fromRevision: 2n }), (e) => (e.event!.data as { n: number }).n, (g) => g.length >= 3);
    const fromEnd = client().subscribeToStream(stream, { fromRevision: END });
    const live = collect(fromEnd, (e) => (e.event!.data as { n: number }).n, (g) => g.length >= 1);
    await new Promise((r) => fromEnd.once('caughtUp', r));
    await client().appendToStream(stream, events(1, 'Thing', 5));
    expect(await afterTwo).toEqual([3, 4, 5]);
    expect(await live).toEqual([5]);
  });

  it('subscribes to $all from a position, delivering only what comes after it', async () => {
    const stream = uniqueStream();
    const first = await client().appendToStream(stream, events(1));
    await client().appendToStream(stream, events(2, 'Thing', 1));
    const got = await collect(
      client().subscribeToAll({ fromPosition: first.position! }),
      (e) => (e.event!.streamId === stream ? (e.event!.data as { n: number }).n : undefined),
      (g) => g.length >= 2,
    );
    expect(got).toEqual([1, 2]);
  });

  it('filters $all on the server by stream prefix and event type, with checkpoints to resume from', async () => {
    const prefix = `filtered-${randomUUID()}-`;
    const type = `Kind${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 5; i++) {
      await client().appendToStream(`${prefix}${i}`, events(20, 'Other', i * 20));
      await client().appendToStream(uniqueStream('noise'), events(40, type));
    }
    const checkpoints: Position[] = [];
    const byPrefix = await collect(
      client().subscribeToAll({
        fromPosition: START,
        filter: streamNameFilter({ prefixes: [prefix], checkpointInterval: 1, checkpointReached: (_s, p) => void checkpoints.push(p) }),
      }),
      (e) => e.event!.streamId,
      (g) => g.length >= 100,
    );
    expect(byPrefix).toHaveLength(100);
    expect(byPrefix.every((s) => s.startsWith(prefix))).toBe(true);
    expect(checkpoints.length).toBeGreaterThan(0);

    const byType = await collect(
      client().subscribeToAll({ fromPosition: START, filter: eventTypeFilter({ regex: `^${type}$` }) }),
      (e) => e.event!.type,
      (g) => g.length >= 200,
    );
    expect(new Set(byType)).toEqual(new Set([type]));

    // Resuming from a checkpoint yields exactly the matching events after it.
    const resumeFrom = checkpoints[Math.floor(checkpoints.length / 2)];
    const all = await readAll(client().readAll({ fromPosition: START }), (e) => e.event!);
    const expected = all.filter(
      (e) => e.streamId.startsWith(prefix) && (e.position!.commit > resumeFrom.commit || (e.position!.commit === resumeFrom.commit && e.position!.prepare > resumeFrom.prepare)),
    );
    const resumed = await collect(
      client().subscribeToAll({ fromPosition: resumeFrom, filter: streamNameFilter({ prefixes: [prefix] }) }),
      (e) => e.event!.id,
      (g) => g.length >= expected.length,
    );
    expect(resumed).toEqual(expected.map((e) => e.id));
  });

  it('checkpoints a live filtered subscription every checkpointInterval × 32 events scanned, not on every append', async () => {
    const prefix = `live-filtered-${randomUUID()}-`;
    const checkpoints: Position[] = [];
    const subscription = client().subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({ prefixes: [prefix], checkpointInterval: 1, checkpointReached: (_s, p) => void checkpoints.push(p) }),
    });
    await new Promise<void>((resolve) => subscription.once('confirmation', () => resolve()));
    // 40 appends the filter passes over, one at a time, then one it takes: 41 events scanned live.
    const noise = uniqueStream('noise');
    for (let i = 0; i < 40; i++) await client().appendToStream(noise, events(1, 'Thing', i));
    await client().appendToStream(`${prefix}0`, events(1));
    // Checkpoints come in order with events, so all that precede the taken event have arrived with it.
    const taken = await collect(subscription, (e) => e.event!.streamId, (g) => g.length >= 1);
    expect(taken).toEqual([`${prefix}0`]);
    expect(checkpoints).toHaveLength(1);
  });

  it('serves several subscribers the same sequence, and a stalled one holds up neither writers nor the others', async () => {
    const stream = uniqueStream();
    const stalled = client().subscribeToStream(stream, { fromRevision: START }, { highWaterMark: 1 });
    stalled.pause(); // never reads: its server-side reader must wait alone
    const readers = [1, 2, 3].map(() => collect(client().subscribeToStream(stream, { fromRevision: START }), (e) => e.event!.id, (g) => g.length >= 2000));
    for (let i = 0; i < 2000; i += 100) {
      await client().appendToStream(stream, Array.from({ length: 100 }, () => jsonEvent({ type: 'Bulk', data: { pad: 'x'.repeat(200) } })));
    }
    const [a, b, c] = await Promise.all(readers);
    expect(a).toHaveLength(2000);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    await stalled.unsubscribe();
  });
});

describe('append deadline', () => {
  it('refuses a batch append whose deadline passed before it was all received, and writes none of it', async () => {
    const stream = uniqueStream();
    await expect(client().appendToStream(stream, events(30_000), { deadline: 1 })).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(numbers(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
    // With time enough, the same append goes through.
    expect((await client().appendToStream(stream, events(3))).nextExpectedRevision).toBe(2n);
  });
});

describe('delete and tombstone', () => {
  it('soft-deletes a stream: it reads as missing, and a later append continues its revisions', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(3));
    await client().deleteStream(stream);
    await expect(numbers(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
    const next = await client().appendToStream(stream, events(1, 'Thing', 3));
    expect(next.nextExpectedRevision).toBe(3n);
    expect(await numbers(stream)).toEqual([3]);
  });

  it('records a soft delete as the stream metadata truncate-before past its last event, seen in $all', async () => {
    const stream = uniqueStream();
    await client().setStreamMetadata(stream, { custom: 'kept' } as never);
    await client().appendToStream(stream, events(3));
    await client().deleteStream(stream);
    const { metadata } = await client().getStreamMetadata(stream);
    expect(metadata).toMatchObject({ truncateBefore: 3, custom: 'kept' });
    const [last] = await readAll(client().readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }), (e) => e.event!);
    expect([last.streamId, last.type]).toEqual([`$$${stream}`, '$metadata']);
  });

  it('tombstones a stream for good: reads and appends fail with StreamDeletedError', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(2));
    await client().tombstoneStream(stream);
    await expect(numbers(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client().appendToStream(stream, events(1))).rejects.toBeInstanceOf(StreamDeletedError);
  });

  it('refuses a delete at a wrong expected revision and changes nothing', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(2));
    await expect(client().deleteStream(stream, { expectedRevision: 0n })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await numbers(stream)).toEqual([0, 1]);
  });

  it('stores stream metadata in its metadata stream', async () => {
    const stream = uniqueStream();
    await client().setStreamMetadata(stream, { custom: 'owner-7' } as never);
    const { metadata } = await client().getStreamMetadata(stream);
    expect(metadata).toMatchObject({ custom: 'owner-7' });
  });
});

describe('bad input', () => {
  it('refuses an oversized append with MaxAppendSizeExceededError and stays usable', async () => {
    const stream = uniqueStream();
    const big = jsonEvent({ type: 'Big', data: { blob: 'x'.repeat(2 * 1024 * 1024) } });
    await expect(client().appendToStream(stream, big)).rejects.toBeInstanceOf(MaxAppendSizeExceededError);
    await expect(numbers(stream)).rejects.toBeInstanceOf(StreamNotFoundError);
    await client().appendToStream(stream, events(1));
    expect(await numbers(stream)).toEqual([0]);
  });

  it('refuses an empty stream name and writing to $all, and stays usable', async () => {
    await expect(client().appendToStream('', events(1))).rejects.toThrow();
    await expect(client().appendToStream('$all', events(1))).rejects.toThrow();
    const stream = uniqueStream();
    await client().appendToStream(stream, events(1));
    expect(await numbers(stream)).toEqual([0]);
  });
});

describe('secure mode: TLS, users, stream ACLs', () => {
  const as = async <T>(connectionString: string, use: (c: EventStoreDBClient) => Promise<T>): Promise<T> => {
    const c = EventStoreDBClient.connectionString(connectionString);
    try {
      return await use(c);
    } finally {
      await c.dispose();
    }
  };

  it('starts with system events in $all: the default ACLs in $settings and the admin user', async () => {
    const first = await readAll(client().readAll({ fromPosition: START, maxCount: 20 }), (e) => e.event!.streamId);
    expect(first).toEqual(expect.arrayContaining(['$settings', '$user-admin']));
  });

  it('refuses a caller without credentials, and one with a wrong password', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(1));
    for (const cs of [store.connectionStringAs(), store.connectionStringAs('admin', 'not-the-password')]) {
      await expect(as(cs, (c) => c.appendToStream(stream, events(1)))).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(as(cs, (c) => readAll(c.readStream(stream), (e) => e))).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(as(cs, (c) => readAll(c.readAll({ maxCount: 1 }), (e) => e))).rejects.toBeInstanceOf(AccessDeniedError);
    }
    expect(await numbers(stream)).toEqual([0]);
  });

  // The integrator is created in the embedded store's user format (a real server has its own user management).
  (againstRealServer ? it.skip : it)('a read-only integrator reads what the ACL opens to its group, and is refused everything else, writes included', async () => {
    const login = `integrator-${randomUUID().slice(0, 8)}`;
    const created = await cli('eventstore', 'add-integrator', login, '--eventstore', store.adminConnectionString);
    expect(created.code).toBe(0);
    const { password, connectionString } = JSON.parse(created.out) as { password: string; connectionString: string };
    expect(connectionString).toBe(store.connectionStringAs(login, password));
    const open = uniqueStream('public');
    const closed = uniqueStream();
    await client().appendToStream(open, events(2));
    await client().setStreamMetadata(open, { acl: { readRoles: ['integrators'] } });
    await client().appendToStream(closed, events(1));
    await as(connectionString, async (c) => {
      expect(await readAll(c.readStream(open), (e) => (e.event!.data as { n: number }).n)).toEqual([0, 1]);
      await expect(c.appendToStream(open, events(1))).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(c.deleteStream(open)).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(c.setStreamMetadata(open, { acl: { readRoles: ['$all'] } })).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(c.appendToStream(uniqueStream(), events(1))).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(readAll(c.readStream(closed), (e) => e)).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(readAll(c.readAll({ maxCount: 1 }), (e) => e)).rejects.toBeInstanceOf(AccessDeniedError);
      // Users and settings are system streams: an integrator can neither read nor mint them.
      await expect(readAll(c.readStream('$user-admin'), (e) => e)).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(c.appendToStream(`$user-${login}-2`, jsonEvent({ type: '$User', data: {} }))).rejects.toBeInstanceOf(AccessDeniedError);
    });
    expect(await numbers(open)).toEqual([0, 1]);
    // A second user of the same login is refused.
    expect((await cli('eventstore', 'add-integrator', login, '--eventstore', store.adminConnectionString)).code).not.toBe(0);
  });

  // A real server serves its HTTP API on this port; the embedded one speaks gRPC only and says so.
  (againstRealServer ? it.skip : it)('answers the client\'s HTTP fallback with a clean "not supported", and keeps serving gRPC', async () => {
    await expect(client().listAllPersistentSubscriptions()).rejects.toThrow(/Not supported: .* gRPC only/);
    const { status, body } = await httpsGet(store.adminConnectionString, '/subscriptions');
    expect(status).toBe(501);
    expect(JSON.parse(body)).toMatchObject({ error: 'NOT_SUPPORTED', path: '/subscriptions' });
    const stream = uniqueStream();
    await client().appendToStream(stream, events(1));
    expect(await numbers(stream)).toEqual([0]);
  });

  it('a client that does not speak TLS gets nothing from the port', async () => {
    const plain = store.connectionStringAs().replace(/tls=true/, 'tls=false');
    await expect(as(plain, (c) => readAll(c.readAll({ maxCount: 1 }), (e) => e))).rejects.toBeInstanceOf(Error);
  });
});

(againstRealServer ? describe.skip : describe)('restart', () => {
  it('keeps every event, revision and position across a restart, and subscriptions resume from a checkpoint', async () => {
    const stream = uniqueStream();
    await client().appendToStream(stream, events(30));
    const before = await readAll(client().readAll({ fromPosition: START }), (e) => [e.event!.id, e.event!.position!.commit] as const);
    await store.restart();
    const after = await readAll(client().readAll({ fromPosition: START }), (e) => [e.event!.id, e.event!.position!.commit] as const);
    expect(after).toEqual(before);
    await expect(client().appendToStream(stream, events(1), { expectedRevision: 28n })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const next = await client().appendToStream(stream, events(1, 'Thing', 30), { expectedRevision: 29n });
    expect(next.nextExpectedRevision).toBe(30n);
    const resumed = await collect(client().subscribeToStream(stream, { fromRevision: 27n }), (e) => (e.event!.data as { n: number }).n, (g) => g.length >= 3);
    expect(resumed).toEqual([28, 29, 30]);
  });
});
