/**
 * What the liquidation engine knows, folded from the ledger's events with the domain's own evolve:
 * every pool and feed, every open position with debt in the liquidation index, the liquidations under
 * way and their auctions. No I/O: the detector feeds it events and asks it which positions are due,
 * and the saga asks it for each liquidation's next step.
 */
import { auctionDecider, AuctionEvent, auctionQuote, AuctionState, RunningAuction } from '../domain/auction/auction';
import { routeOf, sellsAtOnce } from '../domain/auction/auction-routes';
import { AmmEvent } from '../domain/amm/amm';
import { LedgerEvent } from '../domain/events';
import { indexAt } from '../domain/interest/stability-fee';
import { LiquidationIndex } from '../domain/liquidation/liquidation-index';
import { priceAt } from '../domain/oracle/feed';
import { feedAggregate } from '../domain/oracle/feed-aggregate';
import { ActivePool } from '../domain/pool/pool';
import { LedgerState } from '../domain/ledger-state';
import { PendingLiquidation, pendingLiquidationOf, PositionEvent } from '../domain/position/position';
import { unitOf } from '../domain/risk/liquidation-rule';
import { detectedTriggerOf, liquidationIdOf, ProofJob } from '../domain/liquidation/detected-liquidation-proof';

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
  /** `<positionId>.<trigger revision>`: its auction's id, and its proof's stream. */
  liquidationId: string;
  /** A liquidator's proof came with the trigger; the ledger's own proof of a detection follows it. */
  proof: 'proven' | 'pending';
}


interface Tracked {
  poolId: string;
  revision: bigint;
  commitment: bigint;
  liquidation?: PendingLiquidation;
  /** The revision of the LiquidationTriggered event: its auction is `<positionId>.<revision>`. */
  triggeredAt?: bigint;
}

/** An auction the saga has yet to see through: its state, keeper incentives so far, and how far its settlement got. */
interface AuctionBook {
  state: AuctionState;
  keeperRewards: bigint;
  settled?: Extract<AuctionEvent, { type: 'AuctionSettled' }>;
  /** The position's LiquidationSettled: bad debt written off, if any. */
  positionSettled?: { badDebt: bigint };
}

/** The next step of a liquidation, for the saga to take (each is an idempotent command). */
export type LiquidationStep =
  | { step: 'reserve'; auctionId: string; positionId: string; poolId: string; round: bigint }
  | { step: 'start'; auctionId: string; positionId: string; keeper?: string }
  | { step: 'settle'; auctionId: string; positionId: string; collateralSold: bigint; debtRepaid: bigint }
  | { step: 'account'; auctionId: string; poolId: string; reserveIn: bigint; keeperRewards: bigint; badDebt: bigint }
  /** Sell what is left of the lot into the pool market, for at most what is left of the tab... */
  | { step: 'sell'; auctionId: string; poolId: string; collateral: bigint; wanted: bigint }
  /** An English auction whose bidding closed with a bid: the best bid wins. */
  | { step: 'close'; auctionId: string }
  /** ...and record the market's swap as the auction's last sale. */
  | { step: 'marketSale'; auctionId: string; collateral: bigint; paid: bigint; price: bigint };

export const auctionIdOf = (positionId: string, triggeredAt: bigint) => `${positionId}.${triggeredAt}`;

export class LiquidationWatch {
  readonly index = new LiquidationIndex();
  /** Pools, feeds and markets, folded once (LedgerState); positions and auctions as the watch keeps them, lean. */
  private readonly ledger = new LedgerState(['pool', 'oracle', 'amm']);
  private readonly positions = new Map<string, Tracked>();
  private readonly liquidating = new Set<string>();
  private readonly auctions = new Map<string, AuctionBook>();
  /** Market swaps made for auctions whose sale is not yet recorded, by auction. */
  private readonly swaps = new Map<string, Extract<AmmEvent, { type: 'CollateralSwapped' }>>();
  /** Detected liquidations without the ledger's proof yet, by liquidation id. */
  private readonly unproven = new Map<string, ProofJob>();

