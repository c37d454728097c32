/**
 * What a market crash did to a pool, computed from the event history alone, so anyone holding the
 * history (an export, a store) gets the same numbers: liquidations, collateral sold and money
 * recovered, the discount takers bought at (slippage from the oracle price), bad debt and who bore it,
 * and the time from a price to the triggers it caused.
 */
import { isLedgerEvent, LedgerEvent, ledgerEventCodec } from '../domain/events';
import { decodeStored } from '../eventstore/event-codec';
import { HistoryEvent } from '../audit/history';

export interface CrashSummary {
  positions: number;
  /** Positions liquidated at least once, and liquidations in all (a partial one may be followed by another). */
  positionsLiquidated: number;
  liquidations: number;
  auctionsSettled: number;
  auctionsRunning: number;
  /** Collateral sold (smallest units) and money raised for it (debt asset smallest units). */
  collateralSold: bigint;
  recovered: bigint;
  debtRepaid: bigint;
  penaltiesCollected: bigint;
  /** Collateral-weighted discount of take prices under the oracle price of the moment, in bps. */
  slippageBps: number;
  worstSlippageBps: number;
  /** Debt written off by settlements that left positions without collateral... */
  badDebt: bigint;
  /** ...of it, what the pool has accounted for: covered by the reserve, or socialized across lenders... */
  coveredByReserve: bigint;
  socializedBadDebt: bigint;
  /** ...and what settled positions wrote off that the pool had not yet accounted for when the history ends. */
  badDebtNotYetAccounted: bigint;
  /** Keeper incentives the reserve could not pay, socialized too (they are no bad debt of a position). */
  unpaidKeeperRewards: bigint;
  /** All the pool socialized: its bad debt and the unpaid incentives. */
  socialized: bigint;
  /**
   * Milliseconds from the event that made a position due to its LiquidationTriggered (by detection):
   * the price of its round, or the settlement of its previous liquidation if that came later.
   */
  priceToTriggerMs: number[];
}

export function summarizeCrash(history: Iterable<HistoryEvent>, poolId: string, feed: string): CrashSummary {
  const s: CrashSummary = {
    positions: 0, positionsLiquidated: 0, liquidations: 0, auctionsSettled: 0, auctionsRunning: 0, collateralSold: 0n, recovered: 0n, debtRepaid: 0n, penaltiesCollected: 0n,
    slippageBps: 0, worstSlippageBps: 0, badDebt: 0n, coveredByReserve: 0n, socializedBadDebt: 0n, badDebtNotYetAccounted: 0n, unpaidKeeperRewards: 0n, socialized: 0n, priceToTriggerMs: [],
  };
  const inPool = new Set<string>();
  const liquidated = new Set<string>();
  const lastSettled = new Map<string, number>();
  const auctions = new Set<string>();
  const priceAtRound = new Map<bigint, { price: bigint; created: number }>();
  let oracle = 0n;
  let discountWeighted = 0n;
  for (const h of history) {
    const event = decoded(h);
    if (!event) continue;
    const created = Date.parse(h.created);
    if (h.stream === `oracle-${feed}` && event.type === 'PriceUpdated') {
      oracle = event.price;
      priceAtRound.set(event.round, { price: event.price, created });
    } else if (h.stream.startsWith('position-')) {
      const positionId = h.stream.slice('position-'.length);
      if (event.type === 'PositionOpened' && event.poolId === poolId) {
        inPool.add(positionId);
        s.positions++;
      }
      if (!inPool.has(positionId)) continue;
      if (event.type === 'LiquidationTriggered') {
        s.liquidations++;
        liquidated.add(positionId);
        const price = priceAtRound.get(event.round);
        const due = Math.max(price?.created ?? -Infinity, lastSettled.get(positionId) ?? -Infinity);
        if (event.by === 'detection' && Number.isFinite(due)) s.priceToTriggerMs.push(created - due);
      }
      if (event.type === 'LiquidationSettled') {
        lastSettled.set(positionId, created);
        s.debtRepaid += event.debtRepaid;
        s.badDebt += event.badDebt;
      }
    } else if (h.stream.startsWith('auction-')) {
      const auctionId = h.stream.slice('auction-'.length);
      if (event.type === 'AuctionStarted' && event.poolId === poolId) auctions.add(auctionId);
      if (!auctions.has(auctionId)) continue;
      // Sold to keepers at the auction's price, or to the pool market (its fallback): either way a sale under the oracle price.
      if (event.type === 'CollateralTaken' || event.type === 'SoldToMarket') {
        s.collateralSold += event.collateral;
        s.recovered += event.paid;
        if (oracle > 0n) {
          const discount = event.price < oracle ? ((oracle - event.price) * 10_000n) / oracle : 0n;
          discountWeighted += discount * event.collateral;
          s.worstSlippageBps = Math.max(s.worstSlippageBps, Number(discount));
        }
      }
      if (event.type === 'AuctionSettled') {
        s.auctionsSettled++;
        s.penaltiesCollected += event.penaltyPaid;
      }
    } else if (h.stream === `pool-${poolId}` && event.type === 'LiquidationAccounted') {
      s.coveredByReserve += event.coveredByReserve;
      s.socializedBadDebt += event.badDebt - event.coveredByReserve;
      s.unpaidKeeperRewards += event.socialized - (event.badDebt - event.coveredByReserve);
      s.socialized += event.socialized;
    }
  }
  s.auctionsRunning = auctions.size - s.auctionsSettled;
  s.badDebtNotYetAccounted = s.badDebt - s.coveredByReserve - s.socializedBadDebt;
  s.positionsLiquidated = liquidated.size;
  s.slippageBps = s.collateralSold > 0n ? Number(discountWeighted / s.collateralSold) : 0;
  s.priceToTriggerMs.sort((a, b) => a - b);
  return s;
}

function decoded(h: HistoryEvent): LedgerEvent | undefined {
  if (!isLedgerEvent(h)) return undefined;
  return decodeStored(ledgerEventCodec, h);
}

/** Whole-token decimal text of a smallest-unit amount, for the printed table. */
export function tokens(amount: bigint, decimals: number): string {
  const unit = 10n ** BigInt(decimals);
  const whole = amount / unit;
  const cents = ((amount % unit) * 100n) / unit;
  return `${whole.toLocaleString('en-US')}.${cents.toString().padStart(2, '0')}`;
}
