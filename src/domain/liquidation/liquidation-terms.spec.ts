/**
 * What a liquidation sells and for how much, each rule at its boundary: the close factor's share above
 * the full-close health factor (exactly at it too), all the debt below it or when the rest would be
 * dust; the penalty and what a taker owes rounded up, what money buys rounded down, across token
 * decimals; and the proceeds paid to the debt first, then the penalty, split into bonus, fee and reserve.
 */
import fc from 'fast-check';
import { WAD } from '../math/fixed-point';
import { PoolParameters } from '../pool/pool';
import { collateralFor, liquidationTerms, maxLiquidatableDebt, owedFor, PositionAtLiquidation, splitProceeds } from './liquidation-terms';

const USDC = 10n ** 6n;
const parameters: PoolParameters = {
  maxLtvBps: 7_000n, liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (8n * WAD) / 10n, dustLimit: 10n * USDC, liquidationCollateralCap: 10n ** 30n, stabilityFeeYearly: 0n,
};
/** 1 WETH at 1,000 USDC, owing `debt` USDC units: at an 80% threshold, 1,000 USDC of debt is a health factor of exactly 0.8. */
/** A pool that closes all of a position only below a health factor of 0.5. */
const partialClose: PoolParameters = { ...parameters, fullCloseHealthFactor: WAD / 2n };
const position = (debt: bigint, collateral = WAD): PositionAtLiquidation => ({ collateral, debt, price: 1_000n * WAD, collateralUnit: WAD, debtUnit: USDC });

describe('the debt a liquidation covers', () => {
  it('is the close factor’s share at exactly the full-close health factor, and all of it just below', () => {
    expect(maxLiquidatableDebt(position(1_000n * USDC), parameters)).toBe(500n * USDC);
    expect(maxLiquidatableDebt(position(1_000n * USDC), { ...parameters, fullCloseHealthFactor: (8n * WAD) / 10n + 1n })).toBe(1_000n * USDC);
  });

  it('is the close factor’s share rounded down', () => {
    expect(maxLiquidatableDebt(position(1_000n * USDC + 1n), partialClose)).toBe(500n * USDC);
  });

  it('is all of it when the rest would be below the dust limit, and the share when the rest is exactly the limit', () => {
    expect(maxLiquidatableDebt(position(1_000n * USDC), { ...parameters, dustLimit: 500n * USDC })).toBe(500n * USDC);
    expect(maxLiquidatableDebt(position(1_000n * USDC), { ...parameters, dustLimit: 500n * USDC + 1n })).toBe(1_000n * USDC);
  });

  it('is nothing without debt', () => {
    expect(maxLiquidatableDebt(position(0n), parameters)).toBe(0n);
    expect(liquidationTerms(position(0n), parameters)).toEqual({ debtToCover: 0n, penalty: 0n, tab: 0n, lot: WAD });
  });
});

describe('the terms of a liquidation', () => {
  it('charge the penalty on the covered debt rounded up, and sell the covered share of the collateral rounded up', () => {
    // 1,000.000001 USDC owed: half is 500 USDC, 5% of it 25 USDC; the lot is 500 / 1,000.000001 of 1 WETH, rounded up.
    expect(liquidationTerms(position(1_000n * USDC + 1n), partialClose)).toEqual({ debtToCover: 500n * USDC, penalty: 25n * USDC, tab: 525n * USDC, lot: 499_999_999_500_000_001n });
    // 500.000001 USDC covered: 25.00000005 USDC of penalty → 25.000001.
    expect(liquidationTerms(position(1_000n * USDC + 2n), partialClose)).toMatchObject({ debtToCover: 500_000_001n, penalty: 25_000_001n, tab: 525_000_002n });
  });

  it('sell all the collateral when all the debt is covered', () => {
    expect(liquidationTerms(position(1_100n * USDC, 3n), parameters)).toEqual({ debtToCover: 1_100n * USDC, penalty: 55n * USDC, tab: 1_155n * USDC, lot: 3n });
  });
});

