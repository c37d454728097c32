/**
 * Verification with the verification key alone: what the ledger does before appending and what an
 * auditor does on replay. Malformed proofs or signals are refused (false), never thrown.
 *
 * On top of snarkjs's check, coordinates must be canonical (below the base field modulus, so a proof
 * has one spelling) and B must lie in the order-r subgroup G2, not merely on the twist curve (snarkjs
 * checks only the latter). The batch verifier needs that for soundness and applies the same rules, so
 * single and batch verification accept exactly the same proofs.
 */
import { loadVerificationKey } from './artifacts';
import { LiquidationPublicSignals, PublicSignalsError, formatPublicSignals, parsePublicSignals } from '../domain/liquidation/public-signals';
import { Buffer8, Curve, Groth16Proof, VerificationKey, snarkjs } from './snarkjs';

/** Modulus of BN254's base field: every point coordinate is below it. */
export const BASE_FIELD_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function isDecimalArray(x: unknown, length: number): x is string[] {
  return (
    Array.isArray(x) &&
    x.length === length &&
    x.every((v) => typeof v === 'string' && DECIMAL.test(v) && BigInt(v) < BASE_FIELD_MODULUS)
  );
}

/** [r]B = O: B is in the prime-order subgroup of the twist (being on the curve is checked apart). */
export function inG2Subgroup(curve: Curve, b: Buffer8): boolean {
  return curve.G2.isZero(curve.G2.timesScalar(b, curve.r));
}

async function piBInG2(proof: Groth16Proof): Promise<boolean> {
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  const b = curve.G2.fromObject(proof.pi_b.map((row) => row.map(BigInt)));
  return curve.G2.isValid(b) && inG2Subgroup(curve, b);
}

/** Structural check of an untrusted proof object: shape, decimal canonical coordinates (curve checks come later). */
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
    return (await snarkjs.groth16.verify(verificationKey, signals, proof)) && (await piBInG2(proof));
  } catch {
    return false; // e.g. a coordinate above the base field: not a point, so not a proof
  }
}
