/**
 * The pool market's rules: a swap keeps x·y from falling, sells only the collateral the tab needs
 * (or all it is given), always clears while the market has money, and reports its slippage.
 */
import fc from 'fast-check';
import { WAD } from '../math/fixed-point';
import { refusalOf } from '../testing';
import { AmmCommand, ammDecider, AmmState, ammStream } from './amm';

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
          } catch (err) {
            // Refused only when all the collateral given would be paid nothing.
            expect(refusalOf(() => { throw err; })?.code).toBe('SWAP_TOO_SMALL');
            expect((y * collateral) / (x + collateral)).toBe(0n);
            return;
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
    expect(swap).toMatchObject({ collateralIn: WAD, debtOut: 792_079_207n, priceBefore: 800n * WAD, price: 792_079_207n * 10n ** 12n, slippageBps: 99n });
    // The market keeps what it bought and gives up what it paid.
    expect(swap).toMatchObject({ reserveCollateral: 101n * WAD, reserveDebt: 80_000n * 10n ** 6n - 792_079_207n });
  });

  it('sells the least collateral that raises what is wanted', () => {
    // 396 USDC out of 100 WETH / 80,000 USDC: dx = 396 × 100 / (80,000 − 396) = 497,462,439,073,413,396.31… wei, rounded up.
    const market = seeded(100n * WAD, 80_000n * 10n ** 6n);
    const [swap] = ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral: WAD, wanted: 396n * 10n ** 6n }, market, undefined);
    expect(swap).toMatchObject({ collateralIn: 497_462_439_073_413_397n, debtOut: 396n * 10n ** 6n });
    // One wei less would not have raised it.
    expect((80_000n * 10n ** 6n * (497_462_439_073_413_397n - 1n)) / (100n * WAD + 497_462_439_073_413_397n - 1n)).toBe(395_999_999n);
    // Given exactly that much, it sells all of it.
    const [exact] = ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral: 497_462_439_073_413_397n, wanted: 396n * 10n ** 6n }, market, undefined);
    expect(exact).toMatchObject({ collateralIn: 497_462_439_073_413_397n, debtOut: 396n * 10n ** 6n });
  });

  it('sells all it is given when the tab wants as much as the market holds, or more', () => {
    const market = seeded(100n * WAD, 80_000n * 10n ** 6n);
    for (const wanted of [80_000n * 10n ** 6n, 80_001n * 10n ** 6n]) {
      const [swap] = ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral: WAD, wanted }, market, undefined);
      expect(swap).toMatchObject({ collateralIn: WAD, debtOut: 792_079_207n });
    }
  });

  it('refuses a sale the market pays nothing for', () => {
    // A wei of WETH is worth 8 × 10^-13 USDC: less than its smallest unit.
    const refusal = refusalOf(() => ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral: 1n, wanted: 10n ** 6n }, seeded(100n * WAD, 80_000n * 10n ** 6n), undefined));
    expect(refusal).toEqual({ code: 'SWAP_TOO_SMALL', message: 'the market pays nothing for so little' });
  });

  it('reports no slippage for a market priced below the smallest WAD, rather than dividing by its zero price', () => {
    // 10^26 units of a 0-decimals coin against 2 wei of an 18-decimals one: 2 × 10^-44 a coin, 0 in WAD.
    const market = ammDecider
      .decide({ type: 'AddLiquidity', poolId: 'p', collateralUnit: 1n, debtUnit: WAD, collateral: 10n ** 26n, debt: 2n }, ammDecider.initialState(), undefined)
      .reduce(ammDecider.evolve, ammDecider.initialState());
    const [swap] = ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral: 10n ** 26n, wanted: 2n }, market, undefined);
    expect(swap).toMatchObject({ collateralIn: 10n ** 26n, debtOut: 1n, priceBefore: 0n, price: 0n, slippageBps: 0n });
  });

  it('refuses to sell nothing, for nothing, or into a pool with no market', () => {
    const market = seeded(100n * WAD, 80_000n * 10n ** 6n);
    const swap = (collateral: bigint, wanted: bigint, state: AmmState = market) =>
      refusalOf(() => ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral, wanted }, state, undefined));
    for (const [collateral, wanted] of [[0n, 10n ** 6n], [WAD, 0n], [-1n, 10n ** 6n], [WAD, -1n]]) {
      expect(swap(collateral, wanted)).toEqual({ code: 'AMOUNT_NOT_POSITIVE', message: 'nothing to sell' });
    }
    expect(swap(WAD, 10n ** 6n, ammDecider.initialState())).toEqual({ code: 'MARKET_NOT_FOUND', message: 'the pool has no market to sell into' });
  });
});

