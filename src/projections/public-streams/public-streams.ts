/**
 * The public, size-free views integrators subscribe to, derived from the ledger's events. Pure: the
 * same history always derives the same public events, which is what lets a restarted projector skip
 * what it wrote before and write nothing twice.
 *
 * - `public-prices`: every feed's quorum and oracle keys, every accepted price with the quorum's signed
 *   reports it is the median of, and liquidations paused or resumed on a feed. Prices are public
 *   anyway; with the reports and keys anyone can check each round's price.
 * - `public-liquidations`: positions triggered and settled, by id and commitment with a health band,
 *   each with its zero-knowledge proof: a liquidator's with its trigger, the ledger's own proof of a
 *   detection as `LiquidationProven` after it. With the verification key and `public-prices`, anyone
 *   can check every liquidation (src/zk/public-verifier.ts) without learning a position's size.
 * - `public-auctions`: auctions started, reset, taken and ended, with their prices per unit of collateral.
 * - `public-pool-state-<pool>`: a pool's size-free state (price and round, borrow index, open positions,
 *   whether liquidations are paused), published on the pool's own events (price, interest, parameters,
 *   accounting, pauses), never on a position's, so two consecutive states do not single out one
 *   position's change.
 *
 * No amount of a position appears: no collateral, debt, lot, tab, bid or sum raised. Nor does any sum of
 * a pool (total collateral or debt, reserve, socialized loss): with few positions in a pool, its totals,
 * or a change in them, are one position's amounts. They are for admins and auditors only
 * (`POOL_TOTAL_READERS`, `GET /pools/:id`).
 */
import { AuctionEvent } from '../../domain/auction/auction';
import { LedgerEvent, ledgerStreamOf } from '../../domain/events';
import { indexAt } from '../../domain/interest/stability-fee';
import { formatDecimal } from '../../domain/math/decimal';
import { WAD_DECIMALS } from '../../domain/math/fixed-point';
import { FeedEvent, FeedState, feedStream } from '../../domain/oracle/feed';
import { PoolEvent, poolStream } from '../../domain/pool/pool';
import { LedgerState } from '../../domain/ledger-state';
import { AUCTIONS_STREAM, LIQUIDATIONS_STREAM, poolStateStream, PRICES_STREAM } from './public-stream-protocol';
import { PositionEvent } from '../../domain/position/position';
import { LiquidationProofEvent } from '../../domain/liquidation/detected-liquidation-proof';
import { HealthBand } from '../../domain/risk/position-risk';
import { healthOf } from '../../domain/risk/position-health';

/** What a public event's body holds: JSON (bigints as decimal strings). */
export type PublicValue = string | number | boolean | PublicValue[] | { [key: string]: PublicValue };

/** One public event: the stream it goes to, its type, and a JSON body. */
export interface PublicEvent {
  stream: string;
  type: string;
  data: Record<string, PublicValue>;
}

interface PositionAggregate {
  poolId: string;
  collateral: bigint;
  scaledDebt: bigint;
  open: boolean;
}

/** The ledger as far as the public views need it: pools and feeds folded once (LedgerState), and a lean view of positions. */
export class PublicStreams {
  private readonly ledger = new LedgerState(['pool', 'oracle']);
  /** Each position's balances, for its health band when it is liquidated. */
  private readonly positions = new Map<string, PositionAggregate>();
  /** How many positions each pool has open: a count, the one aggregate of positions the pool state publishes. */
  private readonly openPositions = new Map<string, number>();
  private readonly auctionPools = new Map<string, string>();

  /** Folds one ledger event in and returns the public events it derives, in order. */
  apply(stream: string, event: LedgerEvent, at: bigint): PublicEvent[] {
    const { kind, id } = ledgerStreamOf(stream);
    switch (kind) {
      case 'oracle':
        return this.onFeed(id, event as FeedEvent);
      case 'pool':
        return this.onPool(id, event as PoolEvent, at);
      case 'position':
        return this.onPosition(id, event as PositionEvent, at);
      case 'auction':
        return this.onAuction(id, event as AuctionEvent);
      case 'proof':
        return this.onProof(event as LiquidationProofEvent);
      default:
        return [];
    }
  }

