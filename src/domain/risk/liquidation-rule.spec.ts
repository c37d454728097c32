/**
 * The liquidation rule and the amounts it rests on, in the pool's favour: debt rounds up, collateral
 * value down, a repayment clears at most what it pays for, and only the circuit's bit widths can be
 * proven. The boundary: a health factor of exactly one is not liquidatable.
 */
import fc from 'fast-check';
import { RAY, WAD } from '../math/fixed-point';
import { collateralValueOf, debtOf, decimalsOf, fitsCircuit, isLiquidatable, LiquidationRuleInput, scaledDebtAfterRepaying, unitOf } from './liquidation-rule';

describe('token units', () => {
  it('are 10^decimals for 0 to 18 decimals, and decimalsOf reads them back', () => {
    for (let decimals = 0; decimals <= 18; decimals++) {
      expect(unitOf(decimals)).toBe(10n ** BigInt(decimals));
      expect(decimalsOf(unitOf(decimals))).toBe(decimals);
    }
  });

  it('refuses decimals outside 0..18 or not whole', () => {
    for (const decimals of [-1, 19, 1.5, Number.NaN]) {
      expect(() => unitOf(decimals)).toThrow(new RangeError(`token decimals must be an integer in 0..18: ${decimals}`));
    }
  });
});

describe('debt and collateral value', () => {
  it('debt is scaledDebt × index / RAY rounded up: the borrower never owes less than the index says', () => {
    expect(debtOf(100n, RAY)).toBe(100n);
    expect(debtOf(100n, RAY + RAY / 200n)).toBe(101n); // 100.5 → 101
    expect(debtOf(100n, (RAY * 3n) / 2n)).toBe(150n);
    expect(debtOf(0n, 2n * RAY)).toBe(0n);
  });

  it('collateral value is rounded down, across token decimals', () => {
    // 1.5 WETH (18 decimals) at 2,000.5 USDC (6 decimals) is 3,000.75 USDC.
    expect(collateralValueOf(15n * 10n ** 17n, 20_005n * 10n ** 17n, 10n ** 18n, 10n ** 6n)).toBe(3_000_750_000n);
    // 1 satoshi (8 decimals) at 30,000 USDC is 0.0003 USDC = 300 units; 1 wei of WETH at 1,000 is under a unit.
    expect(collateralValueOf(1n, 30_000n * WAD, 10n ** 8n, 10n ** 6n)).toBe(300n);
    expect(collateralValueOf(1n, 1_000n * WAD, 10n ** 18n, 10n ** 6n)).toBe(0n);
    expect(collateralValueOf(999_999_999n, 1_000n * WAD, 10n ** 18n, 10n ** 6n)).toBe(0n);
    expect(collateralValueOf(1_000_000_000n, 1_000n * WAD, 10n ** 18n, 10n ** 6n)).toBe(1n);
  });
});

describe('a repayment', () => {
  it('clears the whole scaled debt only when it repays the whole debt', () => {
    expect(scaledDebtAfterRepaying(1_000n, 1_500n, 1_500n, (RAY * 3n) / 2n)).toBe(0n);
    // Exactly, not by the scaled amount the payment buys: at an index of 0.5, 3 scaled owes 2, and 2 would buy 4.
    expect(scaledDebtAfterRepaying(3n, debtOf(3n, RAY / 2n), 2n, RAY / 2n)).toBe(0n);
  });

  it('clears the scaled amount it pays for, rounded down: a partial repayment never adds to the debt', () => {
    // At index 1.5, repaying 300 clears 200 scaled; repaying 301 clears 200.666… → 200.
    expect(scaledDebtAfterRepaying(1_000n, 1_500n, 300n, (RAY * 3n) / 2n)).toBe(800n);
    expect(scaledDebtAfterRepaying(1_000n, 1_500n, 301n, (RAY * 3n) / 2n)).toBe(800n);
    expect(scaledDebtAfterRepaying(1_000n, 1_500n, 302n, (RAY * 3n) / 2n)).toBe(799n);
  });

  it('leaves at least the debt less the repayment, and never more than before', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 26n }), fc.bigInt({ min: RAY, max: 3n * RAY }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (scaledDebt, index, perMillion) => {
        const debt = debtOf(scaledDebt, index);
        const amount = (debt * perMillion) / 10n ** 6n;
        if (amount === 0n || amount === debt) return;
        const after = scaledDebtAfterRepaying(scaledDebt, debt, amount, index);
        expect(after <= scaledDebt).toBe(true);
        expect(debtOf(after, index) >= debt - amount).toBe(true);
      }),
    );
  });
});

