/**
 * A borrower's position (stream `position-<id>`): collateral and debt (scaled by the pool's borrow
 * index), and the commitment Poseidon(collateral, scaledDebt, salt) that is all the world outside sees.
 * Every event carries the balances after it and a fresh salt, drawn by the caller (decide stays pure).
 * Withdrawals and draws are refused above the pool's max LTV at the current price; anything at all is
 * refused without a fresh price. A liquidation is triggered two ways, both under the rules of
 * liquidation-trigger.ts: by a liquidator's verified proof, or by the ledger's own detection at an
 * accepted round's price. Either puts the position in liquidation: from then on it can be repaid or
 * topped up, but not drawn on, withdrawn from or closed.
 */
import { Decider, DomainError } from '../decider';
import { isFieldElement, positionCommitment } from '../crypto/crypto';
import { ceilDiv, RAY } from '../math/fixed-point';
import { indexAt } from '../interest/stability-fee';
import { ActivePool, activePool, PoolState } from '../pool/pool-state';
import { FeedState, PriceView } from '../oracle/feed';
import { checkDetectedLiquidation, checkLiquidationClaim, LiquidationClaim } from '../liquidation/liquidation-trigger';
import { AMOUNT_BITS, collateralValueOf, debtOf, scaledDebtAfterRepaying, unitOf } from '../risk/liquidation-rule';
import { exceedsMaxLtv, maxDraw } from '../risk/position-risk';
import { formatDecimal } from '../math/decimal';

export interface Balances {
  collateral: bigint;
  scaledDebt: bigint;
}

/**
 * A triggered liquidation, pending its sale: by whose proof or by the ledger's detection, at which
 * round's accepted price. (Only a proof of the retired circuit, schema v2, has no price: it cited one
 * oracle's report, and the auditor fails it.)
 */
export type PendingLiquidation = { feed: string; round: bigint } & (
  | { by: 'proof'; liquidator: string; nullifier: bigint; price?: bigint }
  | { by: 'detection'; price: bigint }
);

export type ExistingPosition = {
  status: 'open' | 'closed';
  positionId: string;
  poolId: string;
  owner: string;
  salt: bigint;
  commitment: bigint;
  liquidation?: PendingLiquidation;
  /** Nullifiers of every liquidation proof accepted against this position: none is accepted twice. */
  nullifiers: readonly bigint[];
} & Balances;

export type PositionState = { status: 'absent' } | ExistingPosition;

/**
 * The principal an owner's command comes from: decide refuses it on a position someone else owns, so a
 * command racing the position's opening cannot act on it. Absent for the ledger's own re-decisions.
 */
type ByOwner = { by?: string };

export type PositionCommand =
  | { type: 'OpenPosition'; positionId: string; poolId: string; owner: string; salt: bigint }
  | ({ type: 'DepositCollateral'; amount: bigint; salt: bigint } & ByOwner)
  | ({ type: 'WithdrawCollateral'; amount: bigint; salt: bigint } & ByOwner)
  | ({ type: 'DrawDebt'; amount: bigint; salt: bigint } & ByOwner)
  /** `all` repays the whole debt with interest to now, which no caller can name exactly in advance. */
  | ({ type: 'RepayDebt'; amount: bigint | 'all'; salt: bigint } & ByOwner)
  | ({ type: 'ClosePosition'; salt: bigint } & ByOwner)
  /**
   * A liquidator's claim, with its Groth16 proof. `proofVerified` is the zk module's verdict on the
   * proof against the claim's public signals (verification is too slow to run inside decide).
   */
  | ({ type: 'TriggerLiquidation'; proof: unknown; publicSignals: string[]; proofVerified: boolean; salt: bigint } & LiquidationClaim)
  /** The ledger's detection: the position is below the threshold at the price the feed set in `round`. */
  | { type: 'DetectLiquidation'; round: bigint; salt: bigint }
  /** The liquidation's auction settled: what it sold of the collateral and what it repaid of the debt. */
  | { type: 'SettleLiquidation'; auctionId: string; collateralSold: bigint; debtRepaid: bigint; salt: bigint };

/** The balances after the event, its fresh salt and the commitment to both. */
type Committed = Balances & { salt: bigint; commitment: bigint };

