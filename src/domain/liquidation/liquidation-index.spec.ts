/**
 * The ordered index returns exactly what a full scan with the liquidation rule returns, for random
 * positions (tiny ones included, where rounding decides), random updates and removals, and random
 * prices, indexes, thresholds and scales.
 */
import fc from 'fast-check';
import { BPS, RAY, WAD } from '../math/fixed-point';
import { isLiquidatable } from '../risk/liquidation-rule';
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

/** The index after `changes`, and the positions a full scan would see. */
function indexAfter(changes: readonly ({ set: IndexedPosition } | { remove: string })[]): { index: LiquidationIndex; all: Map<string, IndexedPosition> } {
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
  return { index, all };
}

describe('liquidation index', () => {
  it('returns exactly the positions a full scan finds liquidatable, after any sequence of changes', () => {
    let nonEmpty = 0;
    fc.assert(
      fc.property(fc.array(change, { maxLength: 120 }), fc.array(view, { minLength: 1, maxLength: 5 }), (changes, views) => {
        const { index, all } = indexAfter(changes);
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

  it('knows which positions it holds, and gives them back as they were set, without its own keys', () => {
    const index = new LiquidationIndex();
    index.set({ positionId: 'x', poolId: 'a', collateral: 5n, scaledDebt: 10n });
    index.set({ positionId: 'y', poolId: 'b', collateral: 0n, scaledDebt: 3n });
    index.set({ positionId: 'x', poolId: 'a', collateral: 7n, scaledDebt: 11n });
    index.set({ positionId: 'z', poolId: 'a', collateral: 7n, scaledDebt: 0n });
    expect([index.has('x'), index.has('y'), index.has('z'), index.size]).toEqual([true, true, false, 2]);
    expect([...index.positions()].sort((p, q) => p.positionId.localeCompare(q.positionId))).toEqual([
      { positionId: 'x', poolId: 'a', collateral: 7n, scaledDebt: 11n },
      { positionId: 'y', poolId: 'b', collateral: 0n, scaledDebt: 3n },
    ]);
    index.remove('x');
    index.remove('x');
    expect([index.has('x'), index.size, [...index.positions()].map((p) => p.positionId)]).toEqual([false, 1, ['y']]);
  });
});

/**
 * The point of the index is the work it saves: a query examines with the rule only the positions that
 * are not clearly safe, and stops at the first clearly safe one of each collateral bucket.
 *
 * Clearly safe (the module's bound): a position with collateral c ≥ 2^b and r = scaledDebt / c such that
 * r < (P·thr − (10_000 + thr) / 2^b) / (I·10_000), P = price·du / (WAD·cu), I = index / RAY. Here the bound
 * is computed exactly, in integers, from that inequality; a position without collateral is never clearly safe.
 */
describe('liquidation index, the work of a query', () => {
  const bucketOf = (c: bigint): bigint => {
    let b = 0n;
    while (1n << (b + 1n) <= c) b++;
    return b;
  };
  function clearlySafe(p: IndexedPosition, v: PoolRiskView): boolean {
    if (p.collateral === 0n) return false;
    const scale = 1n << bucketOf(p.collateral);
    const numerator = v.price * v.debtUnit * v.thresholdBps * scale - (BPS + v.thresholdBps) * WAD * v.collateralUnit;
    if (numerator <= 0n) return false;
    // r < numerator·RAY / (WAD·cu·2^b·I·10_000), cross-multiplied.
    return p.scaledDebt * WAD * v.collateralUnit * scale * v.borrowIndex * BPS < p.collateral * numerator * RAY;
  }
  /**
   * How many positions a query examined with the rule. The index reads the view once per bucket it walks
   * (for the bucket's bound) and once per position it examines (the rule's input is the view with the
   * position's balances), so a view that counts its reads counts both.
   */
  function examined(index: LiquidationIndex, poolId: string, view: PoolRiskView, buckets: number): { found: IndexedPosition[]; examined: number } {
    let reads = 0;
    const counted = { ...view };
    Object.defineProperty(counted, 'price', { enumerable: true, get: () => (reads++, view.price) });
    const found = index.liquidatable(poolId, counted);
    return { found, examined: reads - buckets };
  }
  const bucketsWithCollateral = (positions: IndexedPosition[]) => new Set(positions.filter((p) => p.collateral > 0n).map((p) => bucketOf(p.collateral))).size;

  it('a clearly safe position is never liquidatable, whatever its balances and the view', () => {
    fc.assert(
      fc.property(position(1), view, (p, v) => {
        if (clearlySafe(p, v)) expect(isLiquidatable({ ...v, collateral: p.collateral, scaledDebt: p.scaledDebt })).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('examines exactly the positions of the pool that are not clearly safe, after any sequence of changes', () => {
    let pruned = 0;
    fc.assert(
      fc.property(fc.array(change, { maxLength: 120 }), fc.array(view, { minLength: 1, maxLength: 5 }), (changes, views) => {
        const { index, all } = indexAfter(changes);
        for (const v of views) {
          for (const poolId of ['a', 'b']) {
            const held = [...all.values()].filter((p) => p.poolId === poolId && p.scaledDebt > 0n);
            const notClearlySafe = held.filter((p) => !clearlySafe(p, v)).length;
            const query = examined(index, poolId, v, bucketsWithCollateral(held));
            expect(query.examined).toBe(notClearlySafe);
            expect(query.found.length <= notClearlySafe).toBe(true);
            if (notClearlySafe < held.length) pruned++;
          }
        }
      }),
      { numRuns: 300 },
    );
    // Worth something only if many queries skip some positions.
    expect(pruned).toBeGreaterThan(100);
  });

  it('examines a position exactly on its bucket’s bound, which is not below it, and stops at the first one below', () => {
    // 2 units of collateral (bucket 1) at a price of 3 units, threshold 100%, no interest: the bound is 3 − (10_000 + 10_000) / (2 × 10_000) = 2.
    const index = new LiquidationIndex();
    index.set({ positionId: 'on', poolId: 'a', collateral: 2n, scaledDebt: 4n });
    index.set({ positionId: 'below', poolId: 'a', collateral: 2n, scaledDebt: 3n });
    const v: PoolRiskView = { price: 3n * WAD, borrowIndex: RAY, thresholdBps: 10_000n, collateralUnit: 1n, debtUnit: 1n };
    // r = 4 / 2 = 2 is on the bound: examined, and safe (a value of 6 against a debt of 4); r = 1.5 is below it.
    expect([clearlySafe({ positionId: 'on', poolId: 'a', collateral: 2n, scaledDebt: 4n }, v), clearlySafe({ positionId: 'below', poolId: 'a', collateral: 2n, scaledDebt: 3n }, v)]).toEqual([false, true]);
    expect(examined(index, 'a', v, 1)).toEqual({ found: [], examined: 1 });
  });

  it('examines, among 600 positions a price drop partly crosses, the ones it crosses and the first one clearly safe below them', () => {
    const index = new LiquidationIndex();
    // 1 WETH each (one bucket), debts 1,000..1,599 USDC: at 1,900 and 80%, debts above 1,520 are liquidatable.
    for (let i = 0; i < 600; i++) index.set({ positionId: `p${i}`, poolId: 'a', collateral: WAD, scaledDebt: BigInt(1_000 + i) * 10n ** 6n });
    const at1900: PoolRiskView = { price: 1_900n * WAD, borrowIndex: RAY, thresholdBps: 8_000n, collateralUnit: WAD, debtUnit: 10n ** 6n };
    const query = examined(index, 'a', at1900, 1);
    // Debts 1,521..1,599 are found; 1,520 is exactly at the threshold (not liquidatable) and within the rounding slack, so examined.
    expect([query.found.length, query.examined]).toEqual([79, 80]);
    expect(examined(index, 'a', { ...at1900, price: 2_000n * WAD }, 1)).toEqual({ found: [], examined: 0 });
  });
});
