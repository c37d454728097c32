/**
 * The auditor's fold: the history, command by command, through the same pure deciders the ledger ran.
 * Each recorded command (the events one command id appended to one stream) is turned back into the
 * command that caused it and decided again against the state the history had built up to it; the
 * result must be exactly the recorded events. That one check covers every command-time rule (LTV and
 * dust limits, fresh prices, oracle signatures, quorum medians and pauses, interest, rounding, the
 * commitment of every position event, the public signals of a liquidation proof, a detected trigger's
 * price, a liquidation's reservation under the pool's cap with its close factor and penalty, every
 * auction's curve price, take and settlement split, the settlement of the position and the pool's
 * accounting). Beside it: global nullifier uniqueness, collateral conservation per pool, and that each
 * settlement's bad debt is accounted for once. No I/O here; the proofs themselves are
 * collected for batch verification by the caller.
 */
import { isDeepStrictEqual } from 'node:util';
import { DomainError } from '../domain/decider';
import { LedgerEvent, ledgerEventCodec, ledgerStreamOf } from '../domain/events';
import { indexAt } from '../domain/interest/stability-fee';
import { parsePublicSignals, PublicSignalsError } from '../domain/liquidation/public-signals';
import { DetectedTrigger, detectedTriggerOf, LiquidationProofCommand, LiquidationProofEvent, liquidationProofDecider, LiquidationProofState } from '../domain/liquidation/detected-liquidation-proof';
import type { LedgerCommand } from '../domain/access/authority';
import { FeedCommand, feedDecider, FeedEvent, FeedState, feedStream, priceAt } from '../domain/oracle/feed';
import { ActivePool, activePool, PoolCommand, PoolContext, poolDecider, PoolEvent, PoolState, poolStream } from '../domain/pool/pool';
import { PositionCommand, positionDecider, PositionEvent, PositionState, positionStream } from '../domain/position/position';
import { AuctionCommand, auctionDecider, AuctionEvent, AuctionState } from '../domain/auction/auction';
import { AmmCommand, ammDecider, AmmEvent, AmmState } from '../domain/amm/amm';
import {
  debtUnderAuction,
  GLOBAL_LIQUIDATION_CAP_STREAM,
  GlobalLiquidationCapCommand,
  GlobalLiquidationCapEvent,
  globalLiquidationCapDecider,
  GlobalLiquidationCapState,
  GlobalLiquidationContext,
} from '../domain/liquidation/global-liquidation-cap';
import { collateralValueOf, debtOf, unitOf } from '../domain/risk/liquidation-rule';
import { formatDecimal } from '../domain/math/decimal';
import { healthBand, HealthBand, healthFactor } from '../domain/risk/position-risk';
import { AcceptedPrice, MAX_RISK_WINDOW, RiskContext } from '../domain/pool/risk-adjustment';

export interface Finding {
  /** What failed, e.g. COMMITMENT_MISMATCH, ORACLE_SIGNATURE_INVALID, CHAIN_BROKEN, PROOF_INVALID. */
  code: string;
  message: string;
  stream?: string;
  revision?: string;
  position?: string;
  eventId?: string;
}

/** One recorded event, decoded. */
export interface ReplayedEvent {
  stream: string;
  revision: bigint;
  position: bigint;
  id: string;
  event: LedgerEvent;
}

/** The events one command appended to one stream, with the ledger time it was decided at (Unix seconds). */
export interface RecordedCommand {
  stream: string;
  commandId: string;
  /** Who issued it, as its first event's metadata records (absent in histories from before it was). */
  principal?: string;
  /** The other streams its decision read, at which revision (its metadata's decidedOn; absent in older histories). */
  decidedOn?: Readonly<Record<string, string>>;
  now: bigint;
  events: ReplayedEvent[];
}

export interface ProofToVerify {
  at: ReplayedEvent;
  proof: unknown;
  publicSignals: string[];
}

export interface PoolLedger {
  collateralIn: bigint;
  collateralOut: bigint;
  drawn: bigint;
  repaid: bigint;
  liquidations: number;
  /** Debt written off when a liquidation left a position without collateral. */
  badDebt: bigint;
}

export interface TimelinePoint {
  /** Unix seconds. */
  at: bigint;
  poolId: string;
  price: bigint;
  /** Pool-wide health factor (WAD, rounded down): all collateral value × threshold / all debt. */
  healthFactor?: bigint;
  liquidations: number;
}

/**
 * How many recent states of the streams a decision reads (pools, feeds, positions) the replay keeps, by
 * revision: a command is decided again on the revisions its context read, which the live ledger reads
 * moments (a subscription's lag) before its append lands.
 */