export type PositionEvent =
  | ({ type: 'PositionOpened'; positionId: string; poolId: string; owner: string } & Committed)
  | ({ type: 'CollateralDeposited'; amount: bigint } & Committed)
  | ({ type: 'CollateralWithdrawn'; amount: bigint } & Committed)
  | ({ type: 'DebtDrawn'; amount: bigint; borrowIndex: bigint } & Committed)
  | ({ type: 'DebtRepaid'; amount: bigint; borrowIndex: bigint } & Committed)
  | ({ type: 'PositionClosed'; collateralReturned: bigint } & Committed)
  /**
   * Balances unchanged (same salt and commitment). By proof: the proof and its signals, for any auditor
   * to re-verify. By detection: the round's price and the borrow index it was found liquidatable at.
   */
  | ({ type: 'LiquidationTriggered'; positionId: string; poolId: string; feed: string; round: bigint } & LiquidationCause & Committed)
  /**
   * The liquidation is over. Collateral falls by what was sold, debt by what was repaid; if no collateral
   * is left, the debt that remains is written off as bad debt (the pool records it).
   */
  | ({ type: 'LiquidationSettled'; auctionId: string; collateralSold: bigint; debtRepaid: bigint; badDebt: bigint; borrowIndex: bigint } & Committed);

export type LiquidationCause =
  | { by: 'proof'; liquidator: string; price?: bigint; nullifier: bigint; proof: unknown; publicSignals: string[] }
  | { by: 'detection'; price: bigint; borrowIndex: bigint };

export interface PositionContext {
  /** The position's pool (the pool named by OpenPosition, for an open). */
  pool: PoolState;
  /** The pool feed's price at `now`. */
  price: PriceView;
  /** The pool's feed (its keys and recent rounds, for liquidation proofs). */
  feed: FeedState;
  /** Ledger time, Unix seconds. */
  now: bigint;
}

export const positionStream = (positionId: string) => `position-${positionId}`;

const MAX_AMOUNT = (1n << AMOUNT_BITS) - 1n;

