/**
 * The ordered index returns exactly what a full scan with the liquidation rule returns, for random
 * positions (tiny ones included, where rounding decides), random updates and removals, and random
 * prices, indexes, thresholds and scales.
 */
import fc from 'fast-check';
import { RAY, WAD } from '../math/fixed-point';
import { IndexedPosition, LiquidationIndex, liquidatableByScan, PoolRiskView } from './liquidation-index';

// Tiny amounts are where rounding, not the ratio, decides: they must come up often.
const amount = fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 1_000n }), fc.bigInt({ min: 0n, max: 10n ** 26n }));
const position = (ids: number) =>
  fc.record({
    positionId: fc.integer({ min: 0, max: ids - 1 }).map((i) => `p${i}`),
    poolId: fc.constantFrom('a', 'b'),
    collateral: amount,
    scaledDebt: amount,
  });
const change = fc.oneof(
  { arbitrary: position(40).map((p) => ({ set: p })), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 39 }).map((i) => ({ remove: `p${i}` })), weight: 1 },
);
const view: fc.Arbitrary<PoolRiskView> = fc.record({
  price: fc.oneof(
    fc.bigInt({ min: 1n, max: 10n ** 6n }),
    fc.bigInt({ min: 1n, max: 10n ** 24n }),
    fc.bigInt({ min: 1n, max: 40n }).map((quarters) => (quarters * WAD) / 4n),
  ),
  borrowIndex: fc.oneof(fc.constant(RAY), fc.bigInt({ min: RAY, max: 3n * RAY })),
  thresholdBps: fc.oneof(fc.constantFrom(5_000n, 8_000n, 10_000n), fc.bigInt({ min: 1n, max: 10_000n })),
  collateralUnit: fc.oneof(fc.constant(1n), fc.integer({ min: 0, max: 18 }).map((d) => 10n ** BigInt(d))),
  debtUnit: fc.oneof(fc.constant(1n), fc.integer({ min: 0, max: 18 }).map((d) => 10n ** BigInt(d))),
});

const ids = (found: IndexedPosition[]) => found.map((p) => p.positionId).sort();

describe('liquidation index', () => {
  it('returns exactly the positions a full scan finds liquidatable, after any sequence of changes', () => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(fc.array(change, { maxLength: 120 }), fc.array(view, { minLength: 1, maxLength: 5 }), (changes, views) => {
        const index = new LiquidationIndex();
        const all = new Map<string, IndexedPosition>();
        for (const c of changes) {
          if ('set' in c) {
            index.set(c.set);
            all.set(c.set.positionId, c.set);
          } else {
            index.remove(c.remove);
            all.delete(c.remove);
          }
        }
        for (const v of views) {
          for (const poolId of ['a', 'b']) {
            const scanned = ids(liquidatableByScan(all.values(), poolId, v));
            expect(ids(index.liquidatable(poolId, v))).toEqual(scanned);
            if (scanned.length > 0 && scanned.length < all.size) nonEmpty++;
          }
        }
      }),
      { numRuns: 400 },
    );
    // The property is only worth something if some queries split the positions.
    expect(nonEmpty).toBeGreaterThan(50);
  });

  it('finds the positions a price drop crosses, and only those, among many ordinary ones', () => {
    const index = new LiquidationIndex();
    const all: IndexedPosition[] = [];
    // 18-decimal collateral worth 2,000 each, debts from 1,000 to 1,599 (6 decimals): liquidation
    // prices from 1,000 / 0.8 = 1,250 up to 1,998.75.
    for (let i = 0; i < 600; i++) {
      const p = { positionId: `p${i}`, poolId: 'a', collateral: WAD, scaledDebt: BigInt(1_000 + i) * 10n ** 6n };
      index.set(p);
      all.push(p);
    }
    const at = (price: bigint): PoolRiskView => ({ price: price * WAD, borrowIndex: RAY, thresholdBps: 8_000n, collateralUnit: WAD, debtUnit: 10n ** 6n });
    expect(index.liquidatable('a', at(2_000n))).toEqual([]);
    // At 1,900 a position is liquidatable when debt > 1,520: debts 1,521..1,599.
    expect(ids(index.liquidatable('a', at(1_900n)))).toEqual(ids(all.filter((p) => p.scaledDebt > 1_520n * 10n ** 6n)));
    // Interest alone crosses positions too: at index 1.25, debt 1,216 × 1.25 = 1,520.
    const accrued = { ...at(1_900n), borrowIndex: (RAY * 5n) / 4n };
    expect(ids(index.liquidatable('a', accrued))).toEqual(ids(liquidatableByScan(all, 'a', accrued)));
    expect(index.liquidatable('a', accrued)).toHaveLength(1_599 - 1_216);
  });

  it('drops a position that repays its whole debt', () => {
    const index = new LiquidationIndex();
    index.set({ positionId: 'x', poolId: 'a', collateral: 1n, scaledDebt: 10n });
    expect(index.size).toBe(1);
    index.set({ positionId: 'x', poolId: 'a', collateral: 1n, scaledDebt: 0n });
    expect(index.size).toBe(0);
    expect(index.liquidatable('a', { price: WAD, borrowIndex: RAY, thresholdBps: 8_000n, collateralUnit: 1n, debtUnit: 1n })).toEqual([]);
  });
});
