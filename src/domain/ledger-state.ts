/**
 * The ledger folded once: every aggregate's state by stream, each event dispatched through the
 * aggregate table (aggregates.ts) and folded with that aggregate's own `evolve`. The auditor's replay,
 * the liquidation watch and the public streams build on it, each adding only what it alone needs.
 * A follower may keep fewer kinds (the watch keeps a lean view of a million positions of its own).
 */
import { AnyAggregateSpec, StateOf } from './aggregate';
import { AGGREGATES, aggregateOfStream } from './aggregates';
import type { AmmState } from './amm/amm';
import type { AuctionState } from './auction/auction';
import type { LiquidationProofState } from './liquidation/detected-liquidation-proof';
import type { GlobalLiquidationCapState } from './liquidation/global-liquidation-cap';
import type { FeedState } from './oracle/feed';
import type { ActivePool, PoolState } from './pool/pool-state';
import type { PositionState } from './position/position';

/** The states of one kind of aggregate, by id. */
type States<State> = Map<string, State>;

export class LedgerState {
  private readonly byKind = new Map<string, States<unknown>>();

  /** `kinds`: the aggregates to keep, by stream kind (all of them unless told). */
  constructor(kinds: Iterable<string> = AGGREGATES.keys()) {
    for (const kind of kinds) {
      if (!AGGREGATES.has(kind)) throw new Error(`no aggregate of kind ${kind}`);
      this.byKind.set(kind, new Map());
    }
  }

  /**
   * Folds the events one command appended to `stream`, all or none: an event its aggregate cannot
   * follow throws and leaves the state as it was. `onEach` sees the state after each event (a decision
   * may have read the stream between two events of one append). Answers the stream's state after them;
   * undefined for a stream kept by no kind.
   */
  apply(stream: string, events: readonly unknown[], onEach?: (after: unknown, i: number) => void): unknown {
    const found = aggregateOfStream(stream);
    const states = found && this.byKind.get(found.spec.kind);
    if (!found || !states) return undefined;
    const { spec, id } = found;
    let after = states.has(id) ? states.get(id) : spec.decider.initialState();
    for (const [i, event] of events.entries()) {
      after = spec.decider.evolve(after, event);
      onEach?.(after, i);
    }
    states.set(id, after);
    return after;
  }

  /** The state of one aggregate: its initial state when it has no events yet. */
  stateOf<S extends AnyAggregateSpec>(spec: S, id: string): StateOf<S> {
    const states = this.kind(spec.kind);
    return (states.has(id) ? states.get(id) : spec.decider.initialState()) as StateOf<S>;
  }

  get pools(): ReadonlyMap<string, PoolState> {
    return this.kind('pool') as States<PoolState>;
  }

  get feeds(): ReadonlyMap<string, FeedState> {
    return this.kind('oracle') as States<FeedState>;
  }

  get positions(): ReadonlyMap<string, PositionState> {
    return this.kind('position') as States<PositionState>;
  }

  get auctions(): ReadonlyMap<string, AuctionState> {
    return this.kind('auction') as States<AuctionState>;
  }

  get markets(): ReadonlyMap<string, AmmState> {
    return this.kind('amm') as States<AmmState>;
  }

  get detectionProofs(): ReadonlyMap<string, LiquidationProofState> {
    return this.kind('proof') as States<LiquidationProofState>;
  }

  get settings(): ReadonlyMap<string, GlobalLiquidationCapState> {
    return this.kind('settings') as States<GlobalLiquidationCapState>;
  }

  /** The pool if it is active. */
  activePool(poolId: string): ActivePool | undefined {
    const pool = this.pools.get(poolId);
    return pool?.status === 'active' ? pool : undefined;
  }

  /** The active pools whose price comes from `feed`, by id. */
  poolsOnFeed(feed: string): string[] {
    return [...this.pools].filter(([, pool]) => pool.status === 'active' && pool.feed === feed).map(([poolId]) => poolId);
  }

  private kind(kind: string): States<unknown> {
    const states = this.byKind.get(kind);
    if (!states) throw new Error(`this ledger state does not keep ${kind} aggregates`);
    return states;
  }
}
