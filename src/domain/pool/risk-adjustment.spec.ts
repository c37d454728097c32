import { ledgerEventCodec } from '../events';
import { RAY, WAD } from '../math/fixed-point';
import { seededRandom } from '../math/seeded-random';
import { refusalCode, refusalOf } from '../testing';
import { DEFAULT_AUCTION, noReservations, poolDecider, PoolEvent, PoolParameters, PoolState } from './pool';
import { AcceptedPrice, MAX_RISK_WINDOW, priceWindow, RiskContext, validateRiskSettings } from './risk-adjustment';
import { RiskEngineSettings } from './risk-settings';

const parameters: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 0n,
};
const T0 = 1_800_000_000n;
const pool: PoolState = {
  status: 'active', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F',
  parameters: { ...parameters, auction: { ...DEFAULT_AUCTION, route: 'market' } },
  interest: { index: RAY, at: T0, ratePerSecond: RAY }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: noReservations(), liquidationsPaused: false,
};
const settings: RiskEngineSettings = {
  model: 'ewma', mode: 'auto', confidenceBps: 9_900n,
  bounds: { minMaxLtvBps: 5_000n, maxMaxLtvBps: 8_000n, minThresholdBps: 6_000n, maxThresholdBps: 8_800n },
  maxStepBps: 250n, noticeSeconds: 3_600n, window: 60, observationSeconds: 86_400n, detectionSeconds: 86_400n,
};

/** Daily prices with the given log volatility, rounds 1..n. */
function prices(n: number, volatility: number, seed = 1): AcceptedPrice[] {
  const random = seededRandom(seed);
  let price = 2_000;
  return Array.from({ length: n }, (_, i) => {
    price *= Math.exp(volatility * random.normal());
    return { round: BigInt(i + 1), price: BigInt(Math.round(price * 1e6)) * 10n ** 12n };
  });
}

function run(state: PoolState, events: PoolEvent[]): PoolState {
  return events.reduce(poolDecider.evolve, state);
}

const configured = (s: Partial<RiskEngineSettings> = {}) => run(pool, poolDecider.decide({ type: 'ConfigureRiskEngine', settings: { ...settings, ...s }, now: T0 }, pool, undefined));
const propose = (state: PoolState, context: RiskContext, now = T0, round = context.prices[context.prices.length - 1].round) =>
  poolDecider.decide({ type: 'ProposeRiskParameters', proposalId: `r${round}`, round, now }, state, context);

