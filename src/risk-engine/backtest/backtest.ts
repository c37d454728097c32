/**
 * The backtest: a price history replayed day by day through the ledger's own deciders (the feed's
 * evolve, the position decider, the pool decider with its risk adjustments), with a synthetic borrower
 * population. Each day:
 *   1. the feed accepts the day's low, and every position below its threshold there is detected and
 *      liquidated, its collateral sold at that low (the auction clears inside the day at worst at its
 *      low), with the penalty; what the collateral does not cover is bad debt;
 *   2. the feed accepts the close; the risk engine (predictive policies) applies an announced proposal
 *      whose notice has run, and proposes from the closes (one observation a day);
 *   3. borrowers act at the close: arrive, draw, repay, top up, leave.
 * Oracle signatures are not simulated (the feed's prices are folded in, not signed). Everything random
 * comes from the seed, one stream for arrivals and one per borrower, drawn the same way whatever the
 * policy: every policy meets the same borrowers making the same choices.
 */
import { DomainError } from '../../domain/decider';
import { BPS, WAD } from '../../domain/math/fixed-point';
import { SeededRandom, seededRandom } from '../../domain/math/seeded-random';
import { feedDecider, FeedState, priceAt } from '../../domain/oracle/feed';
import { activePool, DEFAULT_AUCTION, poolDecider, PoolEvent, PoolParameters, PoolState } from '../../domain/pool/pool';
import { AcceptedPrice } from '../../domain/pool/risk-adjustment';
import { RiskEngineSettings } from '../../domain/pool/risk-settings';
import { PositionCommand, positionDecider, PositionEvent, PositionState } from '../../domain/position/position';
import { collateralValueOf, debtOf } from '../../domain/risk/liquidation-rule';
import { safePrice } from '../../domain/risk/position-risk';
import { VolatilityModel } from '../../domain/risk/volatility';
import { Candle } from './candles';

export const BACKTEST_POLICIES = ['static', 'ewma', 'garch'] as const;
export type BacktestPolicy = (typeof BACKTEST_POLICIES)[number];

/** Collateral (BTC, 8 decimals) and debt (USD, 6 decimals) units. */
const BTC = 10n ** 8n;
const USD = 10n ** 6n;
const DAY = 86_400n;

/** The pool's parameters: the static policy keeps them; the predictive ones start from them. */
export const STATIC_PARAMETERS: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: BPS, fullCloseHealthFactor: WAD, dustLimit: 10n * USD, liquidationCollateralCap: (1n << 88n) - 1n, stabilityFeeYearly: 0n,
  auction: { ...DEFAULT_AUCTION, route: 'dutch', resetAfterSeconds: 3_600n },
};

/** The engine's settings for daily candles: a crossing is seen at worst a day late (detection), and one close is one observation. */
export function backtestSettings(model: VolatilityModel, confidenceBps = 9_900n): RiskEngineSettings {
  return {
    model, mode: 'auto', confidenceBps,
    bounds: { minMaxLtvBps: 3_000n, maxMaxLtvBps: 8_500n, minThresholdBps: 4_000n, maxThresholdBps: 9_000n },
    maxStepBps: 500n, noticeSeconds: DAY, window: model === 'garch' ? 500 : 250, observationSeconds: DAY, detectionSeconds: DAY,
  };
}

/** The named crashes the report looks at, each a window around its day. */
export const CRASHES = [
  { name: '2020-03-12', from: '2020-03-01', to: '2020-04-30' },
  { name: '2021-05-19', from: '2021-05-10', to: '2021-07-31' },
] as const;

/** A borrower's behaviour, drawn once. */
interface Borrower {
  id: string;
  random: SeededRandom;
  /** The share of max LTV they borrow up to. */
  appetite: number;
  /** Whether they add collateral when their health factor runs low. */
  topsUp: boolean;
}

export interface LiquidationMark {
  day: string;
  positionId: string;
  /** Whole USD. */
  badDebt: number;
  /** The price (close) came back above its liquidation price within 30 days, and no low in between took it under water. */
  wouldHaveRecovered: boolean;
}

