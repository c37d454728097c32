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
import { ContextLookup, contextFrom } from '../domain/aggregate';
import { aggregateOfStream } from '../domain/aggregates';
import { LedgerState } from '../domain/ledger-state';
import { LedgerEvent, ledgerEventCodec } from '../domain/events';
import { indexAt } from '../domain/interest/stability-fee';
import { DetectedTrigger, detectedTriggerOf, LiquidationProofEvent } from '../domain/liquidation/detected-liquidation-proof';
import type { LedgerCommand } from '../domain/access/authority';
import { FeedEvent, FeedState, feedStream } from '../domain/oracle/feed';
import { ActivePool, activePool, PoolEvent, PoolState, poolStream } from '../domain/pool/pool';
import { PositionEvent, PositionState, positionStream } from '../domain/position/position';
import { AuctionEvent } from '../domain/auction/auction';
import { AmmEvent } from '../domain/amm/amm';
import { GLOBAL_LIQUIDATION_CAP_STREAM } from '../domain/liquidation/global-liquidation-cap';
import { GLOBAL_LIQUIDATION_CAP_ID } from '../domain/liquidation/global-liquidation-cap-aggregate';
import { debtOf } from '../domain/risk/liquidation-rule';
import { healthOf } from '../domain/risk/position-health';
import { formatDecimal } from '../domain/math/decimal';
import { HealthBand } from '../domain/risk/position-risk';
import { AcceptedPrice, MAX_RISK_WINDOW } from '../domain/pool/risk-adjustment';

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
  /** Every aggregate's state, folded once through the aggregate table. */
  readonly ledger = new LedgerState();
  /** Liquidations the ledger detected, as their proof must state them, by liquidation id. */
  readonly detected = new Map<string, DetectedTrigger>();
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

  get pools(): ReadonlyMap<string, PoolState> {
    return this.ledger.pools;
  }

  get feeds(): ReadonlyMap<string, FeedState> {
    return this.ledger.feeds;
  }

  get positions(): ReadonlyMap<string, PositionState> {
    return this.ledger.positions;
  }

  /**
   * Folds one recorded command, re-deciding it first when `check` is set: the command its events came
   * from (the aggregate's `commandOf`), on the state before them, in the context its `contextOf` reads
   * from the history as the live decision read it.
   */
  apply(recorded: RecordedCommand, check = true): void {
    this.commands++;
    if (recorded.now > this.lastNow) this.lastNow = recorded.now;
    const aggregate = aggregateOfStream(recorded.stream);
    if (!aggregate) return;
    const { spec, id } = aggregate;
    const state = this.ledger.stateOf(spec, id);
    const events = recorded.events.map((e) => e.event);
    if (check) {
      this.redecide(recorded, () => {
        const command = spec.commandOf(events, recorded.now);
        return spec.decider.decide(command, state, contextFrom(spec.contextOf(command, state, { id, now: recorded.now }), this.lookupAt(recorded)));
      });
    }
    const next = this.fold(recorded) ?? state;
    if (spec.kind === 'pool') this.appliedPool(id, events as PoolEvent[], recorded);
    else if (spec.kind === 'oracle') this.appliedFeed(id, events as FeedEvent[], recorded);
    else if (spec.kind === 'position') this.appliedPosition(state as PositionState, next as PositionState, recorded);
    else if (spec.kind === 'auction') this.appliedAuction(id, events as AuctionEvent[], recorded);
    else if (spec.kind === 'amm') this.appliedAmm(events as AmmEvent[]);
    else if (spec.kind === 'proof') this.appliedProof(events as LiquidationProofEvent[], recorded);
    this.revisions.set(recorded.stream, recorded.events[recorded.events.length - 1].revision);
  }

  /** The ledger as a decision recorded here read it: each stream at the revision its events name. */
  private lookupAt(recorded: RecordedCommand): ContextLookup {
    const absent = { status: 'absent' } as const;
    return {
      pool: (poolId) => this.contextRead(this.pools, poolId, poolStream(poolId), recorded) ?? absent,
      feed: (feed) => this.contextRead(this.feeds, feed, feedStream(feed), recorded) ?? absent,
      position: (positionId) => this.contextRead(this.positions, positionId, positionStream(positionId), recorded) ?? absent,
      globalLiquidationCap: () => this.contextRead(this.ledger.settings, GLOBAL_LIQUIDATION_CAP_ID, GLOBAL_LIQUIDATION_CAP_STREAM, recorded) ?? {},
      activePools: () => [...this.pools.keys()].map((poolId) => this.contextRead(this.pools, poolId, poolStream(poolId), recorded)).filter((pool): pool is ActivePool => pool?.status === 'active'),
      acceptedPrices: (feed) => this.acceptedPrices.get(feed) ?? [],
      detectedLiquidation: (liquidationId) => this.detected.get(liquidationId),
    };
  }

  /**
   * Folds the command's events into the ledger's state, and remembers each stream's state after each
   * event (a live read may land between two events of one append) for the commands decided on it before
   * later events moved it. A history that cannot even be folded keeps the state before it: a finding.
   */
  private fold(recorded: RecordedCommand): unknown {
    try {
      const folded = this.ledger.apply(recorded.stream, recorded.events.map((e) => e.event), (after, i) => {
        const { stream, revision } = recorded.events[i];
        this.recentStates.set(`${stream}@${revision}`, after);
      });
      for (const key of this.recentStates.keys()) {
        if (this.recentStates.size <= RECENT_CONTEXT_STATES) break;
        this.recentStates.delete(key);
      }
      return folded;
    } catch (err) {
      this.fail('UNFOLDABLE', `${recorded.events[0].event.type} cannot follow the stream's earlier events: ${(err as Error).message}`, recorded.events[0]);
      return undefined;
    }
  }

  /**
   * A context stream's state as the command's decision read it: at the revision its events record, or,
   * in histories from before that was recorded, as the history stands. A revision the history has not
   * reached yet, or one too far back to be a live read's, is a finding.
   */
  private contextRead<State>(states: ReadonlyMap<string, State>, id: string, stream: string, recorded: RecordedCommand): State | undefined {
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

  private appliedPool(poolId: string, events: PoolEvent[], recorded: RecordedCommand): void {
    for (const [i, e] of events.entries()) if (e.type === 'LiquidationAccounted') this.checkBadDebt(poolId, e.auctionId, e.badDebt, recorded.events[i]);
    if (events[0].type === 'PoolCreated') this.poolLedgers.set(poolId, { collateralIn: 0n, collateralOut: 0n, drawn: 0n, repaid: 0n, liquidations: 0, badDebt: 0n });
  }

  /** An accepted price: what a risk proposal's forecast reads, and a point on each of the feed's pools' timelines. */
  private appliedFeed(feedName: string, events: FeedEvent[], recorded: RecordedCommand): void {
    const updated = events.find((e): e is Extract<FeedEvent, { type: 'PriceUpdated' }> => e.type === 'PriceUpdated');
    if (!updated) return;
    const prices = this.acceptedPrices.get(feedName) ?? [];
    prices.push({ round: updated.round, price: updated.price });
    // Trimmed now and then, not on every price: a long history stays linear to replay.
    if (prices.length > 2 * MAX_RISK_WINDOW) prices.splice(0, prices.length - MAX_RISK_WINDOW);
    this.acceptedPrices.set(feedName, prices);
    for (const [poolId, pool] of this.pools) {
      if (pool.status === 'active' && pool.feed === feedName) this.timeline.push(this.poolPoint(poolId, recorded.now, updated.price));
    }
  }

  /** A position's change in its pool's totals and accounts, the liquidations it detected, and each proof's nullifier, once. */
  private appliedPosition(before: PositionState, after: PositionState, recorded: RecordedCommand): void {
    const opened = before.status !== 'absent' ? before : after.status !== 'absent' ? after : undefined;
    if (!opened) return;
    const { poolId } = opened;
    this.moveTotals(poolId, before, after);
    const ledger = this.poolLedgers.get(poolId);
    for (const at of recorded.events) {
      const e = at.event as PositionEvent;
      if (ledger) account(ledger, e);
      if (e.type === 'LiquidationSettled') this.writtenOff.set(e.auctionId, e.badDebt);
      // Its proof must state the pool as the trigger's decision read it.
      const pool = e.type === 'LiquidationTriggered' && e.by === 'detection' ? this.lookupAt(recorded).pool(poolId) : undefined;
      if (e.type === 'LiquidationTriggered' && e.by === 'detection' && pool?.status === 'active') {
        const trigger = detectedTriggerOf(e, at.revision, pool);
        this.detected.set(trigger.liquidationId, trigger);
      }
      if (e.type === 'LiquidationTriggered' && e.by === 'proof') {
        // A retired-circuit proof (no price) is a finding of its own (the position's commandOf); today's key cannot verify it.
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

  /** A market sale must be exactly the market's swap for this auction. */
  private appliedAuction(auctionId: string, [first]: AuctionEvent[], recorded: RecordedCommand): void {
    if (first.type !== 'SoldToMarket') return;
    const swap = this.swaps.get(auctionId);
    if (!swap || swap.collateralIn !== first.collateral || swap.debtOut !== first.paid) {
      this.fail('MARKET_SALE_MISMATCH', `auction ${auctionId} records a market sale the pool market's swaps do not`, recorded.events[0]);
    }
    this.swaps.delete(auctionId);
  }

  /** Each swap is remembered for the auction that sold through it. */
  private appliedAmm([first]: AmmEvent[]): void {
    if (first.type === 'CollateralSwapped') this.swaps.set(first.auctionId, first);
  }

  /** The ledger's proof of a detection is verified in the batch with the liquidators' proofs. */
  private appliedProof([first]: LiquidationProofEvent[], recorded: RecordedCommand): void {
    this.proofs.push({ at: recorded.events[0], proof: first.proof, publicSignals: first.publicSignals });
  }

  /** Detected liquidations whose proof the history holds, and those still without one (the prover lags, or stopped). */
  detectionProofCounts(): { proven: number; pending: number } {
    const proven = [...this.detected.keys()].filter((id) => this.ledger.detectionProofs.get(id)?.status === 'proven').length;
    return { proven, pending: this.detected.size - proven };
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
      if (price) bands[healthOf(pool, p, price.value, index).band]++;
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
    const { healthFactor } = healthOf(pool, totals, price, indexAt(pool.interest, now));
    return { at: now, poolId, price, ...(healthFactor !== undefined ? { healthFactor } : {}), liquidations: this.poolLedgers.get(poolId)?.liquidations ?? 0 };
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
  try {
    return aggregateOfStream(recorded.stream)?.spec.commandOf(recorded.events.map((e) => e.event), recorded.now);
  } catch {
    // Not a command's events: the re-decision says why.
    return undefined;
  }
}

function differingFields(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] {
  if (!a || !b) return [];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !isDeepStrictEqual(a[k], b[k]));
}