describe('risk adjustments on a pool', () => {
  it('refuses settings outside the rules, naming the setting', () => {
    const refusal = (s: Partial<RiskEngineSettings>) => refusalCode(() => poolDecider.decide({ type: 'ConfigureRiskEngine', settings: { ...settings, ...s }, now: T0 }, pool, undefined));
    expect(refusal({ confidenceBps: 10_000n })).toBe('INVALID_RISK_SETTINGS');
    expect(refusal({ bounds: { ...settings.bounds, maxMaxLtvBps: 8_800n } })).toBe('INVALID_RISK_SETTINGS');
    // 9,600 × (1 + 5% penalty) > 100%.
    expect(refusal({ bounds: { ...settings.bounds, maxThresholdBps: 9_600n } })).toBe('INVALID_RISK_SETTINGS');
    expect(refusal({ window: 2 })).toBe('INVALID_RISK_SETTINGS');
    expect(refusal({ model: 'arima' as never })).toBe('INVALID_RISK_SETTINGS');
  });

  it('calm prices raise both parameters one step, applied in the same command when automatic', () => {
    const events = propose(configured(), { prices: prices(60, 0.005) });
    expect(events.map((e) => e.type)).toEqual(['RiskParametersProposed', 'RiskParametersApplied']);
    const proposed = events[0] as Extract<PoolEvent, { type: 'RiskParametersProposed' }>;
    expect(proposed).toMatchObject({ model: 'ewma', maxLtvBps: 7_750n, liquidationThresholdBps: 8_500n, effectiveAt: T0 });
    expect(proposed.forecast.target).toEqual({ maxLtvBps: 8_000n, liquidationThresholdBps: 8_800n });
    expect(proposed.inputs.prices).toHaveLength(60);
    const after = run(configured(), events);
    expect(after.status === 'active' && after.parameters).toMatchObject({ maxLtvBps: 7_750n, liquidationThresholdBps: 8_250n + 250n });
  });

  it('in propose-only mode nothing applies until an admin applies it', () => {
    const events = propose(configured({ mode: 'propose' }), { prices: prices(60, 0.005) });
    expect(events.map((e) => e.type)).toEqual(['RiskParametersProposed']);
  });

  it('a volatility spike lowers the threshold one step, announced: applied only after the notice, and no second proposal meanwhile', () => {
    const state = configured();
    // Calm, then a fall of 20% a day for five days.
    const calm = prices(55, 0.01);
    const spike = [...calm, ...[1, 2, 3, 4, 5].map((k) => ({ round: BigInt(55 + k), price: (calm[54].price * 8n ** BigInt(k)) / 10n ** BigInt(k) }))];
    const events = propose(state, { prices: spike });
    expect(events.map((e) => e.type)).toEqual(['RiskParametersProposed']);
    expect(events[0]).toMatchObject({ maxLtvBps: 7_250n, liquidationThresholdBps: 8_000n, effectiveAt: T0 + 3_600n });
    const announced = run(state, events);
    expect(refusalCode(() => propose(announced, { prices: spike }, T0 + 60n))).toBe('RISK_PROPOSAL_PENDING');
    expect(refusalCode(() => poolDecider.decide({ type: 'ApplyRiskParameters', proposalId: 'r60', now: T0 + 3_599n }, announced, undefined))).toBe('RISK_NOTICE_RUNNING');
    expect(refusalCode(() => poolDecider.decide({ type: 'ApplyRiskParameters', proposalId: 'other', now: T0 + 3_600n }, announced, undefined))).toBe('RISK_PROPOSAL_NOT_FOUND');
    const applied = run(announced, poolDecider.decide({ type: 'ApplyRiskParameters', proposalId: 'r60', now: T0 + 3_600n }, announced, undefined));
    expect(applied.status === 'active' && applied.parameters).toMatchObject({ maxLtvBps: 7_250n, liquidationThresholdBps: 8_000n });
    expect(applied.status === 'active' && applied.risk?.pending).toBeUndefined();
  });

  it('refuses without the engine on, without a full window up to the round, or when nothing would change', () => {
    expect(refusalCode(() => propose(pool, { prices: prices(60, 0.005) }))).toBe('RISK_ENGINE_OFF');
    expect(refusalCode(() => propose(configured({ mode: 'off' }), { prices: prices(60, 0.005) }))).toBe('RISK_ENGINE_OFF');
    expect(refusalCode(() => propose(configured(), { prices: prices(59, 0.005) }))).toBe('NOT_ENOUGH_PRICES');
    expect(refusalCode(() => propose(configured(), { prices: prices(60, 0.005) }, T0, 61n))).toBe('UNKNOWN_ROUND');
    // At the bounds' top already, calm prices call for no change.
    const top = { ...configured(), parameters: { ...parameters, maxLtvBps: 8_000n, liquidationThresholdBps: 8_800n } } as PoolState;
    expect(refusalCode(() => propose(top, { prices: prices(60, 0.005) }))).toBe('RISK_PARAMETERS_UNCHANGED');
  });

  it('GARCH proposals carry the fitted parameters; every risk event survives the codec', () => {
    const state = configured({ model: 'garch', window: 200 });
    const events = propose(state, { prices: prices(200, 0.02) });
    const proposed = events[0] as Extract<PoolEvent, { type: 'RiskParametersProposed' }>;
    expect(proposed.forecast.garch).toEqual({ omega: expect.any(Number), alpha: expect.any(Number), beta: expect.any(Number) });
    const configuredEvent = poolDecider.decide({ type: 'ConfigureRiskEngine', settings, now: T0 }, pool, undefined);
    for (const e of [...configuredEvent, ...events]) {
      const stored = JSON.parse(JSON.stringify(ledgerEventCodec.encode(e)));
      expect(ledgerEventCodec.decode(stored.type, stored.schemaVersion, stored.data)).toEqual(e);
    }
  });
});