describe('liquidity', () => {
  const add = (collateral: bigint, debt: bigint, state: AmmState = ammDecider.initialState()): AmmCommand & { type: 'AddLiquidity' } => ({
    type: 'AddLiquidity', poolId: state.status === 'active' ? 'other' : 'p', collateralUnit: 1n, debtUnit: 1n, collateral, debt,
  });
  const refusal = (collateral: bigint, debt: bigint, state: AmmState = ammDecider.initialState()) =>
    refusalOf(() => ammDecider.decide(add(collateral, debt, state), state, undefined));

  it('lives on the stream amm-<pool>', () => {
    expect(ammStream('WETH-USDC')).toBe('amm-WETH-USDC');
  });

  it('adds to the reserves, keeps the market’s pool and units, and keeps the last swap', () => {
    const market = seeded(100n * WAD, 80_000n * 10n ** 6n);
    const swapped = ammDecider.decide({ type: 'SwapCollateral', auctionId: 'a', collateral: WAD, wanted: 10n ** 12n }, market, undefined).reduce(ammDecider.evolve, market);
    const events = ammDecider.decide(add(WAD, 10n ** 6n, swapped), swapped, undefined);
    expect(events).toEqual([
      { type: 'LiquidityAdded', poolId: 'p', collateralUnit: WAD, debtUnit: 10n ** 6n, collateral: WAD, debt: 10n ** 6n, reserveCollateral: 102n * WAD, reserveDebt: 80_000n * 10n ** 6n - 792_079_207n + 10n ** 6n },
    ]);
    const after = events.reduce(ammDecider.evolve, swapped);
    if (after.status !== 'active' || swapped.status !== 'active') throw new Error('market');
    expect(after).toMatchObject({ poolId: 'p', collateral: 102n * WAD, debt: 80_000n * 10n ** 6n - 792_079_207n + 10n ** 6n, lastSwap: swapped.lastSwap });
    expect(after.lastSwap).toMatchObject({ type: 'CollateralSwapped', debtOut: 792_079_207n });
  });

  it('refuses a side that is not positive', () => {
    for (const [collateral, debt] of [[0n, 1n], [1n, 0n], [-1n, 1n], [1n, -1n]]) {
      expect(refusal(collateral, debt)).toEqual({ code: 'AMOUNT_NOT_POSITIVE', message: 'both sides of the liquidity must be positive' });
    }
  });

  it('keeps each reserve below 2^88, counting what is already there', () => {
    const max = (1n << 88n) - 1n;
    expect(refusal(max, max)).toBeUndefined();
    const tooLarge = { code: 'AMOUNT_TOO_LARGE', message: 'reserves must stay below 2^88 smallest units' };
    expect(refusal(max + 1n, 1n)).toEqual(tooLarge);
    expect(refusal(1n, max + 1n)).toEqual(tooLarge);
    const market = ammDecider.decide(add(max - 1n, max - 1n), ammDecider.initialState(), undefined).reduce(ammDecider.evolve, ammDecider.initialState());
    expect(refusal(1n, 1n, market)).toBeUndefined();
    expect(refusal(2n, 1n, market)).toEqual(tooLarge);
    expect(refusal(1n, 2n, market)).toEqual(tooLarge);
  });
});