  /** Folds one event of a ledger stream (pool, feed, position, auction, market). */
  apply(stream: string, revision: bigint, event: LedgerEvent): void {
    if (stream.startsWith('pool-') || stream.startsWith('oracle-')) {
      this.ledger.apply(stream, [event]);
    } else if (stream.startsWith('position-')) {
      this.applyPosition(stream.slice('position-'.length), revision, event as PositionEvent);
    } else if (stream.startsWith('auction-')) {
      this.applyAuction(stream.slice('auction-'.length), event as AuctionEvent);
    } else if (stream.startsWith('amm-')) {
      this.ledger.apply(stream, [event]);
      if (event.type === 'CollateralSwapped') this.swaps.set(event.auctionId, event);
    } else if (event.type === 'LiquidationProven') {
      this.unproven.delete(event.liquidationId);
    }
    if (event.type === 'SoldToMarket') this.swaps.delete(stream.slice('auction-'.length));
    if (event.type === 'LiquidationAccounted') this.auctions.delete(event.auctionId); // seen through
  }

  private applyAuction(auctionId: string, event: AuctionEvent): void {
    const book = this.auctions.get(auctionId) ?? { state: auctionDecider.initialState(), keeperRewards: 0n };
    book.state = auctionDecider.evolve(book.state, event);
    if (event.type === 'AuctionStarted' || event.type === 'AuctionReset') book.keeperRewards += event.keeperReward;
    if (event.type === 'AuctionSettled') book.settled = event;
    this.auctions.set(auctionId, book);
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
    const liquidation = event.type === 'LiquidationTriggered' ? pendingLiquidationOf(event) : event.type === 'LiquidationSettled' ? undefined : known?.liquidation;
    const triggeredAt = event.type === 'LiquidationTriggered' ? revision : liquidation ? known?.triggeredAt : undefined;
    this.positions.set(positionId, { poolId, revision, commitment: event.commitment, liquidation, triggeredAt });
    const pool = this.pool(poolId);
    if (event.type === 'LiquidationTriggered' && event.by === 'detection' && pool) {
      const { collateral, scaledDebt, salt } = event;
      const trigger = detectedTriggerOf(event, revision, pool);
      this.unproven.set(trigger.liquidationId, { trigger, opening: { collateral, scaledDebt, salt } });
    }
    if (event.type === 'LiquidationSettled') {
      this.liquidating.delete(positionId);
      const book = this.auctions.get(event.auctionId);
      if (book) book.positionSettled = { badDebt: event.badDebt };
    }
    // A position being liquidated is not due again until its liquidation ends.
    if (liquidation) {
      this.liquidating.add(positionId);
      this.index.remove(positionId);
    } else {
      this.index.set({ positionId, poolId, collateral: event.collateral, scaledDebt: event.scaledDebt });
    }
  }

  /**
   * Pools that an event of this stream may have tipped positions of: their price, index or threshold
   * moved, or a settled liquidation left a position still below the line (it must go again).
   */
  poolsMovedBy(stream: string, event: LedgerEvent): string[] {
    if (event.type === 'LiquidationSettled') return [this.positions.get(stream.slice('position-'.length))?.poolId].filter((p): p is string => p !== undefined);
    if (stream.startsWith('pool-')) return event.type === 'PoolParametersChanged' || event.type === 'RiskParametersApplied' || event.type === 'InterestAccrued' ? [stream.slice('pool-'.length)] : [];
    if (stream.startsWith('oracle-') && (event.type === 'PriceUpdated' || event.type === 'LiquidationsResumed')) return this.poolsOnFeed(stream.slice('oracle-'.length));
    return [];
  }

  pool(poolId: string): ActivePool | undefined {
    return this.ledger.activePool(poolId);
  }

  poolIds(): string[] {
    return [...this.ledger.pools.keys()];
  }