const RECENT_CONTEXT_STATES = 2048;

const REFUSAL_NAMES: Record<string, string> = {
  BAD_SIGNATURE: 'ORACLE_SIGNATURE_INVALID',
  NULLIFIER_USED: 'NULLIFIER_REUSED',
  PRICE_NOT_ROUND_PRICE: 'PROOF_PRICE_NOT_ROUND_PRICE',
  PUBLIC_SIGNAL_MISMATCH: 'PROOF_SIGNALS_NOT_THE_LEDGERS',
  LIQUIDATION_NOT_FOUND: 'PROOF_OF_NO_DETECTED_LIQUIDATION',
};

export class LedgerReplay {
  readonly pools = new Map<string, PoolState>();
  readonly feeds = new Map<string, FeedState>();
  readonly positions = new Map<string, PositionState>();
  readonly auctions = new Map<string, AuctionState>();
  readonly amms = new Map<string, AmmState>();
  /** The ledger's settings streams by id (the global liquidation cap's). */
  private readonly settings = new Map<string, GlobalLiquidationCapState>();
  /** Liquidations the ledger detected, as their proof must state them, by liquidation id. */
  readonly detected = new Map<string, DetectedTrigger>();
  private readonly detectionProofs = new Map<string, LiquidationProofState>();
  /** Market swaps not yet matched by their auction's sale. */
  private readonly swaps = new Map<string, Extract<AmmEvent, { type: 'CollateralSwapped' }>>();
  readonly poolLedgers = new Map<string, PoolLedger>();
  readonly timeline: TimelinePoint[] = [];
  readonly proofs: ProofToVerify[] = [];
  readonly findings: Finding[] = [];
  commands = 0;
  private readonly nullifiers = new Map<bigint, ReplayedEvent>();
  /** Bad debt each settled liquidation wrote off, by auction, until its pool accounts for it. */
  private readonly writtenOff = new Map<string, bigint>();
  /** Liquidations whose bad debt the pool accounted for. */
  settlementsAccounted = 0;
  /** Per pool, the collateral and scaled debt of its open positions. */
  private readonly totals = new Map<string, { collateral: bigint; scaledDebt: bigint }>();
  /** Ledger time of the latest command folded. */
  private lastNow = 0n;
  /** Each feed's latest accepted prices, oldest first: what a risk proposal's forecast must have read. */
  private readonly acceptedPrices = new Map<string, AcceptedPrice[]>();

  /** Revision of each stream folded so far. */
  private readonly revisions = new Map<string, bigint>();
  /** States of context streams after each recent event, by `stream@revision`, oldest first. */
  private readonly recentStates = new Map<string, unknown>();

  /** Folds one recorded command, re-deciding it first when `check` is set. */
  apply(recorded: RecordedCommand, check = true): void {
    this.commands++;
    if (recorded.now > this.lastNow) this.lastNow = recorded.now;
    const { kind, id } = ledgerStreamOf(recorded.stream);
    if (kind === 'pool') this.applyPool(id, recorded, check);
    else if (kind === 'oracle') this.applyFeed(id, recorded, check);
    else if (kind === 'position') this.applyPosition(id, recorded, check);
    else if (kind === 'auction') this.applyAuction(id, recorded, check);
    else if (kind === 'amm') this.applyAmm(id, recorded, check);
    else if (kind === 'proof') this.applyProof(id, recorded, check);
    else if (kind === 'settings') this.applyGlobalCap(id, recorded, check);
    this.revisions.set(recorded.stream, recorded.events[recorded.events.length - 1].revision);
  }

  /**
   * Folds a stream that decisions read (a pool, a feed, a position, the settings) into `states`, and
   * remembers its state after each event (a live read may land between two events of one append), for
   * the commands decided on it before later events moved it.
   */
  private foldRead<State, Event>(states: Map<string, State>, id: string, evolve: (state: State, event: Event) => State, state: State, recorded: RecordedCommand): State {
    let i = 0;
    const next = this.fold<State, Event>((before, event) => {
      const after = evolve(before, event);
      const { stream, revision } = recorded.events[i++];
      this.recentStates.set(`${stream}@${revision}`, after);
      return after;
    }, state, recorded);
    for (const key of this.recentStates.keys()) {
      if (this.recentStates.size <= RECENT_CONTEXT_STATES) break;
      this.recentStates.delete(key);
    }
    states.set(id, next);
    return next;
  }

