/**
 * What the liquidation detector knows, folded from the ledger's events with the domain's own evolve:
 * every pool and feed, every open position with debt in the liquidation index, and the liquidations
 * under way. No I/O: the detector feeds it events and asks it which positions are due.
 */
import { LedgerEvent } from '../domain/events';
import { indexAt } from '../domain/interest/stability-fee';
import { LiquidationIndex } from '../domain/liquidation/liquidation-index';
import { FeedEvent, feedDecider, FeedState } from '../domain/oracle/feed';
import { ActivePool, PoolEvent, poolDecider, PoolState } from '../domain/pool/pool';
import { PendingLiquidation, pendingLiquidationOf, PositionEvent } from '../domain/position/position';
import { unitOf } from '../domain/risk/liquidation-rule';

/** A position the detector should trigger: at its stream revision, against the feed's round. */
export interface DueLiquidation {
  positionId: string;
  poolId: string;
  /** The position stream's revision it was found liquidatable at (the trigger's command id names it). */
  revision: bigint;
  round: bigint;
}

/** A liquidation under way, as anyone may see it: no amounts. */
export interface LiquidationUnderWay {
  positionId: string;
  poolId: string;
  commitment: bigint;
  liquidation: PendingLiquidation;
}

interface Tracked {
  poolId: string;
  revision: bigint;
  commitment: bigint;
  liquidation?: PendingLiquidation;
}

export class LiquidationWatch {
  readonly index = new LiquidationIndex();
  private readonly pools = new Map<string, PoolState>();
  private readonly feeds = new Map<string, FeedState>();
  private readonly positions = new Map<string, Tracked>();
  private readonly liquidating = new Set<string>();

  /** Folds one event of a `pool-`, `oracle-` or `position-` stream. */
  apply(stream: string, revision: bigint, event: LedgerEvent): void {
    if (stream.startsWith('pool-')) {
      const poolId = stream.slice('pool-'.length);
      this.pools.set(poolId, poolDecider.evolve(this.pools.get(poolId) ?? poolDecider.initialState(), event as PoolEvent));
    } else if (stream.startsWith('oracle-')) {
      const feed = stream.slice('oracle-'.length);
      this.feeds.set(feed, feedDecider.evolve(this.feeds.get(feed) ?? feedDecider.initialState(), event as FeedEvent));
    } else if (stream.startsWith('position-')) {
      this.applyPosition(stream.slice('position-'.length), revision, event as PositionEvent);
    }
  }

  private applyPosition(positionId: string, revision: bigint, event: PositionEvent): void {
    const known = this.positions.get(positionId);
    const poolId = event.type === 'PositionOpened' ? event.poolId : known?.poolId;
    if (poolId === undefined) return; // a position whose opening this watch never saw: nothing to value it by
    if (event.type === 'PositionClosed') {
      this.positions.delete(positionId);
      this.liquidating.delete(positionId);
      this.index.remove(positionId);
      return;
    }
    const liquidation = event.type === 'LiquidationTriggered' ? pendingLiquidationOf(event) : known?.liquidation;
    this.positions.set(positionId, { poolId, revision, commitment: event.commitment, liquidation });
    // A position being liquidated is not due again until its liquidation ends.
    if (liquidation) {
      this.liquidating.add(positionId);
      this.index.remove(positionId);
    } else {
      this.index.set({ positionId, poolId, collateral: event.collateral, scaledDebt: event.scaledDebt });
    }
  }

  /** Pools that an event of this stream may have tipped positions of: their price, index or threshold moved. */
  poolsMovedBy(stream: string, event: LedgerEvent): string[] {
    if (stream.startsWith('pool-')) return event.type === 'PoolParametersChanged' || event.type === 'InterestAccrued' ? [stream.slice('pool-'.length)] : [];
    if (stream.startsWith('oracle-') && (event.type === 'PriceUpdated' || event.type === 'LiquidationsResumed')) return this.poolsOnFeed(stream.slice('oracle-'.length));
    return [];
  }

  pool(poolId: string): ActivePool | undefined {
    const pool = this.pools.get(poolId);
    return pool?.status === 'active' ? pool : undefined;
  }

  poolIds(): string[] {
    return [...this.pools.keys()];
  }

  /**
   * The pool's positions below health factor 1 at its feed's latest round and the index of `now`;
   * none while the price is stale or liquidations on the feed are paused (the trigger would be refused).
   */
  due(poolId: string, now: bigint): DueLiquidation[] {
    const pool = this.pools.get(poolId);
    if (pool?.status !== 'active') return [];
    const feed = this.feeds.get(pool.feed);
    if (feed?.status !== 'active' || !feed.price || feed.liquidationsPaused) return [];
    if (now - feed.price.at > BigInt(feed.heartbeatSeconds)) return [];
    const round = feed.price.round;
    return this.index.liquidatable(poolId, riskView(pool, feed.price.value, now)).map(({ positionId }) => ({
      positionId,
      poolId,
      revision: this.positions.get(positionId)!.revision,
      round,
    }));
  }

  /** Liquidations under way, optionally of one pool. */
  underWay(poolId?: string): LiquidationUnderWay[] {
    const found: LiquidationUnderWay[] = [];
    for (const positionId of this.liquidating) {
      const p = this.positions.get(positionId)!;
      if (poolId === undefined || p.poolId === poolId) found.push({ positionId, poolId: p.poolId, commitment: p.commitment, liquidation: p.liquidation! });
    }
    return found;
  }

  private poolsOnFeed(feed: string): string[] {
    return [...this.pools].filter(([, p]) => p.status === 'active' && p.feed === feed).map(([id]) => id);
  }
}

export function riskView(pool: ActivePool, price: bigint, now: bigint) {
  return {
    price,
    borrowIndex: indexAt(pool.interest, now),
    thresholdBps: pool.parameters.liquidationThresholdBps,
    collateralUnit: unitOf(pool.collateral.decimals),
    debtUnit: unitOf(pool.debt.decimals),
  };
}
