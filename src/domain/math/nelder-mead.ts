/**
 * Nelder-Mead downhill simplex (standard coefficients: reflect 1, expand 2, contract ½, shrink ½):
 * minimises a function of a few unconstrained variables without derivatives. Enough for a
 * maximum-likelihood fit of three parameters; deterministic, so an auditor's refit gives the same point.
 */
export interface Minimum {
  x: number[];
  value: number;
  iterations: number;
}

export function nelderMead(f: (x: number[]) => number, start: number[], { step = 0.5, maxIterations = 2_000, tolerance = 1e-10 } = {}): Minimum {
  const n = start.length;
  const at = (x: number[]) => ({ x, value: f(x) });
  let simplex = [at(start), ...start.map((_, i) => at(start.map((v, k) => (k === i ? v + step : v))))];
  const along = (from: number[], to: number[], t: number) => from.map((v, k) => v + t * (to[k] - v));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((a, b) => a.value - b.value);
    const [best, worst] = [simplex[0], simplex[n]];
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + tolerance)) break;
    const centroid = start.map((_, k) => simplex.slice(0, n).reduce((sum, p) => sum + p.x[k], 0) / n);
    const reflected = at(along(worst.x, centroid, 2));
    if (reflected.value < best.value) {
      const expanded = at(along(worst.x, centroid, 3));
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < simplex[n - 1].value) {
      simplex[n] = reflected;
    } else {
      // Outside contraction when the reflection improved on the worst point, inside otherwise.
      const contracted = at(along(centroid, reflected.value < worst.value ? reflected.x : worst.x, 0.5));
      if (contracted.value < Math.min(worst.value, reflected.value)) simplex[n] = contracted;
      else simplex = simplex.map((p, i) => (i === 0 ? p : at(along(best.x, p.x, 0.5))));
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return { x: simplex[0].x, value: simplex[0].value, iterations };
}
