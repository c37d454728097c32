/**
 * The stability fee: the borrow index compounds from its checkpoint, rounded up, and the per-second
 * rate is the largest that never charges more over a year than the yearly fee announced.
 */
import fc from 'fast-check';
import { RAY, rpowUp, WAD } from '../math/fixed-point';
import { indexAt, perSecondRate, SECONDS_PER_YEAR } from './stability-fee';

describe('the borrow index', () => {
  const checkpoint = { index: (RAY * 11n) / 10n, at: 1_000n, ratePerSecond: RAY + 10n ** 18n };

  it('is the checkpoint’s index at or before its time', () => {
    expect(indexAt(checkpoint, 1_000n)).toBe(checkpoint.index);
    expect(indexAt(checkpoint, 999n)).toBe(checkpoint.index);
  });

  it('compounds the rate over the time since, rounded up', () => {
    // One second: 1.1 × (1 + 10^-9) = 1.1000000011 exactly; ten seconds: 1.1 × rate^10, rounded up.
    expect(indexAt(checkpoint, 1_001n)).toBe(1_100_000_001_100_000_000_000_000_000n);
    const tenSeconds = indexAt(checkpoint, 1_010n);
    const exact = checkpoint.index * rpowUp(checkpoint.ratePerSecond, 10n);
    expect(tenSeconds).toBe((exact + RAY - 1n) / RAY);
    expect(indexAt({ ...checkpoint, index: 3n }, 1_001n)).toBe(4n); // 3.000000003 → 4: never rounded in the borrower's favour
  });
});

describe('the per-second rate', () => {
  it('is RAY for no fee', () => {
    expect(perSecondRate(0n)).toBe(RAY);
  });

  it('is the largest rate whose year of compounding stays within the yearly fee', () => {
    for (const yearly of [WAD / 20n, WAD / 10n, WAD]) {
      const rate = perSecondRate(yearly);
      const target = RAY + yearly * 10n ** 9n;
      expect(rpowUp(rate, SECONDS_PER_YEAR) <= target).toBe(true);
      expect(rpowUp(rate + 1n, SECONDS_PER_YEAR) > target).toBe(true);
    }
  });

  it('is the largest within the yearly fee for any fee up to 100%, the smallest included', () => {
    // A fee of 10^-18 a year (10^9 units of RAY): 30 units a second compound, rounded up, to 977,615,999 units over a
    // year, and 31 to 1,009,151,999, more than allowed.
    expect(perSecondRate(1n)).toBe(RAY + 30n);
    expect(rpowUp(RAY + 30n, SECONDS_PER_YEAR)).toBe(RAY + 977_615_999n);
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 6n }), fc.bigInt({ min: 0n, max: WAD })), (yearly) => {
        const rate = perSecondRate(yearly);
        const target = RAY + yearly * 10n ** 9n;
        expect(rpowUp(rate, SECONDS_PER_YEAR) <= target).toBe(true);
        expect(rpowUp(rate + 1n, SECONDS_PER_YEAR) > target).toBe(true);
        // Compounding rounded up never charges less than simple interest, so the rate is below the yearly fee spread evenly.
        if (yearly > 0n) expect(rate < RAY + (yearly * 10n ** 9n) / SECONDS_PER_YEAR).toBe(true);
      }),
    );
  });
});