export interface DayPoint {
  day: string;
  low: number;
  close: number;
  maxLtvBps: number;
  liquidationThresholdBps: number;
  /** Whole USD owed by open positions at the close. */
  debt: number;
}

export interface PeriodSummary {
  period: string;
  days: number;
  liquidations: number;
  wouldHaveRecovered: number;
  /** Whole USD. */
  badDebt: number;
  averageMaxLtvBps: number;
  /** Average debt outstanding (whole USD): what the allowed LTV turned into. */
  averageDebt: number;
}

export interface BacktestResult {
  policy: BacktestPolicy;
  seed: number;
  days: DayPoint[];
  liquidations: LiquidationMark[];
  proposals: number;
  /** Commands the rules refused, by code (detection finding a position healthy is the most common). */
  refusals: Record<string, number>;
  summaries: PeriodSummary[];
}

const ARRIVAL_CHANCE = 0.7;
const LEAVE_CHANCE = 1 / 150;
const DRAW_CHANCE = 0.03;
const REPAY_CHANCE = 0.02;
const TOP_UP_CHANCE = 0.5;
const RECOVERY_DAYS = 30;
/** Each new position's collateral, in USD at the day's close. */
const POSITION_USD = 10_000;

const wad = (price: number) => BigInt(Math.round(price * 1e6)) * 10n ** 12n;
const whole = (amount: bigint, unit: bigint) => Number(amount / unit) + Number(amount % unit) / Number(unit);

