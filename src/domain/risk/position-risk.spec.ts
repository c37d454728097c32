/**
 * The risk rules on top of the liquidation rule: the health factor rounded down, max LTV refused only
 * above it, the safe price as the exact boundary of the liquidation rule, and the read model's bands.
 */
import fc from 'fast-check';
import { ceilDiv, RAY, WAD } from '../math/fixed-point';
import { collateralValueOf, debtOf, isLiquidatable } from './liquidation-rule';
import { exceedsMaxLtv, healthBand, healthFactor, maxDraw, safePrice } from './position-risk';

const USDC = 10n ** 6n;

describe('the health factor', () => {
  it('is value × threshold / debt in WAD, rounded down, and undefined without debt', () => {
    expect(healthFactor(1_000n * USDC, 800n * USDC, 8_000n)).toBe(WAD);
    // 1,000 × 0.8 / 3 = 266.666…: rounded down to the last wei.
    expect(healthFactor(1_000n, 3n, 8_000n)).toBe(266_666_666_666_666_666_666n);
    expect(healthFactor(1_000n, 0n, 8_000n)).toBeUndefined();
  });
});

describe('max LTV', () => {
  it('is exceeded only above it: 750 of debt against 1,000 at 75% is allowed, a unit more is not', () => {
    expect(exceedsMaxLtv(1_000n, 750n, 7_500n)).toBe(false);
    expect(exceedsMaxLtv(1_000n, 751n, 7_500n)).toBe(true);
    expect(exceedsMaxLtv(0n, 0n, 7_500n)).toBe(false);
  });
});

describe('the safe price', () => {
  it('is 0 without debt, and undefined with debt and no collateral', () => {
    expect(safePrice(0n, 0n, 8_000n, WAD, USDC)).toBe(0n);
    expect(safePrice(WAD, 0n, 8_000n, WAD, USDC)).toBe(0n);
    expect(safePrice(0n, USDC, 8_000n, WAD, USDC)).toBeUndefined();
  });

  it('is the lowest price at which the position is not liquidatable: 1 WETH owing 800 USDC at 80% is safe from 1,000', () => {
    expect(safePrice(WAD, 800n * USDC, 8_000n, WAD, USDC)).toBe(1_000n * WAD);
  });

  it('is exactly the liquidation rule’s boundary, across token decimals', () => {
    const decimals = fc.integer({ min: 0, max: 18 }).map((d) => 10n ** BigInt(d));
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 26n }), fc.bigInt({ min: 1n, max: 10n ** 26n }), fc.bigInt({ min: 1n, max: 9_999n }), decimals, decimals, (collateral, debt, thresholdBps, collateralUnit, debtUnit) => {
        const price = safePrice(collateral, debt, thresholdBps, collateralUnit, debtUnit);
        if (price === undefined) throw new Error('collateral is positive');
        const liquidatable = (p: bigint) => collateralValueOf(collateral, p, collateralUnit, debtUnit) * thresholdBps < debt * 10_000n;
        expect(liquidatable(price)).toBe(false);
        if (price > 0n) expect(liquidatable(price - 1n)).toBe(true);
        expect(isLiquidatable({ collateral, scaledDebt: debt, price, thresholdBps, borrowIndex: 10n ** 27n, collateralUnit, debtUnit })).toBe(false);
      }),
    );
  });
});

describe('the health bands', () => {
  it('are below 1, 1 to 1.1, 1.1 to 1.5 and 1.5 up, each band starting at its lower bound', () => {
    // At a 100% threshold the health factor is value / debt; 1,000 of debt throughout.
    const band = (value: bigint) => healthBand(value, 1_000n, 10_000n);
    expect([band(999n), band(1_000n), band(1_099n), band(1_100n), band(1_499n), band(1_500n)]).toEqual(['liquidatable', 'atRisk', 'atRisk', 'watch', 'watch', 'safe']);
    expect(healthBand(1_000n, 0n, 10_000n)).toBe('noDebt');
    // The threshold weighs the value: 1,000 at 80% against 800 of debt is a health factor of exactly 1.
    expect([healthBand(1_000n, 800n, 8_000n), healthBand(1_000n, 801n, 8_000n)]).toEqual(['atRisk', 'liquidatable']);
  });
});

/** The debt after drawing `amount`, as the position's DrawDebt records it. */
const debtAfterDrawing = (scaledDebt: bigint, amount: bigint, index: bigint) => debtOf(scaledDebt + ceilDiv(amount * RAY, index), index);

describe('maxDraw', () => {
  it('names the largest draw that stays within max LTV: it passes, one unit more does not', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.bigInt({ min: 0n, max: 10n ** 27n }),
        // From a fresh pool (1) to a debt that has grown tenfold.
        fc.bigInt({ min: RAY, max: 10n * RAY }),
        fc.bigInt({ min: 1n, max: 9999n }),
        (collateralValue, scaledDebt, index, maxLtvBps) => {
          const most = maxDraw(collateralValue, scaledDebt, index, maxLtvBps);
          if (most > 0n) expect(exceedsMaxLtv(collateralValue, debtAfterDrawing(scaledDebt, most, index), maxLtvBps)).toBe(false);
          expect(exceedsMaxLtv(collateralValue, debtAfterDrawing(scaledDebt, most + 1n, index), maxLtvBps)).toBe(true);
        },
      ),
    );
  });

  it('is a unit short of the limit when the index has grown: drawing exactly the limit would pass it', () => {
    // 4000 USDC (6 decimals) of collateral at 75%: the limit is 3000 USDC. The index has grown a hair.
    const index = RAY + 1_587_301_587n;
    expect(exceedsMaxLtv(4000_000000n, debtAfterDrawing(0n, 3000_000000n, index), 7500n)).toBe(true);
    expect(maxDraw(4000_000000n, 0n, index, 7500n)).toBe(2999_999999n);
  });
});
