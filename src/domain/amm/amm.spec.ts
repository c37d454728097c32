/**
 * The pool market's rules: a swap keeps x·y from falling, sells only the collateral the tab needs
 * (or all it is given), always clears while the market has money, and reports its slippage.
 */
import fc from 'fast-check';
import { WAD } from '../math/fixed-point';
import { ammDecider, AmmState } from './amm';

const seeded = (collateral: bigint, debt: bigint): AmmState =>
  ammDecider
    .decide({ type: 'AddLiquidity', poolId: 'p', collateralUnit: WAD, debtUnit: 10n ** 6n, collateral, debt }, ammDecider.initialState(), undefined)
    .reduce(ammDecider.evolve, ammDecider.initialState());

describe('the pool market', () => {
  it('keeps x·y from falling, never pays more than wanted, and sells no more than given', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: WAD / 100n, max: 10_000n * WAD }),
        fc.bigInt({ min: 10n ** 6n, max: 10n ** 13n }),
        fc.bigInt({ min: 1n, max: 1_000n * WAD }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (x, y, collateral, wanted) => {
          const market = seeded(x, y);
          let events;
          try {
            events = ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral, wanted }, market, undefined);
          } catch {
            return; // too small to pay anything
          }
          const [swap] = events;
          if (swap.type !== 'CollateralSwapped') throw new Error(swap.type);
          expect(swap.collateralIn <= collateral).toBe(true);
          expect(swap.debtOut <= wanted || swap.collateralIn === collateral).toBe(true);
          expect(swap.reserveCollateral * swap.reserveDebt >= x * y).toBe(true);
          expect(swap.price <= swap.priceBefore).toBe(true);
          // When the collateral given suffices, what the tab wanted is raised (to the unit).
          if (swap.collateralIn < collateral) expect(swap.debtOut >= wanted - 1n).toBe(true);
        },
      ),
    );
  });

  it('reports the slippage of a sale against its depth', () => {
    // 100 WETH against 80,000 USDC (price 800): selling 1 WETH pays 80,000 / 101 ≈ 792.08, about 1% under.
    const [swap] = ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral: WAD, wanted: 10n ** 12n }, seeded(100n * WAD, 80_000n * 10n ** 6n), undefined);
    expect(swap).toMatchObject({ collateralIn: WAD, debtOut: 792_079_207n, priceBefore: 800n * WAD, slippageBps: 99n });
  });
});
