/**
 * The ledger's proof of its own detection (stream `proof-<liquidationId>`, where the liquidation id is
 * `<positionId>.<revision of its LiquidationTriggered>`, as its auction's): a Groth16 proof, made after
 * the trigger by the ledger, which holds the position's opening, that the committed position was below
 * its threshold at the round's accepted price and the borrow index the trigger recorded. With it every
 * liquidation, detected or proven by a liquidator, can be checked by anyone from the public streams and
 * the verification key alone, without learning the position's size.
 *
 * Every public signal is fixed by the trigger: the commitment, feed, round, price and borrow index it
 * recorded, the pool's threshold and scales when it was triggered, the position, the ledger as prover
 * and the nullifier of that state and round. A stream holds one proof; a second is refused.
 */
import { DomainError, Decider } from '../decider';
import { idToField } from '../crypto/crypto';
import { ActivePool } from '../pool/pool';
import { Balances, PositionEvent } from '../position/position';
import { unitOf } from '../risk/liquidation-rule';
import { liquidationNullifier, LiquidationPublicSignals, mismatchedSignals, parsePublicSignals, PublicSignalsError } from './public-signals';

/** The prover the ledger's own proofs are bound to: not a principal id (those start with a letter or digit). */
export const LEDGER_PROVER = '$ledger';

export const liquidationIdOf = (positionId: string, triggerRevision: bigint) => `${positionId}.${triggerRevision}`;
export const LIQUIDATION_PROOF_STREAM_PREFIX = 'proof-';
export const liquidationProofStream = (liquidationId: string) => `${LIQUIDATION_PROOF_STREAM_PREFIX}${liquidationId}`;

/** A liquidation the ledger detected, with what its proof must state: nothing of the position's size. */
export interface DetectedTrigger {
  liquidationId: string;
  positionId: string;
  poolId: string;
  feed: string;
  round: bigint;
  /** WAD: the round's accepted price the trigger was decided at. */
  price: bigint;
  /** RAY: the borrow index the trigger was decided at. */
  borrowIndex: bigint;
  commitment: bigint;
  thresholdBps: bigint;
  collateralDecimals: number;
  debtDecimals: number;
}

/** A detected liquidation to prove: what the proof states, and the position's opening it needs (never published). */
export interface ProofJob {
  trigger: DetectedTrigger;
  opening: Balances & { salt: bigint };
}

type DetectionEvent = Extract<PositionEvent, { type: 'LiquidationTriggered'; by: 'detection' }>;

/** The trigger as its proof must state it: the event, at its revision, and its pool as it was then. */
export function detectedTriggerOf(event: DetectionEvent, revision: bigint, pool: ActivePool): DetectedTrigger {
  return {
    liquidationId: liquidationIdOf(event.positionId, revision),
    positionId: event.positionId,
    poolId: event.poolId,
    feed: event.feed,
    round: event.round,
    price: event.price,
    borrowIndex: event.borrowIndex,
    commitment: event.commitment,
    thresholdBps: pool.parameters.liquidationThresholdBps,
    collateralDecimals: pool.collateral.decimals,
    debtDecimals: pool.debt.decimals,
  };
}

/** Every public signal the ledger's proof of this trigger must carry. */
export function expectedSignalsOf(trigger: DetectedTrigger): LiquidationPublicSignals {
  const positionId = idToField(trigger.positionId);
  return {
    commitment: trigger.commitment,
    feed: idToField(trigger.feed),
    round: trigger.round,
    price: trigger.price,
    threshold: trigger.thresholdBps,
    positionId,
    liquidator: idToField(LEDGER_PROVER),
    nullifier: liquidationNullifier(positionId, trigger.round, trigger.commitment),
    borrowIndex: trigger.borrowIndex,
    collateralUnit: unitOf(trigger.collateralDecimals),
    debtUnit: unitOf(trigger.debtDecimals),
  };
}

export type LiquidationProofState = { status: 'absent' } | { status: 'proven'; liquidationId: string };

/** `proofVerified` is the zk module's verdict on the proof against its signals (too slow for decide). */
export type LiquidationProofCommand = { type: 'ProveDetectedLiquidation'; proof: unknown; publicSignals: string[]; proofVerified: boolean };

/** The trigger's identity, round, price and commitment, with the proof of it. */
export type LiquidationProofEvent = { type: 'LiquidationProven' } & Pick<DetectedTrigger, 'liquidationId' | 'positionId' | 'poolId' | 'feed' | 'round' | 'price' | 'commitment'> & {
  nullifier: bigint;
  proof: unknown;
  publicSignals: string[];
};

export interface LiquidationProofContext {
  /** The detected liquidation this stream proves, if the ledger recorded one by that id. */
  trigger?: DetectedTrigger;
}

export const liquidationProofDecider: Decider<LiquidationProofState, LiquidationProofCommand, LiquidationProofEvent, LiquidationProofContext> = {
  initialState: () => ({ status: 'absent' }),

  decide(command, state, { trigger }) {
    if (state.status !== 'absent') throw new DomainError('LIQUIDATION_ALREADY_PROVEN', `liquidation ${state.liquidationId} has its proof already`);
    if (!trigger) throw new DomainError('LIQUIDATION_NOT_FOUND', 'no liquidation detected by the ledger has this id');
    let signals: LiquidationPublicSignals;
    try {
      signals = parsePublicSignals(command.publicSignals);
    } catch (err) {
      if (err instanceof PublicSignalsError) throw new DomainError('INVALID_PUBLIC_SIGNALS', err.message);
      throw err;
    }
    const mismatched = mismatchedSignals(signals, expectedSignalsOf(trigger));
    if (mismatched.length) {
      throw new DomainError('PUBLIC_SIGNAL_MISMATCH', `the proof's ${mismatched.join(', ')} ${mismatched.length > 1 ? 'are' : 'is'} not the trigger's`, { signals: mismatched });
    }
    if (!command.proofVerified) throw new DomainError('INVALID_PROOF', 'the proof does not verify against its public signals');
    const { liquidationId, positionId, poolId, feed, round, price, commitment } = trigger;
    return [{ type: 'LiquidationProven', liquidationId, positionId, poolId, feed, round, price, commitment, nullifier: signals.nullifier, proof: command.proof, publicSignals: command.publicSignals }];
  },

  evolve(_state, event) {
    return { status: 'proven', liquidationId: event.liquidationId };
  },
};
