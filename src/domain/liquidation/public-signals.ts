/**
 * The proof's public signals: their names and their order, in one place. The order is the order of the
 * `public [...]` inputs of circuits/liquidation.circom (all public signals are inputs, none are outputs,
 * so the array snarkjs returns follows the declaration order). Everything else converts through here.
 */
import { FIELD_MODULUS, idToField, poseidonHash } from '../crypto/crypto';

export const PUBLIC_SIGNAL_NAMES = [
  'commitment',
  'feed',
  'round',
  'price',
  'threshold',
  'positionId',
  'liquidator',
  'nullifier',
  'borrowIndex',
  'collateralUnit',
  'debtUnit',
] as const;

export type PublicSignalName = (typeof PUBLIC_SIGNAL_NAMES)[number];

/** Named view of the public signals; every value a field element. */
export type LiquidationPublicSignals = Record<PublicSignalName, bigint>;

/** Where each named signal sits in the array. */
export const PUBLIC_SIGNAL_INDEX: Readonly<Record<PublicSignalName, number>> = Object.freeze(
  Object.fromEntries(PUBLIC_SIGNAL_NAMES.map((name, i) => [name, i])) as Record<PublicSignalName, number>,
);

export class PublicSignalsError extends Error {
  override readonly name = 'PublicSignalsError';
}

/** Parses one signal as snarkjs writes it (a decimal string); refuses anything not a field element. */
export function parseFieldElement(text: string, what = 'signal'): bigint {
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new PublicSignalsError(`${what} is not a decimal field element: ${String(text)}`);
  }
  const value = BigInt(text);
  if (value >= FIELD_MODULUS) throw new PublicSignalsError(`${what} is not below the field modulus`);
  return value;
}

/** snarkjs array → named view. Throws PublicSignalsError on a wrong length or a non-field value. */
export function parsePublicSignals(signals: readonly string[]): LiquidationPublicSignals {
  if (!Array.isArray(signals) || signals.length !== PUBLIC_SIGNAL_NAMES.length) {
    throw new PublicSignalsError(`expected ${PUBLIC_SIGNAL_NAMES.length} public signals`);
  }
  const out = {} as LiquidationPublicSignals;
  PUBLIC_SIGNAL_NAMES.forEach((name, i) => {
    out[name] = parseFieldElement(signals[i], name);
  });
  return out;
}

/** Named view → snarkjs array (decimal strings). */
export function formatPublicSignals(signals: LiquidationPublicSignals): string[] {
  return PUBLIC_SIGNAL_NAMES.map((name) => {
    const v = signals[name];
    if (v < 0n || v >= FIELD_MODULUS) throw new PublicSignalsError(`${name} is not a field element`);
    return v.toString();
  });
}

/**
 * The names whose value differs from what the verifier expects (the ledger's current commitment, the
 * accepted oracle key and round, the pool's threshold and scales, the position, the submitter...).
 * Empty when every expected value matches; names absent from `expected` are not compared.
 */
export function mismatchedSignals(
  actual: LiquidationPublicSignals,
  expected: Partial<LiquidationPublicSignals>,
): PublicSignalName[] {
  return PUBLIC_SIGNAL_NAMES.filter((name) => expected[name] !== undefined && expected[name] !== actual[name]);
}

/** Domain tag of the nullifier hash; the circuit holds the same constant (NULLIFIER_TAG). */
export const NULLIFIER_TAG = idToField('liquidation-ledger/nullifier/v1');

/**
 * The nullifier of a liquidation: Poseidon(NULLIFIER_TAG, positionId, round, commitment). One per
 * position state and oracle round, whoever the liquidator; the ledger accepts each at most once.
 */
export function liquidationNullifier(positionId: bigint, round: bigint, commitment: bigint): bigint {
  return poseidonHash([NULLIFIER_TAG, positionId, round, commitment]);
}
