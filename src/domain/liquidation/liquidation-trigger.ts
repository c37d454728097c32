/**
 * When a liquidator's proof may trigger a position's liquidation. The proof itself (checked by the
 * zk module before deciding) says: a position whose commitment is C, valued at a price that the
 * oracle key K signed for round R, is below the liquidation threshold T at borrow index I. These
 * rules say whether C, K, R, T and I are the ledger's: the position's current commitment, a key of
 * the pool's feed whose report was in the quorum of an accepted, still fresh round, the pool's
 * threshold and scales, and an index no later than now. The ledger's own detection cites a round
 * the same way, and must find the position below the threshold at that round's price and the index
 * of now. Each refusal has its own code.
 */
import { DomainError } from '../decider';
import { idToField } from '../crypto/crypto';
import { FeedState, PricedRound, RECENT_ROUNDS } from '../oracle/feed';
import { ActivePool } from '../pool/pool';
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
  oracle: string;
  round: bigint;
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
  const active = liquidatingFeed(feed, pool.feed);
  const oracle = Object.entries(active.oracles).find(([, o]) => o.publicKey.x === signals.oracleAx && o.publicKey.y === signals.oracleAy);
  if (!oracle) throw new DomainError('UNKNOWN_ORACLE_KEY', `the proof's oracle key is not registered on ${pool.feed}`);
  const [oracleName, { revoked }] = oracle;
  if (revoked) throw new DomainError('ORACLE_REVOKED', `oracle ${oracleName}'s key is revoked`);
  const round = freshRound(active, signals.round, now);
  if (!round.reports.some((r) => r.oracle === oracleName)) {
    throw new DomainError('ORACLE_NOT_IN_ROUND', `${oracleName}'s report was not in the quorum that priced round ${round.round}`);
  }
  return { feed: pool.feed, oracle: oracleName, round: round.round, nullifier: signals.nullifier };
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
  if (feed.rounds.length === RECENT_ROUNDS && round < feed.rounds[0].round) {
    throw new DomainError('STALE_ROUND', `round ${round} of ${feed.feed} is too old to cite`, { latestRound });
  }
  throw new DomainError('ROUND_NOT_ACCEPTED', `round ${round} of ${feed.feed} has not set a price`, { latestRound });
}