describe('risk settings, at their bounds', () => {
  const check = (s: Partial<RiskEngineSettings>, penalty = 500n) => refusalOf(() => validateRiskSettings({ ...settings, ...s }, penalty));
  const bounds = (b: Partial<RiskEngineSettings['bounds']>) => ({ bounds: { ...settings.bounds, ...b } });
  const outOfRange = (parameter: string, lo: bigint, hi: bigint) => ({ code: 'INVALID_RISK_SETTINGS', message: `${parameter} must be within ${lo}..${hi}`, details: { parameter } });
  const DAYS_30 = 30n * 86_400n;
  // Each setting with its bounds (those of the bounds under the defaults: max threshold 8,800, min threshold 6,000, max max LTV 8,000),
  // and what else must change for its least to be reachable alone.
  const ranges: [string, (v: bigint) => Partial<RiskEngineSettings>, bigint, bigint][] = [
    ['confidenceBps', (v) => ({ confidenceBps: v }), 5_001n, 9_999n],
    // With a 5% penalty the threshold leaves room for it up to 10,000² / 10,500 = 9,523.
    ['bounds.maxThresholdBps', (v) => bounds({ maxThresholdBps: v, minThresholdBps: 2n, maxMaxLtvBps: 1n, minMaxLtvBps: 1n }), 2n, 9_523n],
    ['bounds.minThresholdBps', (v) => bounds({ minThresholdBps: v, minMaxLtvBps: 1n }), 2n, 8_800n],
    ['bounds.maxMaxLtvBps', (v) => bounds({ maxMaxLtvBps: v, minMaxLtvBps: 1n }), 1n, 8_799n],
    ['bounds.minMaxLtvBps', (v) => bounds({ minMaxLtvBps: v }), 1n, 5_999n],
    ['maxStepBps', (v) => ({ maxStepBps: v }), 1n, 10_000n],
    ['noticeSeconds', (v) => ({ noticeSeconds: v }), 0n, DAYS_30],
    ['observationSeconds', (v) => ({ observationSeconds: v }), 1n, DAYS_30],
    ['detectionSeconds', (v) => ({ detectionSeconds: v }), 0n, DAYS_30],
  ];

  it.each(ranges)('%s passes at its least and its most, and is refused a unit beyond either, naming it', (parameter, set, lo, hi) => {
    expect(check(set(lo))).toBeUndefined();
    expect(check(set(hi))).toBeUndefined();
    expect(check(set(lo - 1n))).toEqual(outOfRange(parameter, lo, hi));
    expect(check(set(hi + 1n))).toEqual(outOfRange(parameter, lo, hi));
  });

  it('keeps the least max LTV below the least threshold, and within the most max LTV', () => {
    // Max max LTV below the least threshold bounds it; at or above it, the least threshold less a bps does.
    expect(check(bounds({ maxMaxLtvBps: 5_500n, minMaxLtvBps: 5_501n }))).toEqual(outOfRange('bounds.minMaxLtvBps', 1n, 5_500n));
    expect(check(bounds({ maxMaxLtvBps: 6_000n, minMaxLtvBps: 6_000n }))).toEqual(outOfRange('bounds.minMaxLtvBps', 1n, 5_999n));
    expect(check(bounds({ maxMaxLtvBps: 6_000n, minMaxLtvBps: 5_999n }))).toBeUndefined();
  });

  it('reads a whole number of prices, from 3 to 1,000', () => {
    expect(MAX_RISK_WINDOW).toBe(1_000);
    const refused = { code: 'INVALID_RISK_SETTINGS', message: 'window must be an integer within 3..1000', details: { parameter: 'window' } };
    expect(check({ window: 3 })).toBeUndefined();
    expect(check({ window: 1_000 })).toBeUndefined();
    for (const window of [2, 1_001, 3.5]) expect(check({ window })).toEqual(refused);
  });

  it('names the models and modes there are', () => {
    expect(check({ model: 'garch' })).toBeUndefined();
    expect(check({ model: 'arima' as never })).toEqual({ code: 'INVALID_RISK_SETTINGS', message: 'model must be one of ewma, garch', details: { parameter: 'model' } });
    expect(check({ mode: 'sometimes' as never })).toEqual({ code: 'INVALID_RISK_SETTINGS', message: 'mode must be one of off, propose, auto', details: { parameter: 'mode' } });
  });
});