  private onFeed(feed: string, event: FeedEvent): PublicEvent[] {
    const state = this.ledger.apply(feedStream(feed), [event]) as FeedState;
    const derived: PublicEvent[] = [];
    switch (event.type) {
      case 'FeedRegistered':
        return [{ stream: PRICES_STREAM, type: 'FeedRegistered', data: { feed, quorum: event.quorum, heartbeatSeconds: event.heartbeatSeconds } }];
      case 'OracleKeyRegistered':
        return [{ stream: PRICES_STREAM, type: 'OracleKeyRegistered', data: { feed, oracle: event.oracle, publicKey: { x: event.publicKey.x.toString(), y: event.publicKey.y.toString() } } }];
      case 'OracleKeyRevoked':
        return [{ stream: PRICES_STREAM, type: 'OracleKeyRevoked', data: { feed, oracle: event.oracle } }];
      case 'PriceUpdated': {
        const round = state.status === 'active' ? state.rounds.find((r) => r.round === event.round) : undefined;
        const reports = (round?.reports ?? []).map((r) => ({
          oracle: r.oracle,
          price: r.price.toString(),
          timestamp: r.timestamp.toString(),
          signature: { r8x: r.signature.r8x.toString(), r8y: r.signature.r8y.toString(), s: r.signature.s.toString() },
        }));
        // `priceWad` is the median exactly, as a proof's price signal states it; `price` is the same in whole tokens.
        derived.push({ stream: PRICES_STREAM, type: 'PriceUpdated', data: { feed, round: event.round.toString(), price: formatDecimal(event.price, WAD_DECIMALS), priceWad: event.price.toString(), at: Number(event.at), reports } });
        break;
      }
      case 'LiquidationsPaused':
      case 'LiquidationsResumed':
        derived.push({ stream: PRICES_STREAM, type: event.type === 'LiquidationsPaused' ? 'FeedPaused' : 'FeedResumed', data: { feed, round: event.round.toString(), price: formatDecimal(event.price, WAD_DECIMALS) } });
        break;
      default:
        return [];
    }
    const at = state.status === 'active' && state.price ? state.price.at : 0n;
    for (const poolId of this.ledger.poolsOnFeed(feed)) derived.push(this.poolState(poolId, at));
    return derived;
  }

  private onPool(poolId: string, event: PoolEvent, at: bigint): PublicEvent[] {
    this.ledger.apply(poolStream(poolId), [event]);
    if (event.type === 'PoolCreated') this.openPositions.set(poolId, 0);
    // A reservation moves nothing a lender sees until its liquidation is accounted for.
    if (event.type === 'LiquidationReserved') return [];
    return [this.poolState(poolId, at)];
  }

  private onPosition(positionId: string, event: PositionEvent, at: bigint): PublicEvent[] {
    const before = this.positions.get(positionId);
    const poolId = event.type === 'PositionOpened' ? event.poolId : before?.poolId;
    if (poolId === undefined) return [];
    const after: PositionAggregate = { poolId, collateral: event.collateral, scaledDebt: event.scaledDebt, open: event.type !== 'PositionClosed' };
    this.positions.set(positionId, after);
    const open = this.openPositions.get(poolId);
    if (open !== undefined) this.openPositions.set(poolId, open + Number(after.open) - Number(before?.open ?? false));
    const commitment = event.commitment.toString();
    switch (event.type) {
      case 'LiquidationTriggered': {
        const base = { positionId, poolId, commitment, by: event.by, feed: event.feed, round: event.round.toString(), healthBand: this.bandOf(after, at), ...this.proofTerms(poolId, event, at) };
        const priced: Record<string, PublicValue> = event.price !== undefined ? { price: formatDecimal(event.price, WAD_DECIMALS) } : {};
        const proven: Record<string, PublicValue> = event.by === 'proof' ? { liquidator: event.liquidator, proof: event.proof as PublicValue, publicSignals: event.publicSignals } : {};
        return [{ stream: LIQUIDATIONS_STREAM, type: 'LiquidationTriggered', data: { ...base, ...priced, ...proven } }];
      }
      case 'LiquidationSettled':
        return [{ stream: LIQUIDATIONS_STREAM, type: 'LiquidationSettled', data: { positionId, poolId, auctionId: event.auctionId, commitment, healthBand: this.bandOf(after, at), badDebt: event.badDebt > 0n } }];
      default:
        return [];
    }
  }

