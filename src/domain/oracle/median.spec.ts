/**
 * The pool price of a round and the deviation limit: the median is the lower middle of the quorum's
 * prices whatever their order, and a move of exactly the limit, up or down, is within it.
 */
import fc from 'fast-check';
import { deviatesBeyond, medianPrice } from './median';

describe('the median of a round’s prices', () => {
  it('is the lower middle price: at most half of the others lie below it, and at most half above it', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 10n ** 24n }), { minLength: 1, maxLength: 15 }), (prices) => {
        const median = medianPrice(prices);
        const below = prices.filter((p) => p < median).length;
        const atOrBelow = prices.filter((p) => p <= median).length;
        expect(prices).toContain(median);
        // The lower of the two middles: ⌈n/2⌉ prices at or below it, fewer than ⌈n/2⌉ strictly below.
        const half = Math.ceil(prices.length / 2);
        expect(atOrBelow >= half && below < half).toBe(true);
      }),
    );
  });

  it('takes the lower middle of an even count, in any order, and leaves the reports as they came', () => {
    const prices = [4_000n, 1_000n, 3_000n, 2_000n];
    expect(medianPrice(prices)).toBe(2_000n);
    expect(prices).toEqual([4_000n, 1_000n, 3_000n, 2_000n]);
    expect(medianPrice([3n, 1n, 2n])).toBe(2n);
    expect(medianPrice([2n, 3n, 1n])).toBe(2n);
    expect(medianPrice([7n])).toBe(7n);
    expect(medianPrice([5n, 5n, 1n])).toBe(5n);
  });

  it('refuses a round with no prices', () => {
    expect(() => medianPrice([])).toThrow(new RangeError('the median of no prices'));
  });
});

describe('the deviation limit', () => {
  it('lets a move of exactly the limit through, up or down, and stops one unit beyond it', () => {
    // 10% of 1,000,000: 1,100,000 and 900,000 are within, 1,100,001 and 899,999 beyond.
    expect(deviatesBeyond(1_000_000n, 1_100_000n, 1_000n)).toBe(false);
    expect(deviatesBeyond(1_000_000n, 900_000n, 1_000n)).toBe(false);
    expect(deviatesBeyond(1_000_000n, 1_100_001n, 1_000n)).toBe(true);
    expect(deviatesBeyond(1_000_000n, 899_999n, 1_000n)).toBe(true);
    expect(deviatesBeyond(1_000_000n, 1_000_000n, 1n)).toBe(false);
  });

  it('is symmetric in direction: a drop is judged by its size as a rise is', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 24n }), fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.bigInt({ min: 1n, max: 10_000n }), (previous, move, limitBps) => {
        const beyond = move * 10_000n > previous * limitBps;
        expect(deviatesBeyond(previous, previous + move, limitBps)).toBe(beyond);
        if (move <= previous) expect(deviatesBeyond(previous, previous - move, limitBps)).toBe(beyond);
      }),
    );
  });
});
