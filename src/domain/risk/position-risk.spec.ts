import fc from 'fast-check';
import { ceilDiv, RAY } from '../math/fixed-point';
import { debtOf } from './liquidation-rule';
import { exceedsMaxLtv, maxDraw } from './position-risk';

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
