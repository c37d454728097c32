/**
 * The predictive risk engine's rules on a pool: an admin configures it (model, mode, bounds, step,
 * notice); a proposal forecasts the feed's volatility from its last accepted prices and moves max LTV
 * and the threshold one bounded step towards what the forecast calls for; it applies at once when the
 * threshold does not fall and the engine is automatic, otherwise by a later apply (the engine's or an
 * admin's) once its notice has run. Every proposal records its model, inputs and forecast, so an
 * auditor deciding it again from the same history must get the same parameters.
 */
import { DomainError } from '../decider';
import { BPS, WAD } from '../math/fixed-point';
import { forecastVolatility, GarchParameters, VOLATILITY_MODELS, VolatilityModel } from '../risk/volatility';
import { adverseMove, effectiveAt, RiskBounds, riskTargets, RiskTargets, stepTowards } from '../risk/risk-policy';
import { liquidationHorizonSeconds } from '../auction/auction-routes';
import { validateParameters, PoolParameters } from './pool-parameters';
import { ActivePool, auctionParametersOf } from './pool-state';
import { RISK_ENGINE_MODES, RiskEngineSettings, RiskProposal } from './risk-settings';

/** The most accepted prices a forecast may read (what a ledger keeps of each feed for it). */
export const MAX_RISK_WINDOW = 1_000;

/** One accepted price of the pool's feed (WAD). */
export interface AcceptedPrice {
  round: bigint;
  price: bigint;
}

/** What a proposal needs beyond the pool: its feed's accepted prices up to (at least) the round it reacts to, oldest first. */
export interface RiskContext {
  prices: readonly AcceptedPrice[];
}

export type RiskCommand =
  | { type: 'ConfigureRiskEngine'; settings: RiskEngineSettings; now: bigint }
  | { type: 'ProposeRiskParameters'; proposalId: string; round: bigint; now: bigint }
  | { type: 'ApplyRiskParameters'; proposalId: string; now: bigint };

export interface RiskForecast {
  nextVariance: number;
  horizonVariance: number;
  garch?: GarchParameters;
  /** The fall (fraction of the price) exceeded with probability 1 − confidence over the horizon. */
  move: number;
  /** What the move calls for, within bounds, before the step limit. */
  target: RiskTargets;
}

export type RiskEvent =
  | { type: 'RiskEngineConfigured'; settings: RiskEngineSettings; at: bigint }
  | ({
      type: 'RiskParametersProposed';
      proposalId: string;
      model: VolatilityModel;
      /** The feed round the proposal reacts to: its window ends there. */
      round: bigint;
      inputs: { prices: AcceptedPrice[]; horizonSeconds: bigint; periods: number; confidenceBps: bigint; liquidationPenaltyBps: bigint; bounds: RiskBounds; maxStepBps: bigint; current: RiskTargets };
      forecast: RiskForecast;
      at: bigint;
    } & RiskProposal)
  | ({ type: 'RiskParametersApplied'; proposalId: string; parameters: PoolParameters; at: bigint } & RiskTargets);

export function decideRisk(command: RiskCommand, pool: ActivePool, context: RiskContext | undefined): RiskEvent[] {
  switch (command.type) {
    case 'ConfigureRiskEngine':
      validateRiskSettings(command.settings, pool.parameters.liquidationPenaltyBps);
      return [{ type: 'RiskEngineConfigured', settings: command.settings, at: command.now }];
    case 'ProposeRiskParameters': {
      const risk = pool.risk;
      if (!risk || risk.settings.mode === 'off') throw new DomainError('RISK_ENGINE_OFF', `the risk engine of pool ${pool.poolId} is off`);
      if (risk.pending) throw new DomainError('RISK_PROPOSAL_PENDING', `proposal ${risk.pending.proposalId} waits to be applied`, { proposalId: risk.pending.proposalId });
      const proposed = propose(pool, risk.settings, command, priceWindow(context?.prices ?? [], command.round, risk.settings.window));
      const apply = risk.settings.mode === 'auto' && proposed.effectiveAt === command.now;
      return apply ? [proposed, applied(pool, proposed, command.now)] : [proposed];
    }
    case 'ApplyRiskParameters': {
      const pending = pool.risk?.pending;
      if (!pending || pending.proposalId !== command.proposalId) throw new DomainError('RISK_PROPOSAL_NOT_FOUND', `no proposal ${command.proposalId} waits in pool ${pool.poolId}`);
      if (command.now < pending.effectiveAt) {
        throw new DomainError('RISK_NOTICE_RUNNING', `proposal ${pending.proposalId} lowers the threshold; it applies from ${pending.effectiveAt}`, { effectiveAt: pending.effectiveAt.toString() });
      }
      return [applied(pool, pending, command.now)];
    }
  }
}

export function evolveRisk(pool: ActivePool, event: RiskEvent): ActivePool {
  switch (event.type) {
    case 'RiskEngineConfigured':
      return { ...pool, risk: { ...pool.risk, settings: event.settings } };
    case 'RiskParametersProposed': {
      const { proposalId, maxLtvBps, liquidationThresholdBps, effectiveAt } = event;
      return { ...pool, risk: { ...pool.risk!, pending: { proposalId, maxLtvBps, liquidationThresholdBps, effectiveAt } } };
    }
    case 'RiskParametersApplied':
      return { ...pool, parameters: event.parameters, ...(pool.risk ? { risk: { settings: pool.risk.settings } } : {}) };
  }
}