export const positionDecider: Decider<PositionState, PositionCommand, PositionEvent, PositionContext> = {
  initialState: () => ({ status: 'absent' }),

  decide(command, state, context) {
    if (command.type === 'OpenPosition') {
      if (state.status !== 'absent') throw new DomainError('POSITION_EXISTS', `position ${command.positionId} already exists`);
      activePool(context.pool);
      freshPrice(context.price);
      checkSalt(command.salt);
      const { positionId, poolId, owner, salt } = command;
      return [{ type: 'PositionOpened', positionId, poolId, owner, ...commit({ collateral: 0n, scaledDebt: 0n }, salt) }];
    }
    const position = openPosition(state);
    if ('by' in command && command.by !== undefined && command.by !== position.owner) throw new DomainError('NOT_POSITION_OWNER', 'the position is not yours');
    const pool = activePool(context.pool);
    if (command.type === 'TriggerLiquidation' || command.type === 'DetectLiquidation') return triggerLiquidation(position, command, pool, context);
    if (command.type === 'SettleLiquidation') return settleLiquidation(position, command, pool, context.now);
    const price = freshPrice(context.price);
    if (position.liquidation && (command.type === 'WithdrawCollateral' || command.type === 'DrawDebt' || command.type === 'ClosePosition')) {
      throw new DomainError('LIQUIDATION_IN_PROGRESS', 'the position is being liquidated');
    }
    checkSalt(command.salt, position.salt);
    const index = indexAt(pool.interest, context.now);
    const debt = debtOf(position.scaledDebt, index);
    const valueOf = (collateral: bigint) => collateralValueOf(collateral, price, unitOf(pool.collateral.decimals), unitOf(pool.debt.decimals));
    const refuseAboveMaxLtv = (collateral: bigint, debtAfter: bigint) => {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: without debt exceedsMaxLtv is false anyway, so `debtAfter >= 0n` and `true` are equivalent (siblings ignored with them are killed).
      if (debtAfter > 0n && exceedsMaxLtv(valueOf(collateral), debtAfter, pool.parameters.maxLtvBps)) {
        throw new DomainError('LTV_EXCEEDED', `this would take the position above the pool's maximum loan-to-value of ${pool.parameters.maxLtvBps} bps`);
      }
    };

    switch (command.type) {
      case 'DepositCollateral': {
        const collateral = position.collateral + positiveAmount(command.amount);
        fitsAmount(collateral);
        return [{ type: 'CollateralDeposited', amount: command.amount, ...commit({ collateral, scaledDebt: position.scaledDebt }, command.salt) }];
      }
      case 'WithdrawCollateral': {
        positiveAmount(command.amount);
        if (command.amount > position.collateral) throw new DomainError('INSUFFICIENT_COLLATERAL', 'cannot withdraw more collateral than the position holds');
        const collateral = position.collateral - command.amount;
        refuseAboveMaxLtv(collateral, debt);
        return [{ type: 'CollateralWithdrawn', amount: command.amount, ...commit({ collateral, scaledDebt: position.scaledDebt }, command.salt) }];
      }
      case 'DrawDebt': {
        // The borrower owes at least what was drawn: the scaled amount rounds up.
        const scaledDebt = position.scaledDebt + ceilDiv(positiveAmount(command.amount) * RAY, index);
        fitsAmount(scaledDebt);
        const debtAfter = debtOf(scaledDebt, index);
        refuseBelowDust(debtAfter, pool.parameters.dustLimit);
        if (exceedsMaxLtv(valueOf(position.collateral), debtAfter, pool.parameters.maxLtvBps)) refuseDrawAboveMaxLtv(pool, valueOf(position.collateral), position.scaledDebt, index);
        return [{ type: 'DebtDrawn', amount: command.amount, borrowIndex: index, ...commit({ collateral: position.collateral, scaledDebt }, command.salt) }];
      }
      case 'RepayDebt': {
        const amount = command.amount === 'all' ? debt : positiveAmount(command.amount);
        if (amount === 0n) throw new DomainError('NO_DEBT', 'the position has no debt to repay');
        if (amount > debt) throw new DomainError('REPAY_EXCEEDS_DEBT', 'cannot repay more than the debt');
        const scaledDebt = scaledDebtAfterRepaying(position.scaledDebt, debt, amount, index);
        refuseBelowDust(debtOf(scaledDebt, index), pool.parameters.dustLimit);
        return [{ type: 'DebtRepaid', amount, borrowIndex: index, ...commit({ collateral: position.collateral, scaledDebt }, command.salt) }];
      }
      case 'ClosePosition': {
        if (debt > 0n) throw new DomainError('DEBT_OUTSTANDING', 'repay the whole debt before closing the position');
        return [{ type: 'PositionClosed', collateralReturned: position.collateral, ...commit({ collateral: 0n, scaledDebt: 0n }, command.salt) }];
      }
    }
  },

  evolve(state, event) {
    const { salt, commitment, collateral, scaledDebt } = event;
    if (event.type === 'PositionOpened') {
      return { status: 'open', positionId: event.positionId, poolId: event.poolId, owner: event.owner, salt, commitment, collateral, scaledDebt, nullifiers: [] };
    }
    const position = state as ExistingPosition;
    if (event.type === 'LiquidationSettled') {
      const { liquidation: _, ...settled } = position;
      return { ...settled, salt, commitment, collateral, scaledDebt };
    }
    if (event.type === 'LiquidationTriggered') {
      const liquidation = pendingLiquidationOf(event);
      return { ...position, liquidation, nullifiers: liquidation.by === 'proof' ? [...position.nullifiers, liquidation.nullifier] : position.nullifiers };
    }
    return { ...position, status: event.type === 'PositionClosed' ? 'closed' : 'open', salt, commitment, collateral, scaledDebt };
  },
};

/** A draw above max LTV is told the most it could draw now, in whole debt tokens. */
function refuseDrawAboveMaxLtv(pool: ActivePool, collateralValue: bigint, scaledDebt: bigint, index: bigint): never {
  const most = formatDecimal(maxDraw(collateralValue, scaledDebt, index, pool.parameters.maxLtvBps), pool.debt.decimals);
  throw new DomainError(
    'LTV_EXCEEDED',
    `this would take the position above the pool's maximum loan-to-value of ${pool.parameters.maxLtvBps} bps; the most it can draw now is ${most} ${pool.debt.symbol} ` +
      "(the debt a draw records is its amount at the borrow index, rounded up in the pool's favour, so drawing exactly up to the limit ends a unit above it)",
    { maxDraw: most },
  );
}

