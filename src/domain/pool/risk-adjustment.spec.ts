import { ledgerEventCodec } from '../events';
import { RAY, WAD } from '../math/fixed-point';
import { seededRandom } from '../math/seeded-random';
import { refusalCode } from '../testing';
import { DEFAULT_AUCTION, poolDecider, PoolEvent, PoolParameters, PoolState } from './pool';
import { AcceptedPrice, RiskContext } from './risk-adjustment';
import { RiskEngineSettings } from './risk-settings';

const parameters: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 0n,
};
const T0 = 1_800_000_000n;
const pool: PoolState = {
  status: 'active', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F',
  parameters: { ...parameters, auction: { ...DEFAULT_AUCTION, route: 'market' } },
  interest: { index: RAY, at: T0, ratePerSecond: RAY }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: {}, liquidationsPaused: false,
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
