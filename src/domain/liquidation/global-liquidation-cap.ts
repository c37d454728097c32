/**
 * The global liquidation cap: a circuit breaker across every pool (MakerDAO `dog.Hole` and `dog.Dirt`,
 * adapted). Each pool caps its own collateral under auction (`liquidationCollateralCap`); pools hold
 * different collateral assets, so what is capped across pools is the **debt under auction** instead:
 * the sum of the tabs (debt to cover plus penalty) of every liquidation reserved and not yet accounted
 * for, in every pool. The pools' debt assets are all USD stablecoins, so their amounts add up once
 * normalized to 18 decimals (WAD); only their decimals differ.
 *
 * The figure needs no event of its own: it is derived from the pools' reservations, so a reservation
 * counts from its `LiquidationReserved` and stops counting at its `LiquidationAccounted`. The cap is an
 * admin's setting, recorded as `GlobalLiquidationCapSet` (below).
 */
import { Decider, DomainError } from '../decider';
import { ceilDiv, WAD_DECIMALS } from '../math/fixed-point';
import type { Asset } from '../pool/pool-parameters';
import type { Reservations } from '../pool/pool-state';

/** What a reservation is decided against beyond its own pool: the debt under auction everywhere, and the cap. */
export interface GlobalLiquidationContext {
  /** The tabs of every pool's reservations not yet accounted for (this pool's included), WAD. */
  debtUnderAuction: bigint;
  /** The cap on it (WAD); none means no global cap. */
  cap?: bigint;
}

/**
 * A debt-asset amount in 18 decimals. Decimals never exceed 18 (MAX_DECIMALS), so this is exact; were
 * they more, the amount would round up, counting more under auction rather than less.
 */
export function debtInWad(amount: bigint, decimals: number): bigint {
  const shift = WAD_DECIMALS - decimals;
  // Stryker disable next-line EqualityOperator: at 18 decimals both branches give the amount itself.
  return shift >= 0 ? amount * 10n ** BigInt(shift) : ceilDiv(amount, 10n ** BigInt(-shift));
}

/** One pool's debt under auction, WAD: the tabs of its reservations not yet accounted for. */
function poolDebtUnderAuction(pool: { debt: Asset; reservations: Reservations }): bigint {
  let tabs = 0n;
  for (const reservation of pool.reservations.values()) tabs += reservation.tab;
  return debtInWad(tabs, pool.debt.decimals);
}

/** The debt under auction across these pools, WAD. */
export function debtUnderAuction(pools: Iterable<{ debt: Asset; reservations: Reservations }>): bigint {
  let total = 0n;
  for (const pool of pools) total += poolDebtUnderAuction(pool);
  return total;
}

/**
 * The global liquidation cap's rule: a liquidation whose tab (in its pool's debt decimals) would take
 * the debt under auction across all pools past the cap waits for room (`GLOBAL_LIQUIDATION_CAP_REACHED`);
 * reaching the cap exactly is allowed. Without a cap, anything goes.
 */
export function checkGlobalLiquidationCap(global: GlobalLiquidationContext | undefined, tab: bigint, debtDecimals: number): void {
  if (global?.cap === undefined) return;
  if (global.debtUnderAuction + debtInWad(tab, debtDecimals) > global.cap) {
    throw new DomainError(
      'GLOBAL_LIQUIDATION_CAP_REACHED',
      'the debt under auction across all pools is as much as the global liquidation cap allows; this liquidation waits for room',
    );
  }
}

/**
 * The cap itself is a setting of the whole ledger, kept as events on a stream of its own and set by an
 * admin through the API, so the audit knows the cap each reservation was decided under (an environment
 * setting would leave it unknowable). No cap until one is set.
 */
export const GLOBAL_LIQUIDATION_CAP_STREAM = 'settings-liquidation-cap';

/** The largest cap that can be set (WAD): a trillion in debt under auction, far past any real pool. */
export const MAX_GLOBAL_LIQUIDATION_CAP = 10n ** 30n;

export type GlobalLiquidationCapState = { cap?: bigint };

/** `cap` absent lifts the cap. */
export type GlobalLiquidationCapCommand = { type: 'SetGlobalLiquidationCap'; cap?: bigint; now: bigint };

export type GlobalLiquidationCapEvent = { type: 'GlobalLiquidationCapSet'; cap?: bigint; at: bigint };

export const globalLiquidationCapDecider: Decider<GlobalLiquidationCapState, GlobalLiquidationCapCommand, GlobalLiquidationCapEvent, undefined> = {
  initialState: () => ({}),

  decide({ cap, now }, state) {
    if (cap !== undefined && (cap <= 0n || cap > MAX_GLOBAL_LIQUIDATION_CAP)) {
      throw new DomainError('GLOBAL_CAP_OUT_OF_RANGE', 'the global liquidation cap must be above zero and at most 10^12 (lift it instead of setting zero)');
    }
    if (cap === state.cap) return []; // the cap it is already: nothing changes
    return [{ type: 'GlobalLiquidationCapSet', ...(cap !== undefined ? { cap } : {}), at: now }];
  },

  evolve: (_state, event) => (event.cap !== undefined ? { cap: event.cap } : {}),
};