/** The last `window` accepted prices up to and including `round`; refused when the feed has not yet accepted that many. */
export function priceWindow(prices: readonly AcceptedPrice[], round: bigint, window: number): AcceptedPrice[] {
  const end = prices.findIndex((p) => p.round === round);
  if (end < 0) throw new DomainError('UNKNOWN_ROUND', `the feed accepted no price in round ${round}`);
  if (end + 1 < window) throw new DomainError('NOT_ENOUGH_PRICES', `the forecast reads ${window} accepted prices; the feed has ${end + 1} up to round ${round}`);
  return prices.slice(end + 1 - window, end + 1);
}

function propose(pool: ActivePool, settings: RiskEngineSettings, command: Extract<RiskCommand, { type: 'ProposeRiskParameters' }>, prices: AcceptedPrice[]): Extract<RiskEvent, { type: 'RiskParametersProposed' }> {
  const { confidenceBps, bounds, maxStepBps } = settings;
  const horizonSeconds = liquidationHorizonSeconds(auctionParametersOf(pool), settings.detectionSeconds);
  const periods = Number(horizonSeconds) / Number(settings.observationSeconds);
  // Volatility is scale-free: prices as plain numbers lose nothing it depends on.
  // Stryker disable next-line ArithmeticOperator: Number(p.price) * Number(WAD) is equivalent, log returns being the same at any scale.
  const forecast = forecastVolatility(settings.model, prices.map((p) => Number(p.price) / Number(WAD)), periods);
  const move = adverseMove(forecast.horizonVariance, confidenceBps);
  const liquidationPenaltyBps = pool.parameters.liquidationPenaltyBps;
  const target = riskTargets(move, liquidationPenaltyBps, bounds);
  const current = { maxLtvBps: pool.parameters.maxLtvBps, liquidationThresholdBps: pool.parameters.liquidationThresholdBps };
  const next = stepTowards(current, target, maxStepBps);
  if (next.maxLtvBps === current.maxLtvBps && next.liquidationThresholdBps === current.liquidationThresholdBps) {
    throw new DomainError('RISK_PARAMETERS_UNCHANGED', 'the forecast calls for the parameters the pool has');
  }
  validateParameters({ ...pool.parameters, ...next });
  const { garch, nextVariance, horizonVariance } = forecast;
  return {
    type: 'RiskParametersProposed',
    proposalId: command.proposalId,
    model: settings.model,
    round: command.round,
    inputs: { prices, horizonSeconds, periods, confidenceBps, liquidationPenaltyBps, bounds, maxStepBps, current },
    forecast: { nextVariance, horizonVariance, ...(garch ? { garch } : {}), move, target },
    ...next,
    effectiveAt: effectiveAt(current, next, command.now, settings.noticeSeconds),
    at: command.now,
  };
}

function applied(pool: ActivePool, proposal: RiskProposal, now: bigint): Extract<RiskEvent, { type: 'RiskParametersApplied' }> {
  const { proposalId, maxLtvBps, liquidationThresholdBps } = proposal;
  const parameters = { ...pool.parameters, maxLtvBps, liquidationThresholdBps };
  // The pool's other parameters may have changed since the proposal (the penalty, by an admin).
  validateParameters(parameters);
  return { type: 'RiskParametersApplied', proposalId, maxLtvBps, liquidationThresholdBps, parameters, at: now };
}

export function validateRiskSettings(s: RiskEngineSettings, liquidationPenaltyBps: bigint): void {
  const refuse = (parameter: string, why: string) => {
    throw new DomainError('INVALID_RISK_SETTINGS', `${parameter} ${why}`, { parameter });
  };
  const inRange = (parameter: string, v: bigint, lo: bigint, hi: bigint) => (v < lo || v > hi) && refuse(parameter, `must be within ${lo}..${hi}`);
  if (!VOLATILITY_MODELS.includes(s.model)) refuse('model', `must be one of ${VOLATILITY_MODELS.join(', ')}`);
  if (!RISK_ENGINE_MODES.includes(s.mode)) refuse('mode', `must be one of ${RISK_ENGINE_MODES.join(', ')}`);
  inRange('confidenceBps', s.confidenceBps, 5_001n, 9_999n);
  const b = s.bounds;
  inRange('bounds.maxThresholdBps', b.maxThresholdBps, 2n, (BPS * BPS) / (BPS + liquidationPenaltyBps));
  inRange('bounds.minThresholdBps', b.minThresholdBps, 2n, b.maxThresholdBps);
  inRange('bounds.maxMaxLtvBps', b.maxMaxLtvBps, 1n, b.maxThresholdBps - 1n);
  inRange('bounds.minMaxLtvBps', b.minMaxLtvBps, 1n, b.maxMaxLtvBps < b.minThresholdBps ? b.maxMaxLtvBps : b.minThresholdBps - 1n);
  inRange('maxStepBps', s.maxStepBps, 1n, BPS);
  inRange('noticeSeconds', s.noticeSeconds, 0n, 30n * 86_400n);
  if (!Number.isInteger(s.window) || s.window < 3 || s.window > MAX_RISK_WINDOW) refuse('window', `must be an integer within 3..${MAX_RISK_WINDOW}`);
  inRange('observationSeconds', s.observationSeconds, 1n, 30n * 86_400n);
  inRange('detectionSeconds', s.detectionSeconds, 0n, 30n * 86_400n);
}
