/**
 * Builds the circuit's input from what a prover holds: the position opening it is entitled to see, the
 * price the ledger accepted for an oracle round (the quorum median), the pool's parameters, the
 * position id and the prover's own id. Shared by the ledger's prover, the liquidator CLI and the tests.
 * It checks everything the circuit would check, so a claim that cannot be proven fails here with a
 * clear reason instead of deep inside witness generation.
 */
import { idToField, isFieldElement, positionCommitment } from '../domain/crypto/crypto';
import { AMOUNT_BITS, BORROW_INDEX_BITS, THRESHOLD_BITS, isLiquidatable, unitOf } from '../domain/risk/liquidation-rule';
import { liquidationNullifier, LiquidationPublicSignals, PUBLIC_SIGNAL_NAMES } from '../domain/liquidation/public-signals';

/** The position's opening: what its commitment hides. */
export interface PositionOpening {
  collateral: bigint;
  scaledDebt: bigint;
  salt: bigint;
}

/**
 * The price the ledger accepted for a round of a feed: the median of the quorum's reports. A proof
 * counts only at this price; the ledger and every verifier compare it with the recorded round.
 */
export interface RoundPrice {
  feed: string;
  round: bigint;
  /** WAD. */
  price: bigint;
}

/** The pool parameters the rule needs (public; they are public signals of the proof). */
export interface PoolRiskParams {
  thresholdBps: bigint;
  collateralDecimals: number;
  debtDecimals: number;
  /** RAY. */
  borrowIndex: bigint;
}

export interface LiquidationClaim {
  opening: PositionOpening;
  roundPrice: RoundPrice;
  pool: PoolRiskParams;
  positionId: string;
  liquidator: string;
}

export const PRIVATE_INPUT_NAMES = ['collateral', 'scaledDebt', 'salt'] as const;
export type PrivateInputName = (typeof PRIVATE_INPUT_NAMES)[number];

/** Every input signal of the circuit, by name. */
export type LiquidationWitnessInput = LiquidationPublicSignals & Record<PrivateInputName, bigint>;

export type WitnessErrorCode = 'OUT_OF_RANGE' | 'NOT_LIQUIDATABLE';

export class WitnessError extends Error {
  override readonly name = 'WitnessError';
  constructor(
    readonly code: WitnessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function requireBits(value: bigint, bits: bigint, what: string): void {
  if (value < 0n || value >= 1n << bits) {
    throw new WitnessError('OUT_OF_RANGE', `${what} must be in [0, 2^${bits}): ${value}`);
  }
}

export interface BuildOptions {
  /**
   * Skip the checks (range, rule) and build the input anyway. Only for tests that show the
   * circuit itself refuses what these checks would have caught.
   */
  unchecked?: boolean;
}

/** Claim → the circuit's full input. Throws WitnessError when no valid proof can exist for the claim. */
export function buildWitnessInput(claim: LiquidationClaim, options: BuildOptions = {}): LiquidationWitnessInput {
  const { opening, roundPrice, pool } = claim;
  const collateralUnit = unitOf(pool.collateralDecimals);
  const debtUnit = unitOf(pool.debtDecimals);

  if (!options.unchecked) {
    requireBits(opening.collateral, AMOUNT_BITS, 'collateral');
    requireBits(opening.scaledDebt, AMOUNT_BITS, 'scaledDebt');
    requireBits(roundPrice.price, AMOUNT_BITS, 'price');
    requireBits(pool.thresholdBps, THRESHOLD_BITS, 'thresholdBps');
    requireBits(pool.borrowIndex, BORROW_INDEX_BITS, 'borrowIndex');
    for (const [what, v] of [
      ['salt', opening.salt],
      ['round', roundPrice.round],
    ] as const) {
      if (!isFieldElement(v)) throw new WitnessError('OUT_OF_RANGE', `${what} is not a field element`);
    }
    const liquidatable = isLiquidatable({
      collateral: opening.collateral,
      scaledDebt: opening.scaledDebt,
      price: roundPrice.price,
      thresholdBps: pool.thresholdBps,
      borrowIndex: pool.borrowIndex,
      collateralUnit,
      debtUnit,
    });
    if (!liquidatable) {
      throw new WitnessError('NOT_LIQUIDATABLE', `position ${claim.positionId} is healthy at round ${roundPrice.round}'s price`);
    }
  }

  // Unchecked inputs may be outside the field; Poseidon refuses them, so hash what it accepts.
  const hashable = (v: bigint): boolean => isFieldElement(v);
  const commitment = [opening.collateral, opening.scaledDebt, opening.salt].every(hashable)
    ? positionCommitment(opening.collateral, opening.scaledDebt, opening.salt)
    : 0n;
  const positionId = idToField(claim.positionId);
  return {
    commitment,
    feed: idToField(roundPrice.feed),
    round: roundPrice.round,
    price: roundPrice.price,
    threshold: pool.thresholdBps,
    positionId,
    liquidator: idToField(claim.liquidator),
    nullifier: hashable(roundPrice.round) ? liquidationNullifier(positionId, roundPrice.round, commitment) : 0n,
    borrowIndex: pool.borrowIndex,
    collateralUnit,
    debtUnit,
    collateral: opening.collateral,
    scaledDebt: opening.scaledDebt,
    salt: opening.salt,
  };
}

/** The public signals a proof of this input carries (what a verifier should expect). */
export function publicSignalsOf(input: LiquidationWitnessInput): LiquidationPublicSignals {
  const out = {} as LiquidationPublicSignals;
  for (const name of PUBLIC_SIGNAL_NAMES) out[name] = input[name];
  return out;
}

/** The input as snarkjs and the circuit's witness calculator take it: decimal strings by signal name. */
export function toCircuitInput(input: LiquidationWitnessInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...PUBLIC_SIGNAL_NAMES, ...PRIVATE_INPUT_NAMES]) out[name] = input[name].toString();
  return out;
}