  /**
   * A context stream's state as the command's decision read it: at the revision its events record, or,
   * in histories from before that was recorded, as the history stands. A revision the history has not
   * reached yet, or one too far back to be a live read's, is a finding.
   */
  private contextRead<State>(states: Map<string, State>, id: string, stream: string, recorded: RecordedCommand): State | undefined {
    const read = recorded.decidedOn?.[stream];
    const current = this.revisions.get(stream) ?? -1n;
    if (read === undefined || read === current.toString()) return states.get(id);
    const revision = /^(-1|0|[1-9][0-9]{0,18})$/.test(read) ? BigInt(read) : undefined;
    if (revision === -1n && current >= 0n) return undefined; // read before the stream began
    const past = revision !== undefined && revision < current ? this.recentStates.get(`${stream}@${revision}`) : undefined;
    if (past !== undefined) return past as State;
    const why = revision === undefined ? 'which is no revision' : revision > current ? `which the history reaches only later (it is at ${current})` : 'too far back for a read the moment before';
    this.fail('CONTEXT_NOT_IN_HISTORY', `${recorded.events[0].event.type} says it was decided on ${stream}@${read}, ${why}`, recorded.events[0]);
    return states.get(id);
  }

  private applyPool(poolId: string, recorded: RecordedCommand, check: boolean): void {
    const state = this.pools.get(poolId) ?? poolDecider.initialState();
    const events = recorded.events.map((e) => e.event as PoolEvent);
    if (check) this.redecide(recorded, () => poolDecider.decide(poolCommandOf(events, recorded.now), state, this.poolContext(state, events[0], recorded)));
    this.foldRead(this.pools, poolId, poolDecider.evolve, state, recorded);
    for (const [i, e] of events.entries()) if (e.type === 'LiquidationAccounted') this.checkBadDebt(poolId, e.auctionId, e.badDebt, recorded.events[i]);
    if (events[0].type === 'PoolCreated') this.poolLedgers.set(poolId, { collateralIn: 0n, collateralOut: 0n, drawn: 0n, repaid: 0n, liquidations: 0, badDebt: 0n });
  }

  /**
   * A reservation is decided against its position, the pool's feed (the round it cites) and the global
   * cap with the debt under auction in every pool; a risk proposal against the feed's accepted prices as the history holds them; other pool commands need nothing.
   */
  private poolContext(pool: PoolState, first: PoolEvent, recorded: RecordedCommand): PoolContext | RiskContext | undefined {
    if (first.type === 'RiskParametersProposed' && pool.status === 'active') return { prices: this.acceptedPrices.get(pool.feed) ?? [] };
    if (first.type !== 'LiquidationReserved' || pool.status !== 'active') return undefined;
    return {
      position: this.contextRead(this.positions, first.positionId, positionStream(first.positionId), recorded) ?? { status: 'absent' },
      feed: this.contextRead(this.feeds, pool.feed, feedStream(pool.feed), recorded) ?? { status: 'absent' },
      global: this.globalContext(pool, recorded),
    };
  }

  /** The global cap a reservation was decided under, and the debt under auction in every pool as it read them. */
  private globalContext(pool: ActivePool, recorded: RecordedCommand): GlobalLiquidationContext | undefined {
    const { id } = ledgerStreamOf(GLOBAL_LIQUIDATION_CAP_STREAM);
    const cap = this.contextRead(this.settings, id, GLOBAL_LIQUIDATION_CAP_STREAM, recorded)?.cap;
    if (cap === undefined) return undefined;
    const pools: ActivePool[] = [pool];
    for (const other of this.pools.keys()) {
      const read = other === pool.poolId ? undefined : this.contextRead(this.pools, other, poolStream(other), recorded);
      if (read?.status === 'active') pools.push(read);
    }
    return { debtUnderAuction: debtUnderAuction(pools), cap };
  }

  private applyGlobalCap(id: string, recorded: RecordedCommand, check: boolean): void {
    const state = this.settings.get(id) ?? globalLiquidationCapDecider.initialState();
    if (check) this.redecide(recorded, () => globalLiquidationCapDecider.decide(globalCapCommandOf(recorded), state, undefined));
    this.foldRead(this.settings, id, globalLiquidationCapDecider.evolve, state, recorded);
  }

  private applyFeed(feedName: string, recorded: RecordedCommand, check: boolean): void {
    const state = this.feeds.get(feedName) ?? feedDecider.initialState();
    const events = recorded.events.map((e) => e.event as FeedEvent);
    if (check) this.redecide(recorded, () => feedDecider.decide(feedCommandOf(events, recorded.now), state, undefined));
    this.foldRead(this.feeds, feedName, feedDecider.evolve, state, recorded);
    const updated = events.find((e): e is Extract<FeedEvent, { type: 'PriceUpdated' }> => e.type === 'PriceUpdated');
    if (updated) {
      const prices = this.acceptedPrices.get(feedName) ?? [];
      prices.push({ round: updated.round, price: updated.price });
      // Trimmed now and then, not on every price: a long history stays linear to replay.
      if (prices.length > 2 * MAX_RISK_WINDOW) prices.splice(0, prices.length - MAX_RISK_WINDOW);
      this.acceptedPrices.set(feedName, prices);
      for (const [poolId, pool] of this.pools) {
        if (pool.status === 'active' && pool.feed === feedName) this.timeline.push(this.poolPoint(poolId, recorded.now, updated.price));
      }
    }
  }

