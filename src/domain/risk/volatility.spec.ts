import { seededRandom } from '../math/seeded-random';
import { nelderMead } from '../math/nelder-mead';
import { ewmaVariance, fitGarch, forecastVolatility, garchHorizonVariance, garchNegativeLogLikelihood, garchVariances, GarchParameters, logReturns, meanSquare } from './volatility';

/** Returns from a GARCH(1,1) with standard normal shocks, started at its long-run variance. */
function simulateGarch(p: GarchParameters, n: number, seed: number): number[] {
  const random = seededRandom(seed);
  let variance = p.omega / (1 - p.alpha - p.beta);
  const returns: number[] = [];
  for (let t = 0; t < n; t++) {
    const r = Math.sqrt(variance) * random.normal();
    returns.push(r);
    variance = p.omega + p.alpha * r * r + p.beta * variance;
  }
  return returns;
}

describe('volatility estimators', () => {
  it('log returns are the logs of consecutive price ratios', () => {
    expect(logReturns([100, 110, 99])).toEqual([Math.log(1.1), Math.log(0.9)]);
    expect(() => logReturns([100, 0])).toThrow(RangeError);
    expect(() => logReturns([100, -1])).toThrow(new RangeError('prices must be positive'));
    expect(() => logReturns([100, NaN])).toThrow(new RangeError('prices must be positive'));
    // A forecast needs a return: one price gives none.
    expect(() => meanSquare(logReturns([100]))).toThrow(new RangeError('a forecast needs at least one return'));
  });

  it('EWMA (λ = 0.94) from the mean square: 0.01, −0.02, 0.03 give 4.6946747e-4 (computed by hand)', () => {
    // σ²₁ = (1 + 4 + 9)e-4 / 3; then σ² ← 0.94σ² + 0.06r² for each return.
    expect(ewmaVariance([0.01, -0.02, 0.03])).toBeCloseTo(4.6946746666e-4, 12);
  });

  it('EWMA of returns of constant size is their square, and a shock raises it by (1 − λ)r²', () => {
    const calm = Array.from({ length: 50 }, (_, i) => (i % 2 ? 0.01 : -0.01));
    expect(ewmaVariance(calm)).toBeCloseTo(1e-4, 15);
    // The shock also enters the starting mean square, whose excess decays by 0.94 per calm return.
    const start = (50 * 1e-4 + 0.01) / 51;
    expect(ewmaVariance([...calm, 0.1])).toBeCloseTo(0.94 * (1e-4 + 0.94 ** 50 * (start - 1e-4)) + 0.06 * 0.01, 15);
  });

  it('GARCH variances follow σ²ₜ₊₁ = ω + αrₜ² + βσ²ₜ (computed by hand)', () => {
    const v = garchVariances([0.01, -0.02, 0.03], { omega: 1e-5, alpha: 0.1, beta: 0.8 });
    [4.6666666667e-4, 3.9333333333e-4, 3.6466666667e-4, 3.9173333333e-4].forEach((expected, i) => expect(v[i]).toBeCloseTo(expected, 12));
  });

  it('GARCH horizon variance: one period is the next variance; at the long-run level, periods × it; a fraction counts its share', () => {
    const p = { omega: 5e-6, alpha: 0.1, beta: 0.85 };
    const longRun = 1e-4;
    expect(garchHorizonVariance(p, 4e-4, 1)).toBeCloseTo(4e-4, 15);
    expect(garchHorizonVariance(p, longRun, 10)).toBeCloseTo(10 * longRun, 15);
    expect(garchHorizonVariance(p, 4e-4, 0.25)).toBeCloseTo(1e-4, 15);
    // Past the first period too, a fraction of a period counts its share: 2.5 periods at the long run hold 2.5 × it.
    expect(garchHorizonVariance(p, longRun, 2.5)).toBeCloseTo(2.5 * longRun, 15);
    // From above the long run, the shock decays: 2 periods hold less than twice the next variance.
    expect(garchHorizonVariance(p, 4e-4, 2)).toBeCloseTo(4e-4 + longRun + 0.95 * (4e-4 - longRun), 15);
  });

  it('Nelder-Mead finds the minimum of the Rosenbrock function', () => {
    const rosenbrock = ([x, y]: number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    const { x } = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 5_000, tolerance: 1e-16 });
    expect(x[0]).toBeCloseTo(1, 3);
    expect(x[1]).toBeCloseTo(1, 3);
  });

  it('the GARCH fit recovers the parameters of a simulated series (seeded) within tolerance', () => {
    const truth = { omega: 5e-6, alpha: 0.1, beta: 0.85 };
    const returns = simulateGarch(truth, 5_000, 20_260_312);
    const fit = fitGarch(returns);
    expect(Math.abs(fit.alpha - truth.alpha)).toBeLessThan(0.03);
    expect(Math.abs(fit.beta - truth.beta)).toBeLessThan(0.04);
    const longRun = fit.omega / (1 - fit.alpha - fit.beta);
    expect(Math.abs(longRun / 1e-4 - 1)).toBeLessThan(0.25);
    // The fit is a maximum: the true parameters are no more likely.
    expect(garchNegativeLogLikelihood(returns, fit)).toBeLessThanOrEqual(garchNegativeLogLikelihood(returns, truth));
  });

  it('forecasts scale EWMA variance with the horizon and carry the fitted GARCH parameters', () => {
    const random = seededRandom(7);
    const prices = [100];
    for (let i = 0; i < 300; i++) prices.push(prices[i] * Math.exp(0.02 * random.normal()));
    const ewma = forecastVolatility('ewma', prices, 3);
    expect(ewma.horizonVariance).toBeCloseTo(3 * ewma.nextVariance, 15);
    const garch = forecastVolatility('garch', prices, 3);
    expect(garch.garch).toBeDefined();
    expect(garch.horizonVariance).toBeCloseTo(garchHorizonVariance(garch.garch!, garch.nextVariance, 3), 15);
    expect(() => forecastVolatility('ewma', prices, 0)).toThrow(RangeError);
    expect(() => forecastVolatility('garch', prices, -1)).toThrow(new RangeError('the horizon must be positive'));
  });

  it('fits a stationary model, never less likely than the typical daily fit it starts from, also where the data would rather not be stationary', () => {
    const random = seededRandom(3);
    const rising = Array.from({ length: 400 }, (_, t) => 0.01 * Math.exp(t / 100) * random.normal());
    const calm = Array.from({ length: 400 }, () => 0.01 * random.normal());
    const regimes = Array.from({ length: 400 }, (_, t) => (Math.floor(t / 50) % 2 ? 0.05 : 0.005) * random.normal());
    for (const returns of [rising, calm, regimes]) {
      const fit = fitGarch(returns);
      expect(fit.omega).toBeGreaterThan(0);
      expect(fit.alpha).toBeGreaterThanOrEqual(0);
      expect(fit.beta).toBeGreaterThanOrEqual(0);
      // Persistence below 0.999: the long-run variance ω / (1 − α − β) exists.
      expect(fit.alpha + fit.beta).toBeLessThan(0.999);
      const start = { omega: 0.05 * meanSquare(returns), alpha: 0.1, beta: 0.85 };
      expect(garchNegativeLogLikelihood(returns, fit)).toBeLessThanOrEqual(garchNegativeLogLikelihood(returns, start));
    }
  });
});