export function runBacktest(candles: readonly Candle[], policy: BacktestPolicy, seed: number, confidenceBps?: bigint): BacktestResult {
  const arrivals = seededRandom(seed);
  let salt = 0n;
  const nextSalt = () => ++salt;
  const start = candles[0].at;
  let feed: FeedState = feedDecider.evolve(feedDecider.initialState(), { type: 'FeedRegistered', feed: 'BTC-USD', quorum: 1, heartbeatSeconds: 2 * 86_400, deviationLimitBps: BPS, maxFutureSkewSeconds: 0 });
  let pool: PoolState = evolveAll(poolDecider.evolve, poolDecider.initialState(), poolDecider.decide(
    { type: 'CreatePool', poolId: 'backtest', collateral: { symbol: 'BTC', decimals: 8 }, debt: { symbol: 'USD', decimals: 6 }, feed: 'BTC-USD', parameters: STATIC_PARAMETERS, now: start },
    poolDecider.initialState(),
    undefined,
  ));
  let proposals = 0;
  const refusals: Record<string, number> = {};
  /** A decision's events, or none when the rules refuse it (counted by code: a refusal is a borrower's or the engine's "not now"). */
  const orRefused = <Event>(decide: () => Event[]): Event[] => {
    try {
      return decide();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      refusals[err.code] = (refusals[err.code] ?? 0) + 1;
      return [];
    }
  };
  const decidePool = (command: Parameters<typeof poolDecider.decide>[0], context?: { prices: AcceptedPrice[] }): PoolEvent[] => {
    const events = orRefused(() => poolDecider.decide(command, pool, context));
    pool = evolveAll(poolDecider.evolve, pool, events);
    return events;
  };
  if (policy !== 'static') decidePool({ type: 'ConfigureRiskEngine', settings: backtestSettings(policy, confidenceBps), now: start });

  const positions = new Map<string, { borrower: Borrower; state: PositionState }>();
  const closes: AcceptedPrice[] = [];
  const days: DayPoint[] = [];
  const liquidations: (LiquidationMark & { index: number; liquidationPrice: number; bankruptcyPrice: number })[] = [];
  let borrowers = 0;

  const act = (positionId: string, command: PositionCommand, now: bigint): PositionEvent[] => {
    const entry = positions.get(positionId)!;
    const context = { pool, feed, price: priceAt(feed, now), now };
    const events = orRefused(() => positionDecider.decide(command, entry.state, context));
    entry.state = evolveAll(positionDecider.evolve, entry.state, events);
    return events;
  };

  candles.forEach((candle, index) => {
    const lowRound = BigInt(2 * index + 1);
    const closeRound = lowRound + 1n;
    const lowAt = candle.at;
    const closeAt = candle.at + DAY - 1n;
    const low = wad(candle.low);
    const close = wad(candle.close);

    // 1. The day's low: detection and liquidation.
    feed = feedDecider.evolve(feed, { type: 'PriceUpdated', round: lowRound, price: low, at: lowAt, oracles: [] });
    for (const [positionId, entry] of positions) {
      if (entry.state.status !== 'open' || entry.state.scaledDebt === 0n) continue;
      const { collateral, scaledDebt } = entry.state;
      const triggered = act(positionId, { type: 'DetectLiquidation', round: lowRound, salt: nextSalt() }, lowAt);
      if (!triggered.length) continue;
      const p = activePool(pool);
      const debt = debtOf(scaledDebt, p.interest.index);
      // Sold at the low: as much collateral as the debt and its penalty need, or all of it.
      const tab = debt + (debt * p.parameters.liquidationPenaltyBps) / BPS;
      const needed = (tab * WAD * BTC + low * USD - 1n) / (low * USD);
      const sold = needed < collateral ? needed : collateral;
      const proceeds = collateralValueOf(sold, low, BTC, USD);
      const [settled] = act(positionId, { type: 'SettleLiquidation', auctionId: `a-${positionId}-${index}`, collateralSold: sold, debtRepaid: proceeds < debt ? proceeds : debt, salt: nextSalt() }, lowAt);
      const badDebt = settled?.type === 'LiquidationSettled' ? settled.badDebt : 0n;
      liquidations.push({
        day: candle.day, positionId, badDebt: whole(badDebt, USD), wouldHaveRecovered: false, index,
        liquidationPrice: whole(safePrice(collateral, debt, p.parameters.liquidationThresholdBps, BTC, USD) ?? 0n, WAD),
        bankruptcyPrice: whole(safePrice(collateral, debt, BPS, BTC, USD) ?? 0n, WAD),
      });
      // What the sale left goes back to the borrower, who leaves.
      act(positionId, { type: 'ClosePosition', salt: nextSalt() }, lowAt);
    }

    // 2. The close: the feed's price for the day, and the risk engine.
    feed = feedDecider.evolve(feed, { type: 'PriceUpdated', round: closeRound, price: close, at: closeAt, oracles: [] });
    closes.push({ round: closeRound, price: close });
    const risk = activePool(pool).risk;
    if (risk?.pending && closeAt >= risk.pending.effectiveAt) decidePool({ type: 'ApplyRiskParameters', proposalId: risk.pending.proposalId, now: closeAt });
    if (risk && !activePool(pool).risk?.pending && closes.length >= risk.settings.window) {
      const events = decidePool({ type: 'ProposeRiskParameters', proposalId: `day-${index}`, round: closeRound, now: closeAt }, { prices: closes.slice(-risk.settings.window) });
      if (events.length) proposals++;
    }

    // 3. Borrowers at the close.
    const parameters = activePool(pool).parameters;
    const valueOf = (collateral: bigint) => collateralValueOf(collateral, close, BTC, USD);
    for (const [positionId, { borrower, state }] of positions) {
      // Four draws a day each, used or not: the same borrower makes the same choices under every policy.
      const [leave, draw, repay, topUp] = [borrower.random.next(), borrower.random.next(), borrower.random.next(), borrower.random.next()];
      if (state.status !== 'open') continue;
      const debt = debtOf(state.scaledDebt, activePool(pool).interest.index);
      const target = (valueOf(state.collateral) * BigInt(Math.floor(borrower.appetite * Number(parameters.maxLtvBps)))) / BPS;
      if (leave < LEAVE_CHANCE || state.collateral === 0n) {
        if (debt > 0n) act(positionId, { type: 'RepayDebt', amount: 'all', salt: nextSalt() }, closeAt);
        act(positionId, { type: 'ClosePosition', salt: nextSalt() }, closeAt);
      } else if (borrower.topsUp && topUp < TOP_UP_CHANCE && debt > 0n && valueOf(state.collateral) * parameters.liquidationThresholdBps * 10n < debt * BPS * 11n) {
        // Health factor below 1.1: back to their target LTV.
        const wanted = (debt * WAD * BTC * BPS) / (close * USD * BigInt(Math.max(1, Math.floor(borrower.appetite * Number(parameters.maxLtvBps)))));
        if (wanted > state.collateral) act(positionId, { type: 'DepositCollateral', amount: wanted - state.collateral, salt: nextSalt() }, closeAt);
      } else if (draw < DRAW_CHANCE && target > debt + USD) {
        act(positionId, { type: 'DrawDebt', amount: target - debt, salt: nextSalt() }, closeAt);
      } else if (repay < REPAY_CHANCE && debt > 0n) {
        const part = (debt * 3n) / 10n;
        act(positionId, debt - part < parameters.dustLimit ? { type: 'RepayDebt', amount: 'all', salt: nextSalt() } : { type: 'RepayDebt', amount: part, salt: nextSalt() }, closeAt);
      }
    }
    if (arrivals.next() < ARRIVAL_CHANCE) {
      const id = `b${++borrowers}`;
      const random = seededRandom(seed * 1_000_003 + borrowers);
      const borrower: Borrower = { id, random, appetite: 0.5 + 0.5 * random.next(), topsUp: random.next() < 0.4 };
      positions.set(id, { borrower, state: positionDecider.initialState() });
      act(id, { type: 'OpenPosition', positionId: id, poolId: 'backtest', owner: id, salt: nextSalt() }, closeAt);
      const collateral = BigInt(Math.floor((POSITION_USD / candle.close) * Number(BTC)));
      act(id, { type: 'DepositCollateral', amount: collateral, salt: nextSalt() }, closeAt);
      const debt = (valueOf(collateral) * BigInt(Math.floor(borrower.appetite * Number(parameters.maxLtvBps)))) / BPS;
      act(id, { type: 'DrawDebt', amount: debt, salt: nextSalt() }, closeAt);
    }
    let owed = 0n;
    for (const [positionId, { state }] of positions) {
      if (state.status === 'open') owed += debtOf(state.scaledDebt, activePool(pool).interest.index);
      else positions.delete(positionId);
    }
    days.push({ day: candle.day, low: candle.low, close: candle.close, maxLtvBps: Number(parameters.maxLtvBps), liquidationThresholdBps: Number(parameters.liquidationThresholdBps), debt: whole(owed, USD) });
  });

  for (const l of liquidations) {
    const after = days.slice(l.index + 1, l.index + 1 + RECOVERY_DAYS);
    const back = after.findIndex((d) => d.close >= l.liquidationPrice);
    l.wouldHaveRecovered = back >= 0 && after.slice(0, back + 1).every((d) => d.low > l.bankruptcyPrice) && candles[l.index].low > l.bankruptcyPrice;
  }
  const marks = liquidations.map(({ day, positionId, badDebt, wouldHaveRecovered }) => ({ day, positionId, badDebt, wouldHaveRecovered }));
  const summaries = [
    summarize('overall', days, marks),
    ...CRASHES.map((c) => summarize(c.name, days.filter((d) => d.day >= c.from && d.day <= c.to), marks.filter((m) => m.day >= c.from && m.day <= c.to))),
  ];
  return { policy, seed, days, liquidations: marks, proposals, refusals, summaries };
}

function summarize(period: string, days: DayPoint[], marks: LiquidationMark[]): PeriodSummary {
  const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
  return {
    period,
    days: days.length,
    liquidations: marks.length,
    wouldHaveRecovered: marks.filter((m) => m.wouldHaveRecovered).length,
    badDebt: Math.round(marks.reduce((sum, m) => sum + m.badDebt, 0)),
    averageMaxLtvBps: Math.round(mean(days.map((d) => d.maxLtvBps))),
    averageDebt: Math.round(mean(days.map((d) => d.debt))),
  };
}

function evolveAll<State, Event>(evolve: (s: State, e: Event) => State, state: State, events: readonly Event[]): State {
  return events.reduce(evolve, state);
}