describe('risk proposals, in words and numbers', () => {
  it('takes the window ending at the cited round, even the very first price', () => {
    const all = prices(5, 0.01);
    expect(priceWindow(all, 1n, 1)).toEqual([all[0]]);
    expect(priceWindow(all, 4n, 3)).toEqual(all.slice(1, 4));
    expect(refusalOf(() => priceWindow(all, 9n, 3))).toEqual({ code: 'UNKNOWN_ROUND', message: 'the feed accepted no price in round 9' });
    expect(refusalOf(() => priceWindow(all, 2n, 3))).toEqual({ code: 'NOT_ENOUGH_PRICES', message: 'the forecast reads 3 accepted prices; the feed has 2 up to round 2' });
  });

  it('proposes when only one of the two parameters moves', () => {
    // Max LTV is at its target (the bounds' top) already; the threshold is a step and more below its own.
    const oneOff = { ...configured(), parameters: { ...parameters, maxLtvBps: 8_000n, liquidationThresholdBps: 8_500n } } as PoolState;
    expect(propose(oneOff, { prices: prices(60, 0.005) })[0]).toMatchObject({ maxLtvBps: 8_000n, liquidationThresholdBps: 8_750n });
    // And the other way round: the threshold at its target, max LTV a step below its own.
    const otherOff = { ...configured(), parameters: { ...parameters, maxLtvBps: 7_500n, liquidationThresholdBps: 8_800n } } as PoolState;
    expect(propose(otherOff, { prices: prices(60, 0.005) })[0]).toMatchObject({ maxLtvBps: 7_750n, liquidationThresholdBps: 8_800n });
  });

  it('says why it refuses, naming the pool and the proposal', () => {
    expect(refusalOf(() => propose(pool, { prices: prices(60, 0.005) }))).toEqual({ code: 'RISK_ENGINE_OFF', message: 'the risk engine of pool p is off' });
    const top = { ...configured(), parameters: { ...parameters, maxLtvBps: 8_000n, liquidationThresholdBps: 8_800n } } as PoolState;
    expect(refusalOf(() => propose(top, { prices: prices(60, 0.005) }))).toEqual({ code: 'RISK_PARAMETERS_UNCHANGED', message: 'the forecast calls for the parameters the pool has' });
    const calm = prices(55, 0.01);
    const spike = [...calm, ...[1, 2, 3, 4, 5].map((k) => ({ round: BigInt(55 + k), price: (calm[54].price * 8n ** BigInt(k)) / 10n ** BigInt(k) }))];
    const announced = run(configured(), propose(configured(), { prices: spike }));
    expect(refusalOf(() => propose(announced, { prices: spike }, T0 + 60n))).toEqual({ code: 'RISK_PROPOSAL_PENDING', message: 'proposal r60 waits to be applied', details: { proposalId: 'r60' } });
    const apply = (proposalId: string, now: bigint) => refusalOf(() => poolDecider.decide({ type: 'ApplyRiskParameters', proposalId, now }, announced, undefined));
    expect(apply('other', T0 + 3_600n)).toEqual({ code: 'RISK_PROPOSAL_NOT_FOUND', message: 'no proposal other waits in pool p' });
    expect(apply('r60', T0 + 3_599n)).toEqual({ code: 'RISK_NOTICE_RUNNING', message: `proposal r60 lowers the threshold; it applies from ${T0 + 3_600n}`, details: { effectiveAt: `${T0 + 3_600n}` } });
  });
});
