/**
 * When a liquidator's proof may trigger a position's liquidation. The proof itself (checked by the
 * zk module before deciding) says: a position whose commitment is C, valued at price P for round R of
 * feed F, is below the liquidation threshold T at borrow index I. These rules say whether C, F, R, P,
 * T and I are the ledger's: the position's current commitment, an accepted, still fresh round of the
 * pool's feed and exactly the price the ledger accepted for it (the quorum median: never one oracle's
 * report, nor a price signed but never accepted), the pool's threshold and scales, and an index no
 * later than now. The ledger's own detection cites a round the same way, and must find the position
 * below the threshold at that round's price and the index of now. Each refusal has its own code.
 */
import { DomainError } from '../decider';
import { idToField } from '../crypto/crypto';
import { FeedState, PricedRound, RECENT_ROUNDS } from '../oracle/feed';
import { ActivePool } from '../pool/pool-state';
import { indexAt } from '../interest/stability-fee';
import { isLiquidatable, unitOf } from '../risk/liquidation-rule';
import { LiquidationPublicSignals, mismatchedSignals } from './public-signals';

export interface LiquidationClaim {
  /** Who submits the proof; the proof binds it as a public signal. */
  liquidator: string;
  signals: LiquidationPublicSignals;
}

/** What the ledger records of an accepted claim (besides the proof itself). */
export interface AcceptedClaim {
  feed: string;
  round: bigint;
  /** The round's accepted price, which the proof's price signal equals. */
  price: bigint;
  nullifier: bigint;
}

export interface TriggerSubject {
  positionId: string;
  commitment: bigint;
  /** Nullifiers of the proofs already accepted against this position. */
  nullifiers: readonly bigint[];
}

export function checkLiquidationClaim(position: TriggerSubject, claim: LiquidationClaim, pool: ActivePool, feed: FeedState, now: bigint): AcceptedClaim {
  const { signals } = claim;
  if (position.nullifiers.includes(signals.nullifier)) {
    throw new DomainError('NULLIFIER_USED', 'this proof (its nullifier) has already triggered a liquidation');
  }
  if (signals.commitment !== position.commitment) {
    throw new DomainError('COMMITMENT_MISMATCH', "the proof is not about the position's current state (its commitment differs)");
  }
  const mismatched = mismatchedSignals(signals, {
    positionId: idToField(position.positionId),
    liquidator: idToField(claim.liquidator),
    feed: idToField(pool.feed),
    threshold: pool.parameters.liquidationThresholdBps,
    collateralUnit: unitOf(pool.collateral.decimals),
    debtUnit: unitOf(pool.debt.decimals),
  });
  if (mismatched.length) {
    throw new DomainError('PUBLIC_SIGNAL_MISMATCH', `the proof's ${mismatched.join(', ')} ${mismatched.length > 1 ? 'are' : 'is'} not this liquidation's`, { signals: mismatched });
  }
  // A lower index only understates the debt, so a proof at an earlier index still holds now.
  if (signals.borrowIndex > indexAt(pool.interest, now)) {
    throw new DomainError('PUBLIC_SIGNAL_MISMATCH', "the proof's borrow index is ahead of the pool's", { signals: ['borrowIndex'] });
  }
  const round = freshRound(liquidatingFeed(feed, pool.feed), signals.round, now);
  checkRoundPrice(signals.price, round);
  return { feed: pool.feed, round: round.round, price: round.price, nullifier: signals.nullifier };
}

/**
 * A proof counts only at the price the ledger accepted for its round. One oracle's report (an outlier
 * in the quorum, or a price it signed and never submitted) must not decide who is liquidated.
 */
export function checkRoundPrice(price: bigint, round: PricedRound): void {
  if (price !== round.price) {
    throw new DomainError('PRICE_NOT_ROUND_PRICE', `the proof's price is not the price the ledger accepted for round ${round.round}`, { round: round.round.toString() });
  }
}

/** What the ledger records of its own detection: the round's price and the index of now. */
export interface DetectedLiquidation {
  feed: string;
  round: bigint;
  price: bigint;
  borrowIndex: bigint;
}

export interface DetectionSubject {
  collateral: bigint;
  scaledDebt: bigint;
}

export function checkDetectedLiquidation(position: DetectionSubject, roundNumber: bigint, pool: ActivePool, feed: FeedState, now: bigint): DetectedLiquidation {
  const round = freshRound(liquidatingFeed(feed, pool.feed), roundNumber, now);
  const borrowIndex = indexAt(pool.interest, now);
  const rule = {
    collateral: position.collateral,
    scaledDebt: position.scaledDebt,
    price: round.price,
    thresholdBps: pool.parameters.liquidationThresholdBps,
    borrowIndex,
    collateralUnit: unitOf(pool.collateral.decimals),
    debtUnit: unitOf(pool.debt.decimals),
  };
  // Stryker disable next-line ConditionalExpression: equivalent, as the rule itself finds a position without debt not liquidatable (no value is below 0).
  if (position.scaledDebt === 0n || !isLiquidatable(rule)) {
    throw new DomainError('NOT_LIQUIDATABLE', `the position's health factor is not below 1 at round ${round.round}'s price`);
  }
  return { feed: pool.feed, round: round.round, price: round.price, borrowIndex };
}

type ActiveFeed = Extract<FeedState, { status: 'active' }>;

/**
 * The price of a round a liquidation step cites (a reservation, an auction reset): a recent, fresh
 * round of the pool's feed, with liquidations on it not paused. Citing the round, not "the price now",
 * makes the decision the same wherever it is decided again.
 */
export function citedRoundPrice(feed: FeedState, feedName: string, round: bigint, now: bigint): bigint {
  return freshRound(liquidatingFeed(feed, feedName), round, now).price;
}

/** The pool's feed, if it may drive a liquidation now. */
function liquidatingFeed(feed: FeedState, name: string): ActiveFeed {
  if (feed.status !== 'active') throw new DomainError('FEED_NOT_FOUND', `feed ${name} does not exist`);
  if (feed.liquidationsPaused) throw new DomainError('LIQUIDATIONS_PAUSED', `liquidations on ${name} are paused until the oracles confirm the last price jump`);
  return feed;
}

/** A recent priced round no older than the feed's heartbeat. */
function freshRound(feed: ActiveFeed, round: bigint, now: bigint): PricedRound {
  const found = acceptedRound(feed, round);
  if (now - found.at > BigInt(feed.heartbeatSeconds)) {
    throw new DomainError('STALE_ROUND', `round ${found.round} of ${feed.feed} is older than the ${feed.heartbeatSeconds} s heartbeat`);
  }
  return found;
}

function acceptedRound(feed: ActiveFeed, round: bigint): PricedRound {
  const found = feed.rounds.find((r) => r.round === round);
  if (found) return found;
  const latestRound = feed.rounds.at(-1)?.round.toString() ?? null;
  // Stryker disable next-line EqualityOperator: round <= rounds[0].round is equivalent, the oldest kept round being found above.
  if (feed.rounds.length === RECENT_ROUNDS && round < feed.rounds[0].round) {
    throw new DomainError('STALE_ROUND', `round ${round} of ${feed.feed} is too old to cite`, { latestRound });
  }
  throw new DomainError('ROUND_NOT_ACCEPTED', `round ${round} of ${feed.feed} has not set a price`, { latestRound });
}