  private applyPosition(positionId: string, recorded: RecordedCommand, check: boolean): void {
    const state = this.positions.get(positionId) ?? positionDecider.initialState();
    const events = recorded.events.map((e) => e.event as PositionEvent);
    const poolId = state.status === 'absent' ? (events[0].type === 'PositionOpened' ? events[0].poolId : undefined) : state.poolId;
    const pool = (poolId !== undefined && this.contextRead(this.pools, poolId, poolStream(poolId), recorded)) || { status: 'absent' as const };
    const feed: FeedState = (pool.status === 'active' && this.contextRead(this.feeds, pool.feed, feedStream(pool.feed), recorded)) || { status: 'absent' };
    const context = { pool, feed, price: priceAt(feed, recorded.now), now: recorded.now };
    if (check) {
      this.redecide(recorded, () => events.flatMap((e) => positionDecider.decide(positionCommandOf(e), state, context)));
    }
    const next = this.foldRead(this.positions, positionId, positionDecider.evolve, state, recorded);
    if (poolId !== undefined) this.moveTotals(poolId, state, next);
    const ledger = poolId !== undefined ? this.poolLedgers.get(poolId) : undefined;
    for (const [i, e] of events.entries()) {
      if (ledger) account(ledger, e);
      if (e.type === 'LiquidationSettled') this.writtenOff.set(e.auctionId, e.badDebt);
      if (e.type === 'LiquidationTriggered' && e.by === 'detection' && pool.status === 'active') {
        const trigger = detectedTriggerOf(e, recorded.events[i].revision, pool);
        this.detected.set(trigger.liquidationId, trigger);
      }
      if (e.type === 'LiquidationTriggered' && e.by === 'proof') {
        const at = recorded.events[i];
        // A retired-circuit proof (no price) is a finding of its own (positionCommandOf); today's key cannot verify it.
        if (e.price !== undefined) this.proofs.push({ at, proof: e.proof, publicSignals: e.publicSignals });
        const first = this.nullifiers.get(e.nullifier);
        if (first) this.fail('NULLIFIER_REUSED', `nullifier ${e.nullifier} was already used by ${first.stream}@${first.revision}`, at);
        else this.nullifiers.set(e.nullifier, at);
      }
    }
  }

  /** The pool must account for exactly the bad debt the position's settlement wrote off, once. */
  private checkBadDebt(poolId: string, auctionId: string, accounted: bigint, at: ReplayedEvent): void {
    const written = this.writtenOff.get(auctionId);
    const pool = this.pools.get(poolId);
    const debt = (amount: bigint) => (pool?.status === 'active' ? formatDecimal(amount, pool.debt.decimals) : amount.toString());
    if (written === undefined) this.fail('BAD_DEBT_MISMATCH', `the pool accounts for auction ${auctionId}, which no position settlement recorded (or it was accounted already)`, at);
    else if (written !== accounted) this.fail('BAD_DEBT_MISMATCH', `the pool accounts ${debt(accounted)} of bad debt for auction ${auctionId}; the position wrote off ${debt(written)}`, at);
    this.writtenOff.delete(auctionId);
    this.settlementsAccounted++;
  }

  /** An auction's start (its terms, from the pool's reservation), takes (the curve's price, what was owed) and resets, re-decided. */
  private applyAuction(auctionId: string, recorded: RecordedCommand, check: boolean): void {
    const state = this.auctions.get(auctionId) ?? auctionDecider.initialState();
    const events = recorded.events.map((e) => e.event as AuctionEvent);
    const first = events[0];
    const positionId = first.type === 'AuctionStarted' ? first.positionId : state.status !== 'absent' ? state.positionId : undefined;
    const poolId = first.type === 'AuctionStarted' ? first.poolId : state.status !== 'absent' ? state.poolId : undefined;
    const pool = (poolId !== undefined && this.contextRead(this.pools, poolId, poolStream(poolId), recorded)) || { status: 'absent' as const };
    const feed: FeedState = (pool.status === 'active' && this.contextRead(this.feeds, pool.feed, feedStream(pool.feed), recorded)) || { status: 'absent' };
    const position = (positionId !== undefined && this.contextRead(this.positions, positionId, positionStream(positionId), recorded)) || { status: 'absent' as const };
    if (check) this.redecide(recorded, () => auctionDecider.decide(auctionCommandOf(events), state, { position, pool, feed, now: recorded.now }));
    // A market sale must be exactly the market's swap for this auction.
    if (first.type === 'SoldToMarket') {
      const swap = this.swaps.get(auctionId);
      if (!swap || swap.collateralIn !== first.collateral || swap.debtOut !== first.paid) {
        this.fail('MARKET_SALE_MISMATCH', `auction ${auctionId} records a market sale the pool market's swaps do not`, recorded.events[0]);
      }
      this.swaps.delete(auctionId);
    }
    this.auctions.set(auctionId, this.fold(auctionDecider.evolve, state, recorded));
  }

