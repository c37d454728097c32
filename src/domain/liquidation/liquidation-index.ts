/**
 * Detection without scanning: open positions with debt, kept ordered so that a price, an interest
 * index or a threshold touches only the positions it crosses.
 *
 * A position is liquidatable when collateral × price × threshold < debt (liquidation-rule.ts), and
 * debt = scaledDebt × borrowIndex. Dividing by collateral, that is price × threshold < r × borrowIndex
 * with r = scaledDebt / collateral: the price at which a position becomes liquidatable is r times a
 * factor shared by the whole pool. So ordering a pool's positions by r orders them by liquidation price
 * at every price, index and threshold at once, and neither accruing interest nor a parameter change
 * needs a position to move. A query walks down from the highest r and stops at the first position that
 * is clearly safe.
 *
 * "Clearly": the rule rounds in the pool's favour (collateral value down, debt up), which can tip a
 * position with little collateral over the line at a lower r than a large one. The rounding is worth
 * at most (10_000 + threshold) / collateral in r's units, so positions are also bucketed by the bit
 * length of their collateral, each bucket walked with its own slack, and every candidate confirmed
 * with the exact rule. The answer is exactly what a full scan with `isLiquidatable` returns.
 */
import BTree from 'sorted-btree';
import { BPS, WAD, RAY } from '../math/fixed-point';
import { isLiquidatable } from '../risk/liquidation-rule';

/** What a pool's positions are valued at: its price, index, threshold and scales. */
export interface PoolRiskView {
  /** WAD. */
  price: bigint;
  /** RAY. */
  borrowIndex: bigint;
  thresholdBps: bigint;
  collateralUnit: bigint;
  debtUnit: bigint;
}

export interface IndexedPosition {
  positionId: string;
  poolId: string;
  collateral: bigint;
  scaledDebt: bigint;
}

/** r = scaledDebt / collateral in fixed point with this many fractional bits. */
const RATIO_BITS = 128n;
/** Low bits of a tree key that keep positions with equal r apart. */
const TIE_BITS = 40n;
const TIE_MASK = (1n << TIE_BITS) - 1n;

interface Entry extends IndexedPosition {
  /** The tree key: r in fixed point, then a tie-breaker unique to the position. */
  key: bigint;
  /** floor(log2(collateral)); -1 for a position with debt and no collateral. */
  bucket: number;
}

const compareKeys = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

export class LiquidationIndex {
  private readonly entries = new Map<string, Entry>();
  /** Per pool, per collateral bucket, entries ordered by key. */
  private readonly pools = new Map<string, Map<number, BTree<bigint, Entry>>>();
  private nextTie = 0n;

  get size(): number {
    return this.entries.size;
  }

  has(positionId: string): boolean {
    return this.entries.has(positionId);
  }

  /** Puts the position at its balances; a position without debt can never be liquidated and leaves the index. */
  set(position: IndexedPosition): void {
    this.remove(position.positionId);
    if (position.scaledDebt === 0n) return;
    const bucket = position.collateral === 0n ? -1 : position.collateral.toString(2).length - 1;
    const ratio = position.collateral === 0n ? 0n : (position.scaledDebt << RATIO_BITS) / position.collateral;
    // Stryker disable next-line UpdateOperator: `nextTie--` is equivalent: a tie only keeps positions with equal r apart, and any distinct values do (their order is not part of the answer).
    const entry: Entry = { ...position, key: (ratio << TIE_BITS) | (this.nextTie++ & TIE_MASK), bucket };
    this.entries.set(position.positionId, entry);
    let buckets = this.pools.get(position.poolId);
    if (!buckets) this.pools.set(position.poolId, (buckets = new Map()));
    let tree = buckets.get(bucket);
    if (!tree) buckets.set(bucket, (tree = new BTree<bigint, Entry>(undefined, compareKeys)));
    tree.set(entry.key, entry);
  }

  remove(positionId: string): void {
    const entry = this.entries.get(positionId);
    if (!entry) return;
    this.entries.delete(positionId);
    const buckets = this.pools.get(entry.poolId)!;
    const tree = buckets.get(entry.bucket)!;
    tree.delete(entry.key);
    if (tree.size === 0) buckets.delete(entry.bucket);
    if (buckets.size === 0) this.pools.delete(entry.poolId);
  }

  /** Every indexed position (the full scan's input, for comparison). */
  *positions(): IterableIterator<IndexedPosition> {
    for (const entry of this.entries.values()) yield publicPart(entry);
  }

  /** The pool's positions whose health factor is below 1 at `view`, most indebted per collateral first within each bucket. */
  liquidatable(poolId: string, view: PoolRiskView): IndexedPosition[] {
    const found: IndexedPosition[] = [];
    for (const [bucket, tree] of this.pools.get(poolId) ?? []) {
      const lowest = bucket < 0 ? undefined : lowestCandidateRatio(bucket, view);
      for (const [key, entry] of tree.entriesReversed()) {
        if (lowest !== undefined && key >> TIE_BITS < lowest) break;
        if (isLiquidatable({ ...view, collateral: entry.collateral, scaledDebt: entry.scaledDebt })) found.push(publicPart(entry));
      }
    }
    return found;
  }
}

/** The baseline the index must equal: every position of the pool, checked one by one. */
export function liquidatableByScan(positions: Iterable<IndexedPosition>, poolId: string, view: PoolRiskView): IndexedPosition[] {
  const found: IndexedPosition[] = [];
  for (const p of positions) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: `scaledDebt >= 0n` and `true` are equivalent: a position without debt is never liquidatable (its sibling `false` is killed).
    if (p.poolId === poolId && p.scaledDebt > 0n && isLiquidatable({ ...view, collateral: p.collateral, scaledDebt: p.scaledDebt })) found.push(p);
  }
  return found;
}

/**
 * The lowest r (in the tree's fixed point) at which a position with collateral ≥ 2^bucket can be
 * liquidatable at `view`; undefined when rounding alone could make any of them so.
 *
 * Liquidatable ⇒ (c·P − 1)·thr < (r·c·I + 1)·10_000 with P = price·du/(WAD·cu) and I = index/RAY
 * ⇒ r > (P·thr − (10_000 + thr)/c) / (I·10_000) ≥ (P·thr − (10_000 + thr)/2^bucket) / (I·10_000).
 * floor keeps the bound below the true one, so no liquidatable position is ever cut off.
 */
function lowestCandidateRatio(bucket: number, view: PoolRiskView): bigint | undefined {
  const { price, borrowIndex, thresholdBps, collateralUnit, debtUnit } = view;
  const scale = 1n << BigInt(bucket);
  const numerator = price * debtUnit * thresholdBps * scale - (BPS + thresholdBps) * WAD * collateralUnit;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: `< 0n` and `false` are equivalent: a bound of zero or below is then returned, and no key (r ≥ 0) is below it, so nothing is cut off, as with undefined.
  if (numerator <= 0n) return undefined;
  return (numerator * RAY << RATIO_BITS) / (WAD * collateralUnit * scale * borrowIndex * BPS);
}

function publicPart({ positionId, poolId, collateral, scaledDebt }: Entry): IndexedPosition {
  return { positionId, poolId, collateral, scaledDebt };
}