  private onAuction(auctionId: string, event: AuctionEvent): PublicEvent[] {
    if (event.type === 'AuctionStarted') this.auctionPools.set(auctionId, event.poolId);
    const poolId = this.auctionPools.get(auctionId) ?? '';
    const price = (value: bigint) => formatDecimal(value, WAD_DECIMALS);
    const base = { auctionId, poolId };
    switch (event.type) {
      case 'AuctionStarted':
        return [{ stream: AUCTIONS_STREAM, type: 'AuctionStarted', data: { ...base, route: event.auction.route, curve: event.auction.curve, cutBps: event.auction.cutBps.toString(), stepSeconds: event.auction.stepSeconds.toString(), oraclePrice: price(event.price), top: price(event.top), at: Number(event.at) } }];
      case 'AuctionReset':
        return [{ stream: AUCTIONS_STREAM, type: 'AuctionReset', data: { ...base, round: event.round.toString(), oraclePrice: price(event.price), top: price(event.top), at: Number(event.at) } }];
      case 'CollateralTaken':
      case 'SoldToMarket':
        return [{ stream: AUCTIONS_STREAM, type: event.type, data: { ...base, price: price(event.price), at: Number(event.at) } }];
      case 'BidPlaced':
        return [{ stream: AUCTIONS_STREAM, type: 'BidPlaced', data: { ...base, deadline: Number(event.deadline), at: Number(event.at) } }];
      case 'AuctionWon':
      case 'AuctionSettled':
        return [{ stream: AUCTIONS_STREAM, type: event.type, data: { ...base, at: Number(event.at) } }];
      default:
        // Refunds name a bidder's deposit: an amount, and nothing an integrator needs.
        return [];
    }
  }

  /**
   * What a liquidation's proof must state besides the position: the pool's threshold and scales, and
   * the borrow index (the trigger's own for a detection; the ledger's at acceptance, which a liquidator's
   * proof may not exceed). Pool parameters: public, and no amount.
   */
  private proofTerms(poolId: string, event: Extract<PositionEvent, { type: 'LiquidationTriggered' }>, at: bigint): Record<string, PublicValue> {
    const pool = this.ledger.activePool(poolId);
    if (!pool) return {};
    const borrowIndex = event.by === 'detection' ? event.borrowIndex : indexAt(pool.interest, at > pool.interest.at ? at : pool.interest.at);
    return {
      thresholdBps: pool.parameters.liquidationThresholdBps.toString(),
      collateralDecimals: pool.collateral.decimals,
      debtDecimals: pool.debt.decimals,
      borrowIndex: formatDecimal(borrowIndex, 27),
    };
  }

  /** The ledger's proof of a detection: everything in it is public (its signals state no amount). */
  private onProof(event: LiquidationProofEvent): PublicEvent[] {
    const { liquidationId, positionId, poolId, feed } = event;
    return [
      {
        stream: LIQUIDATIONS_STREAM,
        type: 'LiquidationProven',
        data: { liquidationId, positionId, poolId, commitment: event.commitment.toString(), feed, round: event.round.toString(), price: formatDecimal(event.price, WAD_DECIMALS), proof: event.proof as PublicValue, publicSignals: event.publicSignals },
      },
    ];
  }

  private bandOf(position: PositionAggregate, at: bigint): HealthBand | 'unpriced' {
    const pool = this.ledger.activePool(position.poolId);
    if (!pool) return 'unpriced';
    const feed = this.ledger.feeds.get(pool.feed);
    const price = feed?.status === 'active' ? feed.price : undefined;
    if (!price) return 'unpriced';
    return healthOf(pool, position, price.value, indexAt(pool.interest, at)).band;
  }

  private poolState(poolId: string, at: bigint): PublicEvent {
    const pool = this.ledger.activePool(poolId);
    const openPositions = this.openPositions.get(poolId);
    if (!pool || openPositions === undefined) throw new Error(`pool ${poolId} has no state to publish`);
    const feed = this.ledger.feeds.get(pool.feed);
    const price = feed?.status === 'active' ? feed.price : undefined;
    const index = indexAt(pool.interest, at > pool.interest.at ? at : pool.interest.at);
    return {
      stream: poolStateStream(poolId),
      type: 'PoolStateChanged',
      data: {
        poolId,
        ...(price ? { price: formatDecimal(price.value, WAD_DECIMALS), priceRound: price.round.toString() } : {}),
        liquidationsPaused: pool.liquidationsPaused || (feed?.status === 'active' && feed.liquidationsPaused),
        borrowIndex: formatDecimal(index, 27),
        openPositions,
        at: Number(at),
      },
    };
  }
}