  /** A pool market's liquidity and swaps, re-decided; each swap is remembered for the auction that sold through it. */
  private applyAmm(poolId: string, recorded: RecordedCommand, check: boolean): void {
    const state = this.amms.get(poolId) ?? ammDecider.initialState();
    const [first] = recorded.events.map((e) => e.event as AmmEvent);
    const command = ammCommandOf(first);
    if (check) this.redecide(recorded, () => ammDecider.decide(command, state, undefined));
    this.amms.set(poolId, this.fold(ammDecider.evolve, state, recorded));
    if (first.type === 'CollateralSwapped') this.swaps.set(first.auctionId, first);
  }

  /**
   * The ledger's proof of a detection: re-decided against the trigger it names (every public signal is
   * the trigger's), and verified in the batch with the liquidators' proofs.
   */
  private applyProof(liquidationId: string, recorded: RecordedCommand, check: boolean): void {
    const state = this.detectionProofs.get(liquidationId) ?? liquidationProofDecider.initialState();
    const [first] = recorded.events.map((e) => e.event as LiquidationProofEvent);
    if (check) {
      const command = commandOf(recorded) as LiquidationProofCommand;
      this.redecide(recorded, () => liquidationProofDecider.decide(command, state, { trigger: this.detected.get(liquidationId) }));
    }
    this.detectionProofs.set(liquidationId, this.fold(liquidationProofDecider.evolve, state, recorded));
    this.proofs.push({ at: recorded.events[0], proof: first.proof, publicSignals: first.publicSignals });
  }

  /** Detected liquidations whose proof the history holds, and those still without one (the prover lags, or stopped). */
  detectionProofCounts(): { proven: number; pending: number } {
    const proven = [...this.detected.keys()].filter((id) => this.detectionProofs.get(id)?.status === 'proven').length;
    return { proven, pending: this.detected.size - proven };
  }

  /** Evolves through the recorded events; a history that cannot even be folded keeps the state before it. */
  private fold<State, Event>(evolve: (state: State, event: Event) => State, state: State, recorded: RecordedCommand): State {
    try {
      return recorded.events.reduce((s, e) => evolve(s, e.event as Event), state);
    } catch (err) {
      this.fail('UNFOLDABLE', `${recorded.events[0].event.type} cannot follow the stream's earlier events: ${(err as Error).message}`, recorded.events[0]);
      return state;
    }
  }

  /** Decides the command again and compares; a refusal or a difference is a finding on the command's first event. */
  private redecide(recorded: RecordedCommand, decide: () => LedgerEvent[]): void {
    const at = recorded.events[0];
    let decided: LedgerEvent[];
    try {
      decided = decide();
    } catch (err) {
      if (err instanceof DomainError) this.fail(REFUSAL_NAMES[err.code] ?? 'RULE_BROKEN', `the rules refuse what ${at.event.type} records: ${err.code}: ${err.message}`, at);
      else this.fail('RESULT_DIFFERS', `${at.event.type} cannot be decided again: ${(err as Error).message}`, at);
      return;
    }
    const recordedData = recorded.events.map((e) => ledgerEventCodec.encode(e.event));
    const decidedData = decided.map((e) => ledgerEventCodec.encode(e));
    if (isDeepStrictEqual(recordedData, decidedData)) return;
    const i = recordedData.findIndex((r, k) => !isDeepStrictEqual(r, decidedData[k]));
    const where = recorded.events[Math.max(0, i)] ?? at;
    const fields = differingFields(recordedData[i]?.data, decidedData[i]?.data);
    const code = at.event.type.startsWith('RiskParameters')
      ? 'RISK_ADJUSTMENT_MISMATCH'
      : recordedData.length !== decidedData.length || recordedData[i]?.type !== decidedData[i]?.type
        ? 'RESULT_DIFFERS'
        : fields.includes('commitment')
          ? 'COMMITMENT_MISMATCH'
          : where.event.type === 'PriceUpdated' && fields.includes('price')
            ? 'MEDIAN_MISMATCH'
            : 'RESULT_DIFFERS';
    this.fail(code, `${where.event.type} differs from what the rules produce${fields.length ? ` in ${fields.join(', ')}` : ''}`, where);
  }

