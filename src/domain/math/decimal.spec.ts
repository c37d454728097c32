/**
 * Decimal strings at the edges and bigint fixed point inside: parsing never rounds, and formatting is
 * the shortest exact string, so the two are inverse.
 */
import fc from 'fast-check';
import { DomainError } from '../decider';
import { refusalOf } from '../testing';
import { formatDecimal, parseDecimal } from './decimal';

describe('parsing a decimal', () => {
  it('scales it exactly to the token’s decimals', () => {
    expect(parseDecimal('1.5', 18)).toBe(1_500_000_000_000_000_000n);
    expect(parseDecimal('12', 6)).toBe(12_000_000n);
    expect(parseDecimal('0.000001', 6)).toBe(1n);
    expect(parseDecimal('7', 0)).toBe(7n);
    expect(parseDecimal('0', 0)).toBe(0n);
  });

  it('refuses more decimals than the token has, saying what and how many', () => {
    const error = (() => {
      try {
        parseDecimal('0.0000001', 6, 'price');
      } catch (err) {
        return err;
      }
    })();
    expect(error).toEqual(new DomainError('TOO_MANY_DECIMALS', 'price has 7 decimals; at most 6 are allowed', { what: 'price', decimals: '6' }));
    expect(error).toMatchObject({ code: 'TOO_MANY_DECIMALS', details: { what: 'price', decimals: '6' } });
  });

  it('refuses anything but a plain non-negative decimal', () => {
    for (const text of ['', '-1', '01', '1.', '.5', '1e3', ' 1', '1 ', '0x10', '1.2.3']) {
      expect(() => parseDecimal(text, 6)).toThrow(new DomainError('INVALID_DECIMAL', `amount must be a non-negative decimal such as "12.5", not "${text}"`));
    }
    expect(() => parseDecimal('x'.repeat(50), 6)).toThrow(`not "${'x'.repeat(40)}"`);
    expect(refusalOf(() => parseDecimal('1e3', 6, 'price'))).toEqual({ code: 'INVALID_DECIMAL', message: 'price must be a non-negative decimal such as "12.5", not "1e3"' });
  });
});

describe('formatting a decimal', () => {
  it('writes the shortest exact string, with a sign for a negative value', () => {
    expect(formatDecimal(1_500_000_000_000_000_000n, 18)).toBe('1.5');
    expect(formatDecimal(1n, 6)).toBe('0.000001');
    expect(formatDecimal(12_000_000n, 6)).toBe('12');
    expect(formatDecimal(-2_500_000n, 6)).toBe('-2.5');
    // The sign goes before the whole part, also when the value is less than a whole unit.
    expect(formatDecimal(-1n, 6)).toBe('-0.000001');
    expect(formatDecimal(-120n, 3)).toBe('-0.12');
    expect(formatDecimal(0n, 6)).toBe('0');
    expect(formatDecimal(7n, 0)).toBe('7');
  });

  it('is parsing’s inverse', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (value, decimals) => {
        expect(parseDecimal(formatDecimal(value, decimals), decimals)).toBe(value);
      }),
    );
  });

  it('writes a negative value as its magnitude with a minus sign', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (value, decimals) => {
        expect(formatDecimal(-value, decimals)).toBe(`-${formatDecimal(value, decimals)}`);
      }),
    );
  });
});
