import { contextFrom, contextFromStore, ContextLookup, read, Reads } from './aggregate';
import { AGGREGATES, aggregateOfStream } from './aggregates';
import { LEDGER_STREAM_PREFIXES } from './events';
import { positionAggregate } from './position/position-aggregate';
import { feedAggregate } from './oracle/feed-aggregate';
import { poolAggregate } from './pool/pool-aggregate';
import type { ActivePool } from './pool/pool-state';

describe('the aggregate table', () => {
  it('has one spec for each ledger stream prefix, and no other', () => {
    expect([...AGGREGATES.keys()].map((kind) => `${kind}-`).sort()).toEqual([...LEDGER_STREAM_PREFIXES].sort());
  });

  it("finds a stream's aggregate and id, ids with dashes included", () => {
    for (const spec of AGGREGATES.values()) {
      expect(aggregateOfStream(spec.streamOf('eth-usd-2'))).toEqual({ spec, id: 'eth-usd-2' });
    }
    expect(aggregateOfStream('snapshot-pool-eth')).toBeUndefined();
    expect(aggregateOfStream('$all')).toBeUndefined();
    expect(aggregateOfStream('-pool')).toBeUndefined();
    // A name without a dash is no aggregate's, even when all but its last letter is a kind.
    expect(aggregateOfStream('pools')).toBeUndefined();
    expect(aggregateOfStream('ammo')).toBeUndefined();
  });
});

describe('a context built from reads', () => {
  const pool = { status: 'active', poolId: 'p', feed: 'ETH-USD' } as unknown as ActivePool;
  const feed = { status: 'absent' } as const;
  const asked: string[] = [];
  const lookup = {
    pool: (poolId: string) => (asked.push(`pool ${poolId}`), pool),
    feed: (name: string) => (asked.push(`feed ${name}`), feed),
  } as unknown as ContextLookup;

  function* chained(): Reads<string> {
    const p = yield* read('pool', 'p');
    if (p.status !== 'active') return 'none';
    const f = yield* read('feed', p.feed);
    return `${p.poolId}/${f.status}`;
  }

  it('reads in order, each read seeing the answers before it, at once or from a store', async () => {
    asked.length = 0;
    expect(contextFrom(chained(), lookup)).toBe('p/absent');
    expect(asked).toEqual(['pool p', 'feed ETH-USD']);
    const slow = { pool: async (id: string) => lookup.pool(id), feed: async (name: string) => lookup.feed(name) } as never;
    await expect(contextFromStore(chained(), slow)).resolves.toBe('p/absent');
    expect(asked).toEqual(['pool p', 'feed ETH-USD', 'pool p', 'feed ETH-USD']);
  });

  it("a position's command reads its pool, then that pool's feed; an open reads the pool it names", () => {
    asked.length = 0;
    const open = positionAggregate.issue({ type: 'OpenPosition', positionId: 'x', poolId: 'p', owner: 'o' }, { now: 7n, salt: () => 3n });
    expect(open).toMatchObject({ salt: 3n });
    const context = contextFrom(positionAggregate.contextOf(open, { status: 'absent' }, { id: 'x', now: 7n }), lookup);
    expect(asked).toEqual(['pool p', 'feed ETH-USD']);
    expect(context).toEqual({ pool, feed, price: { status: 'none' }, now: 7n });
  });

  it('a feed command reads nothing', () => {
    asked.length = 0;
    const command = feedAggregate.issue({ type: 'RevokeOracleKey', oracle: 'a' }, { now: 9n, salt: () => 1n });
    expect(contextFrom(feedAggregate.contextOf(command, { status: 'absent' }, { id: 'F', now: 9n }), lookup)).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('a pool command other than a reservation or a proposal reads nothing', () => {
    asked.length = 0;
    const command = poolAggregate.issue({ type: 'AccrueInterest' }, { now: 9n, salt: () => 1n });
    expect(command).toEqual({ type: 'AccrueInterest', now: 9n });
    expect(contextFrom(poolAggregate.contextOf(command, pool, { id: 'p', now: 9n }), lookup)).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