  /**
   * The pool's positions below health factor 1 at its feed's latest round and the index of `now`;
   * none while the price is stale or liquidations on the feed are paused (the trigger would be refused).
   */
  due(poolId: string, now: bigint): DueLiquidation[] {
    const pool = this.ledger.activePool(poolId);
    if (!pool) return [];
    const feed = this.ledger.stateOf(feedAggregate, pool.feed);
    const price = priceAt(feed, now);
    if (price.status !== 'fresh' || (feed.status === 'active' && feed.liquidationsPaused)) return [];
    return this.index.liquidatable(poolId, riskView(pool, price.value, now)).map(({ positionId }) => ({
      positionId,
      poolId,
      revision: this.positions.get(positionId)!.revision,
      round: price.round,
    }));
  }

  /** The steps the saga takes after this event. */
  stepsAfter(stream: string, event: LedgerEvent): LiquidationStep[] {
    const steps: Array<LiquidationStep | undefined> = [];
    if (event.type === 'LiquidationTriggered') steps.push(this.reserveStep(event.positionId));
    if (event.type === 'LiquidationReserved') steps.push(this.startStep(event.auctionId));
    if (event.type === 'AuctionStarted' && sellsAtOnce(event.auction.route)) steps.push(this.sellStep(event.auctionId));
    if (event.type === 'CollateralSwapped') steps.push(this.marketSaleStep(event.auctionId));
    if (event.type === 'AuctionSettled') steps.push(this.settleStep(stream.slice('auction-'.length)));
    if (event.type === 'LiquidationSettled') steps.push(this.accountStep(event.auctionId));
    // Room freed, an admin's resume, or a fresh price: liquidations left waiting may go now.
    if (event.type === 'LiquidationAccounted' || event.type === 'PoolLiquidationsResumed' || event.type === 'PriceUpdated') {
      const pools = new Set(event.type === 'PriceUpdated' ? this.poolsOnFeed(stream.slice('oracle-'.length)) : [stream.slice('pool-'.length)]);
      for (const positionId of this.liquidating) if (pools.has(this.positions.get(positionId)!.poolId)) steps.push(this.reserveStep(positionId));
    }
    return steps.filter((s): s is LiquidationStep => s !== undefined);
  }

  /** Every step still to take: after reading the history, what a stop may have left half done. */
  pendingSteps(): LiquidationStep[] {
    const steps: Array<LiquidationStep | undefined> = [];
    for (const positionId of this.liquidating) steps.push(this.reserveStep(positionId));
    for (const pool of this.ledger.pools.values()) if (pool.status === 'active') for (const auctionId of pool.reservations.keys()) steps.push(this.startStep(auctionId));
    for (const [auctionId, book] of this.auctions) {
      steps.push(this.settleStep(auctionId) ?? this.accountStep(auctionId) ?? this.marketSaleStep(auctionId));
      if (book.state.status === 'running' && sellsAtOnce(book.state.auction.route)) steps.push(this.sellStep(auctionId));
    }
    return steps.filter((s): s is LiquidationStep => s !== undefined);
  }

  /**
   * What time alone makes due: English auctions whose bidding closed with a bid are won; auctions that
   * need a reset, in pools with a market, fall back to it (the market always clears).
   */
  timedSteps(now: bigint): LiquidationStep[] {
    const steps: Array<LiquidationStep | undefined> = [];
    for (const [auctionId, { state }] of this.auctions) {
      if (state.status !== 'running') continue;
      if (routeOf(state).dueStep?.(state, now) === 'close') steps.push({ step: 'close', auctionId });
      else if (!this.swaps.has(auctionId) && auctionQuote(state, now).needsReset) steps.push(this.sellStep(auctionId));
    }
    return steps.filter((s): s is LiquidationStep => s !== undefined);
  }

  private sellStep(auctionId: string): LiquidationStep | undefined {
    const state = this.auctions.get(auctionId)?.state;
    if (state?.status !== 'running' || this.swaps.has(auctionId) || this.ledger.markets.get(state.poolId)?.status !== 'active') return undefined;
    return { step: 'sell', auctionId, poolId: state.poolId, collateral: state.lot - state.sold, wanted: state.tab - state.raised };
  }