describe('what a taker pays and receives', () => {
  it('pays the value of what it takes, rounded up, across token decimals', () => {
    // 0.5 WETH (18 decimals) at 1,000.000001 USDC (6 decimals) is 500.0000005 USDC → 500.000001.
    expect(owedFor(WAD / 2n, 1_000_000_001n * 10n ** 12n, WAD, USDC)).toBe(500_000_001n);
    // 1 satoshi (8 decimals) at 30,000.5 USDC is 300.005 units → 301; a whole-number value is not rounded.
    expect(owedFor(1n, 300_005n * 10n ** 17n, 10n ** 8n, USDC)).toBe(301n);
    expect(owedFor(1n, 30_000n * WAD, 10n ** 8n, USDC)).toBe(300n);
    // 1 unit of a 6-decimal token at 1 is 10^12 units of an 18-decimal one.
    expect(owedFor(1n, WAD, USDC, WAD)).toBe(10n ** 12n);
  });

  it('receives the most collateral its money buys, rounded down, and nothing at a price of zero', () => {
    expect(collateralFor(500_000_001n, 1_000_000_001n * 10n ** 12n, WAD, USDC)).toBe(500_000_000_499_999_999n);
    expect(collateralFor(300n, 30_000n * WAD, 10n ** 8n, USDC)).toBe(1n);
    expect(collateralFor(299n, 30_000n * WAD, 10n ** 8n, USDC)).toBe(0n);
    expect(collateralFor(10n ** 12n, WAD, USDC, WAD)).toBe(1n);
    expect(collateralFor(500n * USDC, 0n, WAD, USDC)).toBe(0n);
  });

  it('never gets collateral it did not pay for: paying for what money buys costs at most that money, and what is owed buys at least what was taken', () => {
    const decimals = fc.integer({ min: 0, max: 18 }).map((d) => 10n ** BigInt(d));
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 26n }), fc.bigInt({ min: 1n, max: 10n ** 26n }), decimals, decimals, (amount, price, collateralUnit, debtUnit) => {
        expect(owedFor(collateralFor(amount, price, collateralUnit, debtUnit), price, collateralUnit, debtUnit) <= amount).toBe(true);
        expect(collateralFor(owedFor(amount, price, collateralUnit, debtUnit), price, collateralUnit, debtUnit) >= amount).toBe(true);
      }),
    );
  });
});

describe('the split of an auction’s proceeds', () => {
  it('repays the debt first: what is raised below the covered debt all repays it, and no penalty is paid', () => {
    expect(splitProceeds(300n, 500n, parameters, true)).toEqual({ debtRepaid: 300n, penaltyPaid: 0n, liquidatorBonus: 0n, protocolFee: 0n, reserveIn: 0n });
    expect(splitProceeds(500n, 500n, parameters, true)).toEqual({ debtRepaid: 500n, penaltyPaid: 0n, liquidatorBonus: 0n, protocolFee: 0n, reserveIn: 0n });
  });

  it('then pays the penalty: the bonus its 300 / 500 share, the fee 10% of the bonus, the reserve the rest with the fee', () => {
    expect(splitProceeds(1_050n * USDC, 1_000n * USDC, parameters, true)).toEqual({
      debtRepaid: 1_000n * USDC, penaltyPaid: 50n * USDC, liquidatorBonus: 30n * USDC, protocolFee: 3n * USDC, reserveIn: 23n * USDC,
    });
  });

  it('rounds the bonus down and the fee up, in the pool’s favour', () => {
    // A penalty of 7: the bonus is 4.2 → 4, the fee 0.4 → 1, and the reserve 7 − 4 + 1.
    expect(splitProceeds(1_007n, 1_000n, parameters, true)).toEqual({ debtRepaid: 1_000n, penaltyPaid: 7n, liquidatorBonus: 4n, protocolFee: 1n, reserveIn: 4n });
  });

  it('pays no bonus when the ledger found the liquidation itself, or when the pool charges no penalty', () => {
    expect(splitProceeds(1_050n * USDC, 1_000n * USDC, parameters, false)).toEqual({ debtRepaid: 1_000n * USDC, penaltyPaid: 50n * USDC, liquidatorBonus: 0n, protocolFee: 0n, reserveIn: 50n * USDC });
    expect(splitProceeds(1_050n, 1_000n, { ...parameters, liquidationPenaltyBps: 0n }, true)).toMatchObject({ penaltyPaid: 50n, liquidatorBonus: 0n, reserveIn: 50n });
  });

  it('accounts for every unit raised: debt, the liquidator’s bonus less the fee, and the reserve', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.bigInt({ min: 1n, max: 2_000n }), fc.boolean(), (raised, debtToCover, penaltyBps, hasLiquidator) => {
        const p = { ...parameters, liquidationPenaltyBps: penaltyBps, liquidatorBonusBps: penaltyBps / 2n };
        const split = splitProceeds(raised, debtToCover, p, hasLiquidator);
        expect(split.debtRepaid).toBe(raised < debtToCover ? raised : debtToCover);
        expect(split.debtRepaid + split.liquidatorBonus - split.protocolFee + split.reserveIn).toBe(raised);
        expect(split.liquidatorBonus <= split.penaltyPaid).toBe(true);
      }),
    );
  });
});