describe('the liquidation rule', () => {
  // 1 WETH at 1,000 USDC with an 80% threshold: liquidatable once the debt is above 800 USDC.
  const at = (scaledDebt: bigint, overrides: Partial<LiquidationRuleInput> = {}): LiquidationRuleInput => ({
    collateral: WAD, scaledDebt, price: 1_000n * WAD, thresholdBps: 8_000n, borrowIndex: RAY, collateralUnit: 10n ** 18n, debtUnit: 10n ** 6n, ...overrides,
  });

  it('holds below a health factor of one, not at exactly one', () => {
    expect(isLiquidatable(at(800_000_000n))).toBe(false);
    expect(isLiquidatable(at(800_000_001n))).toBe(true);
    expect(isLiquidatable(at(0n))).toBe(false);
  });

  it('counts the debt with interest, rounded up, against the value rounded down', () => {
    // 799.999999 USDC at an index just above one owes 800.000000 (rounded up): not yet; a unit more is.
    expect(isLiquidatable(at(799_999_999n, { borrowIndex: RAY + 1n }))).toBe(false);
    expect(isLiquidatable(at(800_000_000n, { borrowIndex: RAY + 1n }))).toBe(true);
    // A wei less than 1 WETH is worth 999.999999 USDC (rounded down): 800 USDC of debt is above its 80%.
    expect(isLiquidatable(at(800_000_000n, { collateral: WAD - 1n }))).toBe(true);
  });

  it('agrees with the health factor computed exactly as a rational', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 22n }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 22n }), fc.bigInt({ min: 1n, max: 9_999n }), (collateral, scaledDebt, price, thresholdBps) => {
        const x = at(scaledDebt, { collateral, price, thresholdBps });
        const value = (collateral * price * 10n ** 6n) / (WAD * 10n ** 18n);
        expect(isLiquidatable(x)).toBe(value * thresholdBps < scaledDebt * 10_000n);
      }),
    );
  });
});

describe('the circuit’s bit widths', () => {
  const fits: LiquidationRuleInput = {
    collateral: (1n << 88n) - 1n, scaledDebt: (1n << 88n) - 1n, price: (1n << 88n) - 1n, thresholdBps: (1n << 14n) - 1n,
    borrowIndex: (1n << 128n) - 1n, collateralUnit: (1n << 60n) - 1n, debtUnit: (1n << 60n) - 1n,
  };

  it('take every value up to its width', () => {
    expect(fitsCircuit(fits)).toBe(true);
    expect(fitsCircuit({ ...fits, collateral: 0n, scaledDebt: 0n, price: 0n, thresholdBps: 0n, borrowIndex: 0n, collateralUnit: 1n, debtUnit: 0n })).toBe(true);
  });

  it('refuse each value at 2^width or below zero, and a zero collateral unit', () => {
    const widths: Array<[keyof LiquidationRuleInput, bigint]> = [
      ['collateral', 88n], ['scaledDebt', 88n], ['price', 88n], ['thresholdBps', 14n], ['borrowIndex', 128n], ['collateralUnit', 60n], ['debtUnit', 60n],
    ];
    for (const [field, bits] of widths) {
      expect([field, fitsCircuit({ ...fits, [field]: 1n << bits })]).toEqual([field, false]);
      expect([field, fitsCircuit({ ...fits, [field]: -1n })]).toEqual([field, false]);
    }
    expect(fitsCircuit({ ...fits, collateralUnit: 0n })).toBe(false);
  });
});
