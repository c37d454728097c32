/**
 * Verification with the verification key alone: what the ledger does before appending and what an
 * auditor does on replay. Malformed proofs or signals are refused (false), never thrown.
 */
import { loadVerificationKey } from './artifacts';
import { LiquidationPublicSignals, PublicSignalsError, formatPublicSignals, parsePublicSignals } from './public-signals';
import { Groth16Proof, VerificationKey, snarkjs } from './snarkjs';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function isDecimalArray(x: unknown, length: number): x is string[] {
  return Array.isArray(x) && x.length === length && x.every((v) => typeof v === 'string' && DECIMAL.test(v));
}

/** Structural check of an untrusted proof object (points are checked on the curve by the verifier). */
export function isWellFormedProof(proof: unknown): proof is Groth16Proof {
  if (typeof proof !== 'object' || proof === null) return false;
  const p = proof as Record<string, unknown>;
  return (
    p.protocol === 'groth16' &&
    p.curve === 'bn128' &&
    isDecimalArray(p.pi_a, 3) &&
    isDecimalArray(p.pi_c, 3) &&
    Array.isArray(p.pi_b) &&
    p.pi_b.length === 3 &&
    p.pi_b.every((row) => isDecimalArray(row, 2))
  );
}

/**
 * Signals as an array in circuit order, from either form; undefined if malformed (wrong length,
 * not decimal, not below the field modulus).
 */
export function normalizeSignals(signals: readonly string[] | LiquidationPublicSignals): string[] | undefined {
  try {
    return Array.isArray(signals)
      ? formatPublicSignals(parsePublicSignals(signals as readonly string[]))
      : formatPublicSignals(signals as LiquidationPublicSignals);
  } catch (err) {
    if (err instanceof PublicSignalsError) return undefined;
    throw err;
  }
}

/** True iff the proof is a valid Groth16 proof of the liquidation circuit for these public signals. */
export async function verifyLiquidationProof(
  proof: unknown,
  publicSignals: readonly string[] | LiquidationPublicSignals,
  verificationKey: VerificationKey = loadVerificationKey(),
): Promise<boolean> {
  const signals = normalizeSignals(publicSignals);
  if (!signals || !isWellFormedProof(proof)) return false;
  try {
    return await snarkjs.groth16.verify(verificationKey, signals, proof);
  } catch {
    return false; // e.g. a coordinate above the base field: not a point, so not a proof
  }
}