  fail(code: string, message: string, at?: { stream: string; revision: bigint; position: bigint; id: string }): void {
    this.findings.push({ code, message, ...(at ? { stream: at.stream, revision: at.revision.toString(), position: at.position.toString(), eventId: at.id } : {}) });
  }

  /** A pool's totals and positions by health band, valued at its feed's last price and the index at `now`. */
  poolView(poolId: string, now: bigint) {
    const pool = this.pools.get(poolId);
    if (!pool || pool.status !== 'active') return undefined;
    const feed = this.feeds.get(pool.feed);
    const price = feed?.status === 'active' ? feed.price : undefined;
    const index = indexAt(pool.interest, now);
    const bands: Record<HealthBand, number> = { liquidatable: 0, atRisk: 0, watch: 0, safe: 0, noDebt: 0 };
    let collateral = 0n;
    let scaledDebt = 0n;
    let openPositions = 0;
    for (const p of this.positions.values()) {
      if (p.status !== 'open' || p.poolId !== poolId) continue;
      openPositions++;
      collateral += p.collateral;
      scaledDebt += p.scaledDebt;
      if (price) {
        const value = collateralValueOf(p.collateral, price.value, unitOf(pool.collateral.decimals), unitOf(pool.debt.decimals));
        bands[healthBand(value, debtOf(p.scaledDebt, index), pool.parameters.liquidationThresholdBps)]++;
      }
    }
    return { pool, price, index, collateral, debt: debtOf(scaledDebt, index), openPositions, bands: price ? bands : undefined, ledger: this.poolLedgers.get(poolId) };
  }

  /**
   * Per pool: collateral in = collateral out + collateral held; and no debt vanished: what was drawn is
   * at most what is still owed (interest only adds, every rounding is the pool's) plus what was repaid
   * and what was written off as bad debt.
   */
  checkConservation(): void {
    for (const [poolId, ledger] of this.poolLedgers) {
      const pool = this.pools.get(poolId);
      if (pool?.status !== 'active') continue;
      // Whole tokens, exact to the last unit, as every outward surface tells amounts.
      const collateral = (amount: bigint) => formatDecimal(amount, pool.collateral.decimals);
      const debt = (amount: bigint) => formatDecimal(amount, pool.debt.decimals);
      let held = 0n;
      for (const p of this.positions.values()) if (p.status !== 'absent' && p.poolId === poolId) held += p.collateral;
      if (ledger.collateralIn !== ledger.collateralOut + held) {
        this.fail('COLLATERAL_NOT_CONSERVED', `pool ${poolId}: ${collateral(ledger.collateralIn)} deposited ≠ ${collateral(ledger.collateralOut)} returned + ${collateral(held)} held`);
      }
      const totals = this.totals.get(poolId);
      if (totals) {
        const owed = debtOf(totals.scaledDebt, indexAt(pool.interest, this.lastNow));
        if (ledger.drawn > owed + ledger.repaid + ledger.badDebt) {
          this.fail('DEBT_NOT_CONSERVED', `pool ${poolId}: ${debt(ledger.drawn)} drawn > ${debt(owed)} owed + ${debt(ledger.repaid)} repaid + ${debt(ledger.badDebt)} written off`);
        }
      }
    }
  }

  /** Keeps each pool's open collateral and scaled debt as positions change, so a price point costs no scan. */
  private moveTotals(poolId: string, before: PositionState, after: PositionState): void {
    const totals = this.totals.get(poolId) ?? { collateral: 0n, scaledDebt: 0n };
    const open = (p: PositionState) => (p.status === 'open' ? p : { collateral: 0n, scaledDebt: 0n });
    totals.collateral += open(after).collateral - open(before).collateral;
    totals.scaledDebt += open(after).scaledDebt - open(before).scaledDebt;
    this.totals.set(poolId, totals);
  }

  private poolPoint(poolId: string, now: bigint, price: bigint): TimelinePoint {
    const pool = activePool(this.pools.get(poolId)!);
    const totals = this.totals.get(poolId) ?? { collateral: 0n, scaledDebt: 0n };
    const value = collateralValueOf(totals.collateral, price, unitOf(pool.collateral.decimals), unitOf(pool.debt.decimals));
    const hf = healthFactor(value, debtOf(totals.scaledDebt, indexAt(pool.interest, now)), pool.parameters.liquidationThresholdBps);
    return { at: now, poolId, price, ...(hf !== undefined ? { healthFactor: hf } : {}), liquidations: this.poolLedgers.get(poolId)?.liquidations ?? 0 };
  }
}

