/**
 * Fixed-point arithmetic, each rounding named: floor and ceiling against the exact quotient, and the
 * borrow index's power (rpowUp) against an independent high-precision reference (decimal.js at 100
 * significant digits, and exact rationals for small exponents): never below the true power, since
 * undercounting interest would cost the pool, and only a few units above it.
 */
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { BPS, ceilDiv, floorDiv, mulDivDown, mulDivUp, RAY, rpowUp, WAD } from './fixed-point';

const Precise = Decimal.clone({ precision: 100, rounding: Decimal.ROUND_DOWN });

/** x^n for a RAY-scaled x, as an exact rational's floor: x^n / RAY^(n-1), rounded down. */
function exactPowerFloor(x: bigint, n: bigint): bigint {
  return n === 0n ? RAY : x ** n / RAY ** (n - 1n);
}

describe('the scales', () => {
  it('are 10^18 for prices, 10^27 for the borrow index, 10,000 basis points for ratios', () => {
    expect([WAD, RAY, BPS]).toEqual([1_000_000_000_000_000_000n, 1_000_000_000_000_000_000_000_000_000n, 10_000n]);
  });
});

describe('division rounded down and up', () => {
  it('floor and ceiling bracket the exact quotient, and differ only when it is not whole', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.bigInt({ min: 1n, max: 10n ** 30n }), (a, b) => {
        const down = floorDiv(a, b);
        const up = ceilDiv(a, b);
        expect(down * b <= a && a < (down + 1n) * b).toBe(true);
        expect(up).toBe(a % b === 0n ? down : down + 1n);
      }),
    );
  });

  it('rounds at the edges as named: 0 stays 0, 11 / 5 is 2 down and 3 up, 10 / 5 is 2 both ways', () => {
    expect([floorDiv(0n, 5n), ceilDiv(0n, 5n)]).toEqual([0n, 0n]);
    expect([floorDiv(11n, 5n), ceilDiv(11n, 5n)]).toEqual([2n, 3n]);
    expect([floorDiv(10n, 5n), ceilDiv(10n, 5n)]).toEqual([2n, 2n]);
    expect([floorDiv(1n, 1n), ceilDiv(1n, 1n)]).toEqual([1n, 1n]);
  });

  it('refuses a zero or negative divisor and a negative dividend, where the rounding direction would flip', () => {
    for (const [a, b] of [
      [1n, 0n],
      [1n, -1n],
      [-1n, 1n],
    ]) {
      expect(() => floorDiv(a, b)).toThrow(new RangeError('floorDiv needs a >= 0 and b > 0'));
      expect(() => ceilDiv(a, b)).toThrow(new RangeError('ceilDiv needs a >= 0 and b > 0'));
    }
  });

  it('mulDivDown and mulDivUp are floor and ceiling of a × b / d', () => {
    expect(mulDivDown(7n, 3n, 2n)).toBe(10n);
    expect(mulDivUp(7n, 3n, 2n)).toBe(11n);
    expect(mulDivUp(4n, 3n, 2n)).toBe(6n);
    expect(() => mulDivDown(1n, 1n, 0n)).toThrow('floorDiv needs');
    expect(() => mulDivUp(1n, 1n, 0n)).toThrow('ceilDiv needs');
  });
});

describe('rpowUp, the borrow index’s power', () => {
  it('is RAY for n = 0 and x itself for n = 1, and refuses a negative n', () => {
    expect(rpowUp(3n * RAY, 0n)).toBe(RAY);
    expect(rpowUp(1_000_000_001_234_567_890_123_456_789n, 1n)).toBe(1_000_000_001_234_567_890_123_456_789n);
    expect(() => rpowUp(RAY, -1n)).toThrow(new RangeError('rpow needs n >= 0'));
  });

  it('is exact for whole numbers: 2^10 = 1024, 3^7 = 2187', () => {
    expect(rpowUp(2n * RAY, 10n)).toBe(1024n * RAY);
    expect(rpowUp(3n * RAY, 7n)).toBe(2187n * RAY);
  });

  it('never undercounts the exact power, and overcounts it by at most a few units per squaring', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: RAY, max: RAY + RAY / 10n ** 6n }), fc.bigInt({ min: 0n, max: 600n }), (x, n) => {
        const exact = exactPowerFloor(x, n);
        const got = rpowUp(x, n);
        expect(got >= exact).toBe(true);
        // Each rounding adds under a unit, and later squarings at most double earlier errors.
        expect(got - exact <= 4n * (n + 1n)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  /** (x / RAY)^n × RAY to 100 significant digits, rounded down: the true power, independently of rpowUp. */
  const reference = (x: bigint, n: bigint): bigint =>
    BigInt(new Precise(x.toString()).div(RAY.toString()).pow(n.toString()).mul(RAY.toString()).toFixed(0, Decimal.ROUND_DOWN));

  it('compounds 5% a year, second by second, to the 100-digit reference, never below it and never above the 5% announced', () => {
    // The largest per-second rate that compounds to at most 5% a year (interest/stability-fee.ts perSecondRate).
    const rate = 1_000_000_001_547_125_957_863_212_448n;
    const year = 31_536_000n;
    const index = rpowUp(rate, year);
    expect(index >= reference(rate, year)).toBe(true);
    // Squaring doubles earlier rounding errors, so the overcount grows with n, not with log n: still under 10^-22.
    expect(index - reference(rate, year) <= 2n * year).toBe(true);
    expect(index <= RAY + (RAY * 5n) / 100n).toBe(true);
  });

  it('raises a per-second rate to a day as the 100-digit reference does, rounded up', () => {
    const rate = 1_000_000_003_022_265_980_097_387_650n; // 10% a year
    for (const n of [86_400n, 86_399n, 3_600n, 59n]) {
      const index = rpowUp(rate, n);
      expect(index >= reference(rate, n)).toBe(true);
      expect(index - reference(rate, n) <= 2n * n).toBe(true);
    }
  });
});
