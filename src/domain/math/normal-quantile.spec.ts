/**
 * The standard normal quantile against an independent reference: Python's statistics.NormalDist().inv_cdf
 * (Wichura's AS241, accurate to about 1e-16), at probabilities in the lower tail, the central region,
 * the upper tail and at the borders between them. Acklam's approximation is within 1.2e-9 of it, relative.
 */
import fc from 'fast-check';
import { normalQuantile } from './normal-quantile';

const REFERENCE: [number, number][] = [
  [1e-12, -7.034483825301132],
  [1e-6, -4.753424308822899],
  [0.001, -3.090232306167813],
  [0.01, -2.3263478740408408],
  [0.02, -2.0537489106318225],
  [0.02425, -1.9729610513118845],
  [0.0243, -1.9720841590292884],
  [0.05, -1.6448536269514726],
  [0.1, -1.2815515655446008],
  [0.25, -0.6744897501960817],
  [0.5, 0.0],
  [0.6, 0.2533471031357998],
  [0.75, 0.6744897501960817],
  [0.9, 1.2815515655446008],
  [0.95, 1.6448536269514715],
  [0.975, 1.9599639845400536],
  [0.97575, 1.9729610513118847],
  [0.9758, 1.9738394633131993],
  [0.99, 2.3263478740408408],
  [0.999, 3.090232306167813],
  [0.999999, 4.753424308817089],
];

describe('the standard normal quantile', () => {
  it.each(REFERENCE)('Φ⁻¹(%p) is %p within 1.2e-9, relative', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1.2e-9 * Math.abs(z) + 1e-15);
  });

  it('is odd about one half, and rises with p', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 0.5, noNaN: true }), fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), (p, q) => {
        expect(Math.abs(normalQuantile(p) + normalQuantile(1 - p))).toBeLessThanOrEqual(1e-8 * Math.max(1, Math.abs(normalQuantile(p))));
        if (p < q - 1e-9) expect(normalQuantile(p)).toBeLessThan(normalQuantile(q));
      }),
    );
  });

  it('is refused outside 0 < p < 1', () => {
    for (const p of [0, 1, -0.1, 1.1, Number.NaN]) expect(() => normalQuantile(p)).toThrow(new RangeError('a quantile needs 0 < p < 1'));
  });
});
