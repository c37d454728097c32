/**
 * A pool's state as its events leave it: what positions, liquidations and the risk engine decide on
 * (kept apart from the pool's decider, which decides on it too, so none of them loops back through it).
 */
import BTree, { ISortedMapF } from 'sorted-btree';
import { DomainError } from '../decider';
import type { IndexCheckpoint } from '../interest/stability-fee';
import type { LiquidationTerms } from '../liquidation/liquidation-terms';
import { Asset, AuctionParameters, DEFAULT_AUCTION, PoolParameters } from './pool-parameters';
import type { RiskState } from './risk-settings';

export type PoolState =
  | { status: 'absent' }
  | {
      status: 'active';
      poolId: string;
      collateral: Asset;
      debt: Asset;
      feed: string;
      parameters: PoolParameters;
      interest: IndexCheckpoint;
      /** The protocol reserve (debt asset units): penalties and fees in, keeper incentives and bad debt out. */
      reserve: bigint;
      /** Bad debt the reserve could not cover, borne by the lenders (cumulative). */
      socializedLoss: bigint;
      /** Collateral reserved by liquidations whose auctions are not yet accounted for: at most liquidationCollateralCap. */
      collateralUnderAuction: bigint;
      /** What each of those liquidations was reserved for, by auction id. */
      reservations: Reservations;
      /** An admin's pause: no new auction starts until resumed. */
      liquidationsPaused: boolean;
      /** The predictive risk engine's settings and pending proposal, once an admin configured it. */
      risk?: RiskState;
    };

/**
 * A liquidation's room under the cap and its terms, fixed when reserved. `borrowIndex` is the index the
 * covered debt was measured at; reservations recorded before it existed lack it.
 */
export type Reservation = { positionId: string; round: bigint; price: bigint; borrowIndex?: bigint } & LiquidationTerms;

/**
 * A pool's open reservations by auction id. Persistent: `with` and `without` answer a new map that
 * shares all but one path of the B+ tree with the one before, so reserving costs O(log n) rather than a
 * copy of every reservation still open (thousands while a crash is being liquidated). Read-only by its
 * type: a state's map is never changed in place.
 */
export type Reservations = ISortedMapF<string, Reservation>;

export const noReservations = (): Reservations => new BTree<string, Reservation>();

export type ActivePool = Extract<PoolState, { status: 'active' }>;

export function activePool(state: PoolState): ActivePool {
  if (state.status !== 'active') throw new DomainError('POOL_NOT_FOUND', 'no such pool');
  return state;
}

export function auctionParametersOf(pool: ActivePool): AuctionParameters {
  // Pools set up before English auctions existed have no bidding parameters: the defaults fill them.
  return { ...DEFAULT_AUCTION, ...pool.parameters.auction };
}