function account(ledger: PoolLedger, e: PositionEvent): void {
  switch (e.type) {
    case 'CollateralDeposited':
      ledger.collateralIn += e.amount;
      break;
    case 'CollateralWithdrawn':
      ledger.collateralOut += e.amount;
      break;
    case 'PositionClosed':
      ledger.collateralOut += e.collateralReturned;
      break;
    case 'LiquidationSettled':
      // Sold at auction: it leaves the pool to the takers, as a withdrawal would.
      ledger.collateralOut += e.collateralSold;
      ledger.repaid += e.debtRepaid;
      ledger.badDebt += e.badDebt;
      break;
    case 'DebtDrawn':
      ledger.drawn += e.amount;
      break;
    case 'DebtRepaid':
      ledger.repaid += e.amount;
      break;
    case 'LiquidationTriggered':
      ledger.liquidations++;
      break;
  }
}

/**
 * The command that recorded these events, as the replay re-decides it; undefined for events that are
 * no command's (the re-decision reports those).
 */
export function commandOf(recorded: RecordedCommand): LedgerCommand | undefined {
  const events = recorded.events.map((e) => e.event);
  const first = events[0];
  try {
    switch (ledgerStreamOf(recorded.stream).kind) {
      case 'pool':
        return poolCommandOf(events as PoolEvent[], recorded.now);
      case 'oracle':
        return feedCommandOf(events as FeedEvent[], recorded.now);
      case 'position':
        return positionCommandOf(first as PositionEvent);
      case 'auction':
        return auctionCommandOf(events as AuctionEvent[]);
      case 'amm':
        return ammCommandOf(first as AmmEvent);
      case 'proof': {
        const { proof, publicSignals } = first as LiquidationProofEvent;
        return { type: 'ProveDetectedLiquidation', proof, publicSignals, proofVerified: true };
      }
      case 'settings':
        return globalCapCommandOf(recorded);
    }
  } catch {
    // Not a command's events: the re-decision says why.
  }
  return undefined;
}

/** The command that set the global liquidation cap as recorded. */
function globalCapCommandOf(recorded: RecordedCommand): GlobalLiquidationCapCommand {
  const { cap } = recorded.events[0].event as GlobalLiquidationCapEvent;
  return { type: 'SetGlobalLiquidationCap', ...(cap !== undefined ? { cap } : {}), now: recorded.now };
}

/** The pool command that appends these events. */
function poolCommandOf(events: PoolEvent[], now: bigint): PoolCommand {
  const [first, second] = events;
  switch (first.type) {
    case 'PoolCreated': {
      const { poolId, collateral, debt, feed, parameters } = first;
      return { type: 'CreatePool', poolId, collateral, debt, feed, parameters, now };
    }
    case 'InterestAccrued':
      return second?.type === 'PoolParametersChanged' ? { type: 'ChangePoolParameters', changes: second.changes, now } : { type: 'AccrueInterest', now };
    case 'PoolParametersChanged':
      return { type: 'ChangePoolParameters', changes: first.changes, now };
    case 'LiquidationAccounted':
      return { type: 'AccountLiquidation', auctionId: first.auctionId, reserveIn: first.reserveIn, keeperRewards: first.keeperRewards, badDebt: first.badDebt, now };
    case 'LiquidationReserved':
      return { type: 'ReserveLiquidation', auctionId: first.auctionId, positionId: first.positionId, round: first.round, now };
    case 'PoolLiquidationsPaused':
      return { type: 'PauseLiquidations', now };
    case 'PoolLiquidationsResumed':
      return { type: 'ResumeLiquidations', now };
    case 'RiskEngineConfigured':
      return { type: 'ConfigureRiskEngine', settings: first.settings, now };
    case 'RiskParametersProposed':
      return { type: 'ProposeRiskParameters', proposalId: first.proposalId, round: first.round, now };
    case 'RiskParametersApplied':
      return { type: 'ApplyRiskParameters', proposalId: first.proposalId, now };
  }
}