function settleLiquidation(position: ExistingPosition, command: Extract<PositionCommand, { type: 'SettleLiquidation' }>, pool: ActivePool, now: bigint): PositionEvent[] {
  if (!position.liquidation) throw new DomainError('NOT_IN_LIQUIDATION', 'the position is not being liquidated');
  checkSalt(command.salt, position.salt);
  if (command.collateralSold < 0n || command.collateralSold > position.collateral) throw new DomainError('INVALID_SETTLEMENT', 'an auction cannot sell more collateral than the position holds');
  const index = indexAt(pool.interest, now);
  // The covered debt stops accruing once reserved (as MakerDAO's `dog` moves it out of the vault): the
  // sale repays it at the reservation's index, so a full close that raised its tab leaves no debt behind.
  const reservedAt = pool.reservations.get(command.auctionId)?.borrowIndex ?? index;
  const debt = debtOf(position.scaledDebt, reservedAt);
  // Stryker disable next-line EqualityOperator: `<=` is equivalent, both sides being the same amount when equal (its sibling `>=` is killed).
  const repaid = command.debtRepaid < debt ? command.debtRepaid : debt;
  const collateral = position.collateral - command.collateralSold;
  let scaledDebt = scaledDebtAfterRepaying(position.scaledDebt, debt, repaid, reservedAt);
  let badDebt = 0n;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no scaled debt left the write-off is 0 and the balance 0 anyway, so `scaledDebt >= 0n` and `true` are equivalent (siblings ignored with them are killed).
  if (collateral === 0n && scaledDebt > 0n) {
    badDebt = debtOf(scaledDebt, index);
    scaledDebt = 0n;
  }
  const { auctionId, collateralSold } = command;
  return [{ type: 'LiquidationSettled', auctionId, collateralSold, debtRepaid: repaid, badDebt, borrowIndex: index, ...commit({ collateral, scaledDebt }, command.salt) }];
}

export function pendingLiquidationOf(event: Extract<PositionEvent, { type: 'LiquidationTriggered' }>): PendingLiquidation {
  const { feed, round } = event;
  if (event.by === 'detection') return { by: 'detection', feed, round, price: event.price };
  return { by: 'proof', feed, round, liquidator: event.liquidator, nullifier: event.nullifier, ...(event.price !== undefined ? { price: event.price } : {}) };
}

function triggerLiquidation(
  position: ExistingPosition,
  command: Extract<PositionCommand, { type: 'TriggerLiquidation' | 'DetectLiquidation' }>,
  pool: ActivePool,
  context: PositionContext,
): PositionEvent[] {
  const { positionId, poolId, collateral, scaledDebt, salt, commitment } = position;
  const unchanged = { positionId, poolId, collateral, scaledDebt, salt, commitment };
  if (command.type === 'DetectLiquidation') {
    if (position.liquidation) throw new DomainError('LIQUIDATION_IN_PROGRESS', 'the position is already being liquidated');
    const detected = checkDetectedLiquidation(position, command.round, pool, context.feed, context.now);
    return [{ type: 'LiquidationTriggered', by: 'detection', ...unchanged, ...detected }];
  }
  const accepted = checkLiquidationClaim(position, command, pool, context.feed, context.now);
  if (position.liquidation) throw new DomainError('LIQUIDATION_IN_PROGRESS', 'the position is already being liquidated');
  if (!command.proofVerified) throw new DomainError('INVALID_PROOF', 'the proof does not verify against its public signals');
  return [
    {
      type: 'LiquidationTriggered',
      by: 'proof',
      ...unchanged,
      liquidator: command.liquidator,
      ...accepted,
      proof: command.proof,
      publicSignals: command.publicSignals,
    },
  ];
}

function commit(balances: Balances, salt: bigint): Committed {
  return { ...balances, salt, commitment: positionCommitment(balances.collateral, balances.scaledDebt, salt) };
}

function openPosition(state: PositionState): ExistingPosition {
  if (state.status === 'absent') throw new DomainError('POSITION_NOT_FOUND', 'no such position');
  if (state.status === 'closed') throw new DomainError('POSITION_CLOSED', 'the position is closed');
  return state as ExistingPosition;
}

function freshPrice(price: PriceView): bigint {
  if (price.status === 'none') throw new DomainError('NO_PRICE', "the pool's feed has no price yet");
  if (price.status === 'stale') throw new DomainError('STALE_PRICE', "the pool's price is older than its feed's heartbeat");
  return price.value;
}

function checkSalt(salt: bigint, current?: bigint): void {
  if (!isFieldElement(salt) || salt === 0n) throw new DomainError('INVALID_SALT', 'a salt is a non-zero field element');
  if (salt === current) throw new DomainError('SALT_REUSED', 'every change needs a fresh salt');
}

function positiveAmount(amount: bigint): bigint {
  if (amount <= 0n) throw new DomainError('AMOUNT_NOT_POSITIVE', 'the amount must be positive');
  fitsAmount(amount);
  return amount;
}

function fitsAmount(amount: bigint): void {
  if (amount > MAX_AMOUNT) throw new DomainError('AMOUNT_TOO_LARGE', 'amounts and balances must stay below 2^88 smallest units');
}

function refuseBelowDust(debt: bigint, dustLimit: bigint): void {
  if (debt > 0n && debt < dustLimit) throw new DomainError('BELOW_DUST', `a position's debt must be zero or at least the pool's dust limit`);
}
