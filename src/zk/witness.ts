/**
 * Builds the circuit's input from what a liquidator holds: the position opening it is entitled to see,
 * an oracle-signed report, the pool's parameters, the position id and its own id. Shared by the prover,
 * the tests and the liquidator CLI. It checks everything the circuit would check, so a claim that
 * cannot be proven fails here with a clear reason instead of deep inside witness generation.
 */
import {
  EddsaSignature,
  OraclePublicKey,
  idToField,
  isFieldElement,
  poseidonHash,
  positionCommitment,
  reportMessage,
  verifySignature,
} from '../domain/crypto/crypto';
import {
  AMOUNT_BITS,
  BORROW_INDEX_BITS,
  THRESHOLD_BITS,
  TIMESTAMP_BITS,
  isLiquidatable,
  unitOf,
} from '../domain/risk/liquidation-rule';
import { LiquidationPublicSignals, PUBLIC_SIGNAL_NAMES } from '../domain/liquidation/public-signals';

/** Domain tag of the nullifier hash; the circuit holds the same constant (NULLIFIER_TAG). */
export const NULLIFIER_TAG = idToField('liquidation-ledger/nullifier/v1');

/** The position's opening: what its commitment hides. */
export interface PositionOpening {
  collateral: bigint;
  scaledDebt: bigint;
  salt: bigint;
}

/** An oracle report with the key that signed it. */
export interface SignedReport {
  feed: string;
  round: bigint;
  /** WAD. */
  price: bigint;
  timestamp: bigint;
  oracleKey: OraclePublicKey;
  signature: EddsaSignature;
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
  report: SignedReport;
  pool: PoolRiskParams;
  positionId: string;
  liquidator: string;
}

export const PRIVATE_INPUT_NAMES = [
  'collateral',
  'scaledDebt',
  'salt',
  'price',
  'timestamp',
  'sigR8x',
  'sigR8y',
  'sigS',
] as const;
export type PrivateInputName = (typeof PRIVATE_INPUT_NAMES)[number];

/** Every input signal of the circuit, by name. */
export type LiquidationWitnessInput = LiquidationPublicSignals & Record<PrivateInputName, bigint>;

export type WitnessErrorCode = 'OUT_OF_RANGE' | 'BAD_SIGNATURE' | 'NOT_LIQUIDATABLE';

export class WitnessError extends Error {
  override readonly name = 'WitnessError';
  constructor(
    readonly code: WitnessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The nullifier of a liquidation: Poseidon(NULLIFIER_TAG, positionId, round, commitment). One per
 * position state and oracle round, whoever the liquidator; the ledger accepts each at most once.
 */
export function liquidationNullifier(positionId: bigint, round: bigint, commitment: bigint): bigint {
  return poseidonHash([NULLIFIER_TAG, positionId, round, commitment]);
}

function requireBits(value: bigint, bits: bigint, what: string): void {
  if (value < 0n || value >= 1n << bits) {
    throw new WitnessError('OUT_OF_RANGE', `${what} must be in [0, 2^${bits}): ${value}`);
  }
}

export interface BuildOptions {
  /**
   * Skip the checks (range, signature, rule) and build the input anyway. Only for tests that show the
   * circuit itself refuses what these checks would have caught.
   */
  unchecked?: boolean;
}

/** Claim → the circuit's full input. Throws WitnessError when no valid proof can exist for the claim. */
export function buildWitnessInput(claim: LiquidationClaim, options: BuildOptions = {}): LiquidationWitnessInput {
  const { opening, report, pool } = claim;
  const collateralUnit = unitOf(pool.collateralDecimals);
  const debtUnit = unitOf(pool.debtDecimals);

  if (!options.unchecked) {
    requireBits(opening.collateral, AMOUNT_BITS, 'collateral');
    requireBits(opening.scaledDebt, AMOUNT_BITS, 'scaledDebt');
    requireBits(report.price, AMOUNT_BITS, 'price');
    requireBits(report.timestamp, TIMESTAMP_BITS, 'timestamp');
    requireBits(pool.thresholdBps, THRESHOLD_BITS, 'thresholdBps');
    requireBits(pool.borrowIndex, BORROW_INDEX_BITS, 'borrowIndex');
    for (const [what, v] of [
      ['salt', opening.salt],
      ['round', report.round],
      ['signature R8x', report.signature.r8x],
      ['signature R8y', report.signature.r8y],
      ['signature S', report.signature.s],
    ] as const) {
      if (!isFieldElement(v)) throw new WitnessError('OUT_OF_RANGE', `${what} is not a field element`);
    }
    const message = reportMessage(report.feed, report.round, report.price, report.timestamp);
    if (!verifySignature(message, report.signature, report.oracleKey)) {
      throw new WitnessError('BAD_SIGNATURE', `the report of ${report.feed} round ${report.round} is not signed by this key`);
    }
    const liquidatable = isLiquidatable({
      collateral: opening.collateral,
      scaledDebt: opening.scaledDebt,
      price: report.price,
      thresholdBps: pool.thresholdBps,
      borrowIndex: pool.borrowIndex,
      collateralUnit,
      debtUnit,
    });
    if (!liquidatable) {
      throw new WitnessError('NOT_LIQUIDATABLE', `position ${claim.positionId} is healthy at round ${report.round}`);
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
    oracleAx: report.oracleKey.x,
    oracleAy: report.oracleKey.y,
    feed: idToField(report.feed),
    round: report.round,
    threshold: pool.thresholdBps,
    positionId,
    liquidator: idToField(claim.liquidator),
    nullifier: hashable(report.round) ? liquidationNullifier(positionId, report.round, commitment) : 0n,
    borrowIndex: pool.borrowIndex,
    collateralUnit,
    debtUnit,
    collateral: opening.collateral,
    scaledDebt: opening.scaledDebt,
    salt: opening.salt,
    price: report.price,
    timestamp: report.timestamp,
    sigR8x: report.signature.r8x,
    sigR8y: report.signature.r8y,
    sigS: report.signature.s,
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
