/**
 * The seeded source replays mulberry32 exactly: its first draws for a seed are those of an independent
 * implementation (Python, 32-bit arithmetic by masks), a seed is read modulo 2^32, and its normal draws
 * are Box-Muller of two of those uniforms.
 */
import fc from 'fast-check';
import { seededRandom } from './seeded-random';

describe('a seeded random source', () => {
  it('draws mulberry32’s uniforms from its seed', () => {
    const draws = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draws(42)).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423]);
    expect(draws(0)).toEqual([0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111, 0.46732782293111086]);
    // Seeds are 32-bit: 2^32 + 42 replays 42.
    expect(draws(2 ** 32 + 42)).toEqual(draws(42));
  });

  it('draws a standard normal by Box-Muller from two uniforms: √(−2 ln(1 − u₁)) cos(2π u₂)', () => {
    const random = seededRandom(42);
    // Seed 42's uniforms, in pairs: (0.6011…, 0.4482…) and (0.8524…, 0.6697…).
    expect(random.normal()).toBeCloseTo(-1.2848381576290195, 14);
    expect(random.normal()).toBeCloseTo(-0.9453528099747296, 14);
  });

  it('draws uniforms in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const random = seededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const u = random.next();
          expect(u >= 0 && u < 1).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
