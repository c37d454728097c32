/**
 * Volatility forecasts from a feed's accepted prices: RiskMetrics EWMA and GARCH(1,1) fitted by maximum
 * likelihood. Statistics, so plain numbers; what they decide (max LTV, threshold) is turned into
 * integer basis points by the risk policy, rounded in the pool's favour. Returns are log returns per
 * observation (one accepted price to the next); a horizon is counted in observations.
 */
import { nelderMead } from '../math/nelder-mead';

export const VOLATILITY_MODELS = ['ewma', 'garch'] as const;
export type VolatilityModel = (typeof VOLATILITY_MODELS)[number];

/** RiskMetrics' decay for daily data. */
export const RISKMETRICS_LAMBDA = 0.94;

export function logReturns(prices: readonly number[]): number[] {
  if (prices.some((p) => !(p > 0))) throw new RangeError('prices must be positive');
  return prices.slice(1).map((p, i) => Math.log(p / prices[i]));
}

/** The mean squared return: the variance a recursion starts from (the mean return of a short window is noise, taken as zero). */
export function meanSquare(returns: readonly number[]): number {
  if (!returns.length) throw new RangeError('a forecast needs at least one return');
  return returns.reduce((sum, r) => sum + r * r, 0) / returns.length;
}

/** EWMA variance for the observation after the last: σ²ₜ₊₁ = λσ²ₜ + (1 − λ)rₜ², from σ²₁ = the window's mean square. */
export function ewmaVariance(returns: readonly number[], lambda = RISKMETRICS_LAMBDA): number {
  return returns.reduce((variance, r) => lambda * variance + (1 - lambda) * r * r, meanSquare(returns));
}

export interface GarchParameters {
  omega: number;
  alpha: number;
  beta: number;
}

/** Conditional variances σ²₁…σ²ₙ₊₁ of σ²ₜ₊₁ = ω + αrₜ² + βσ²ₜ, from σ²₁ = the window's mean square. */
export function garchVariances(returns: readonly number[], { omega, alpha, beta }: GarchParameters): number[] {
  const variances = [meanSquare(returns)];
  for (const r of returns) variances.push(omega + alpha * r * r + beta * variances[variances.length - 1]);
  return variances;
}

/** Gaussian negative log-likelihood of the returns under the parameters (the constant ½n·log 2π left out). */
export function garchNegativeLogLikelihood(returns: readonly number[], p: GarchParameters): number {
  const variances = garchVariances(returns, p);
  return returns.reduce((sum, r, t) => sum + 0.5 * (Math.log(variances[t]) + (r * r) / variances[t]), 0);
}

/**
 * Maximum-likelihood GARCH(1,1) by Nelder-Mead on unconstrained coordinates that always map to a
 * stationary model: ω = v·eˣ⁰ (v the mean square), persistence α + β = 0.999·σ(x₁), α = (α + β)·σ(x₂).
 */
export function fitGarch(returns: readonly number[]): GarchParameters {
  const v = meanSquare(returns);
  const logistic = (x: number) => 1 / (1 + Math.exp(-x));
  const logit = (p: number) => Math.log(p / (1 - p));
  const parameters = ([x0, x1, x2]: number[]): GarchParameters => {
    const persistence = 0.999 * logistic(x1);
    const alpha = persistence * logistic(x2);
    return { omega: v * Math.exp(x0), alpha, beta: persistence - alpha };
  };
  // From a typical daily fit: persistence 0.95, α 0.1, and ω giving the window's own variance.
  const start = [Math.log(0.05), logit(0.95 / 0.999), logit(0.1 / 0.95)];
  const best = nelderMead((x) => garchNegativeLogLikelihood(returns, parameters(x)), start);
  return parameters(best.x);
}

/**
 * Variance of the sum of the next `periods` returns: Σₖ E[σ²ₜ₊ₖ], each term reverting from σ²ₜ₊₁ to the
 * long-run ω / (1 − α − β) at rate α + β; a fraction of a period counts that share of its term.
 */
export function garchHorizonVariance(p: GarchParameters, nextVariance: number, periods: number): number {
  const persistence = p.alpha + p.beta;
  const longRun = p.omega / (1 - persistence);
  let total = 0;
  for (let k = 0; k < Math.ceil(periods); k++) total += Math.min(1, periods - k) * (longRun + persistence ** k * (nextVariance - longRun));
  return total;
}

export interface VolatilityForecast {
  model: VolatilityModel;
  /** Variance of the next observation's log return. */
  nextVariance: number;
  /** Variance of the log price move over the horizon. */
  horizonVariance: number;
  /** The fitted GARCH parameters (GARCH only). */
  garch?: GarchParameters;
}

/** The model's forecast of the log price move over `periods` observations after the last price. */
export function forecastVolatility(model: VolatilityModel, prices: readonly number[], periods: number): VolatilityForecast {
  if (!(periods > 0)) throw new RangeError('the horizon must be positive');
  const returns = logReturns(prices);
  if (model === 'ewma') {
    const nextVariance = ewmaVariance(returns);
    // EWMA's variance is a random walk: its forecast is flat, and variances add over the horizon.
    return { model, nextVariance, horizonVariance: nextVariance * periods };
  }
  const garch = fitGarch(returns);
  const variances = garchVariances(returns, garch);
  const nextVariance = variances[variances.length - 1];
  return { model, nextVariance, horizonVariance: garchHorizonVariance(garch, nextVariance, periods), garch };
}