/** The auction command that appends these events. */
function auctionCommandOf(events: AuctionEvent[]): AuctionCommand {
  const [first] = events;
  switch (first.type) {
    case 'AuctionStarted':
      return { type: 'StartAuction', auctionId: first.auctionId, positionId: first.positionId, ...(first.keeper !== undefined ? { keeper: first.keeper } : {}) };
    case 'CollateralTaken':
      return { type: 'TakeCollateral', taker: first.taker, collateral: first.asked, maxPrice: first.maxPrice };
    case 'AuctionReset':
      return { type: 'ResetAuction', keeper: first.keeper, round: first.round };
    case 'SoldToMarket':
      return { type: 'SellToMarket', collateral: first.collateral, paid: first.paid, price: first.price };
    case 'BidRefunded':
    case 'BidPlaced': {
      // An outbid bidder's refund comes first, in the same command as the bid that outbid it.
      const placed = events.find((e): e is Extract<AuctionEvent, { type: 'BidPlaced' }> => e.type === 'BidPlaced');
      if (!placed) throw new DomainError('RESULT_DIFFERS', 'a refund without the bid that caused it');
      return { type: 'PlaceBid', bidder: placed.bidder, amount: placed.amount };
    }
    case 'AuctionWon':
      return { type: 'CloseAuction' };
    case 'AuctionSettled':
      throw new DomainError('RESULT_DIFFERS', 'AuctionSettled only ever follows the take that settles the auction');
  }
}

function ammCommandOf(first: AmmEvent): AmmCommand {
  return first.type === 'LiquidityAdded'
    ? { type: 'AddLiquidity', poolId: first.poolId, collateralUnit: first.collateralUnit, debtUnit: first.debtUnit, collateral: first.collateral, debt: first.debt }
    : { type: 'SwapCollateral', auctionId: first.auctionId, collateral: first.collateralIn, wanted: first.debtOut };
}

function feedCommandOf(events: FeedEvent[], now: bigint): FeedCommand {
  const [first] = events;
  switch (first.type) {
    case 'FeedRegistered': {
      const { type: _, ...feed } = first;
      return { type: 'RegisterFeed', ...feed };
    }
    case 'OracleKeyRegistered':
      return { type: 'RegisterOracleKey', oracle: first.oracle, publicKey: first.publicKey };
    case 'OracleKeyRevoked':
      return { type: 'RevokeOracleKey', oracle: first.oracle };
    case 'PriceReportAccepted':
      return { type: 'SubmitPriceReport', oracle: first.oracle, round: first.round, price: first.price, timestamp: first.timestamp, signature: first.signature, now };
    default:
      // PriceUpdated and pauses only ever follow an accepted report in the same command.
      throw new DomainError('RESULT_DIFFERS', `${first.type} is not the first event of any feed command`);
  }
}

/** The position command behind one event (each position command appends exactly one). */
function positionCommandOf(e: PositionEvent): PositionCommand {
  switch (e.type) {
    case 'PositionOpened':
      return { type: 'OpenPosition', positionId: e.positionId, poolId: e.poolId, owner: e.owner, salt: e.salt };
    case 'CollateralDeposited':
      return { type: 'DepositCollateral', amount: e.amount, salt: e.salt };
    case 'CollateralWithdrawn':
      return { type: 'WithdrawCollateral', amount: e.amount, salt: e.salt };
    case 'DebtDrawn':
      return { type: 'DrawDebt', amount: e.amount, salt: e.salt };
    case 'DebtRepaid':
      return { type: 'RepayDebt', amount: e.amount, salt: e.salt };
    case 'PositionClosed':
      return { type: 'ClosePosition', salt: e.salt };
    case 'LiquidationSettled':
      return { type: 'SettleLiquidation', auctionId: e.auctionId, collateralSold: e.collateralSold, debtRepaid: e.debtRepaid, salt: e.salt };
    case 'LiquidationTriggered':
      if (e.by === 'detection') return { type: 'DetectLiquidation', round: e.round, salt: e.salt };
      // A proof of the retired circuit (schema v2) cited one oracle's report and binds no round price.
      if (e.price === undefined) throw new DomainError('PRICE_NOT_ROUND_PRICE', "the proof is of the retired circuit, which binds one oracle's report, not the round's accepted price");
      // The proof is verified in a batch apart; here, whether its public signals are the ledger's.
      return { type: 'TriggerLiquidation', liquidator: e.liquidator, proof: e.proof, publicSignals: e.publicSignals, signals: signalsOf(e.publicSignals), proofVerified: true, salt: e.salt };
  }
}

function signalsOf(publicSignals: string[]) {
  try {
    return parsePublicSignals(publicSignals);
  } catch (err) {
    if (err instanceof PublicSignalsError) throw new DomainError('INVALID_PUBLIC_SIGNALS', err.message);
    throw err;
  }
}

function differingFields(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] {
  if (!a || !b) return [];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !isDeepStrictEqual(a[k], b[k]));
}