  private marketSaleStep(auctionId: string): LiquidationStep | undefined {
    const swap = this.swaps.get(auctionId);
    if (!swap || this.auctions.get(auctionId)?.state.status !== 'running') return undefined;
    return { step: 'marketSale', auctionId, collateral: swap.collateralIn, paid: swap.debtOut, price: swap.price };
  }

  private reserveStep(positionId: string): LiquidationStep | undefined {
    const p = this.positions.get(positionId);
    if (!p?.liquidation || p.triggeredAt === undefined) return undefined;
    const auctionId = auctionIdOf(positionId, p.triggeredAt);
    const pool = this.ledger.activePool(p.poolId);
    if (!pool || pool.reservations.has(auctionId) || this.auctions.has(auctionId)) return undefined;
    // At the feed's latest round: the pool decides whether it is still fresh enough to cite.
    const feed = this.ledger.feeds.get(pool.feed);
    if (feed?.status !== 'active' || !feed.price) return undefined;
    return { step: 'reserve', auctionId, positionId, poolId: p.poolId, round: feed.price.round };
  }

  private startStep(auctionId: string): LiquidationStep | undefined {
    if (this.auctions.has(auctionId)) return undefined;
    for (const pool of this.ledger.pools.values()) {
      const reservation = pool.status === 'active' ? pool.reservations.get(auctionId) : undefined;
      if (!reservation) continue;
      const liquidation = this.positions.get(reservation.positionId)?.liquidation;
      return { step: 'start', auctionId, positionId: reservation.positionId, ...(liquidation?.by === 'proof' ? { keeper: liquidation.liquidator } : {}) };
    }
    return undefined;
  }

  private settleStep(auctionId: string): LiquidationStep | undefined {
    const book = this.auctions.get(auctionId);
    if (!book?.settled || book.positionSettled || book.state.status === 'absent') return undefined;
    return { step: 'settle', auctionId, positionId: book.state.positionId, collateralSold: book.settled.sold, debtRepaid: book.settled.debtRepaid };
  }

  private accountStep(auctionId: string): LiquidationStep | undefined {
    const book = this.auctions.get(auctionId);
    if (!book?.settled || !book.positionSettled || book.state.status === 'absent') return undefined;
    return { step: 'account', auctionId, poolId: book.state.poolId, reserveIn: book.settled.reserveIn, keeperRewards: book.keeperRewards, badDebt: book.positionSettled.badDebt };
  }

  /** Auctions not yet seen through, optionally of one pool: running ones first. */
  auctionsOf(poolId?: string): RunningAuction[] {
    const found: RunningAuction[] = [];
    for (const { state } of this.auctions.values()) if (state.status !== 'absent' && (poolId === undefined || state.poolId === poolId)) found.push(state);
    return found.sort((a, b) => (a.status === b.status ? 0 : a.status === 'running' ? -1 : 1));
  }

  /** Liquidations under way, optionally of one pool. */
  underWay(poolId?: string): LiquidationUnderWay[] {
    const found: LiquidationUnderWay[] = [];
    for (const positionId of this.liquidating) {
      const p = this.positions.get(positionId)!;
      const liquidationId = liquidationIdOf(positionId, p.triggeredAt!);
      const proof = this.unproven.has(liquidationId) ? 'pending' : 'proven';
      if (poolId === undefined || p.poolId === poolId) found.push({ positionId, poolId: p.poolId, commitment: p.commitment, liquidation: p.liquidation!, liquidationId, proof });
    }
    return found;
  }

  /** Detected liquidations the ledger has not proven yet, oldest first. */
  awaitingProof(): ProofJob[] {
    return [...this.unproven.values()];
  }

  /** The proof job this event created: a liquidation the ledger just detected. */
  proofJobOf(stream: string, revision: bigint, event: LedgerEvent): ProofJob | undefined {
    if (event.type !== 'LiquidationTriggered' || event.by !== 'detection') return undefined;
    return this.unproven.get(liquidationIdOf(stream.slice('position-'.length), revision));
  }

  private poolsOnFeed(feed: string): string[] {
    return this.ledger.poolsOnFeed(feed);
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
