/**
 * The ledger's two hash-based primitives, shared by the domain, the oracle CLI, the auditor and the
 * circuit's witness builder: Poseidon over the BN254 scalar field, and EdDSA on Baby Jubjub over
 * Poseidon. Both are deterministic computations; they live in the domain because commitments and
 * signature checks are domain rules. The library computing them loads asynchronously (see
 * `crypto-engine.ts` for the two a process picks from), so a process calls `loadCrypto()` at start and
 * every function after it is synchronous. Inputs are checked here, once, whichever library computes.
 */
import { createHash } from 'node:crypto';
import { buildCryptoEngine, type CryptoEngine, type CryptoEngineName, type EddsaSignature, type OraclePublicKey } from './crypto-engine';

/**
 * Order r of the BN254 scalar field: every circuit signal and Poseidon input lives below it. Read from
 * the library that computes (never written by hand: a wrong constant let a signed round N pass again as
 * N + r); 0 until `loadCrypto()`, so nothing counts as a field element before.
 */
export let FIELD_MODULUS = 0n;

let engine: CryptoEngine | undefined;
const loading = new Map<CryptoEngineName, Promise<void>>();

/**
 * Loads the library that computes: `throughput` by default (a process that hashes or verifies in
 * bulk), `quick-start` for a short process (a CLI call). Once `throughput` has loaded it stays, since
 * both compute the same functions.
 */
export function loadCrypto(name: CryptoEngineName = 'throughput'): Promise<void> {
  let load = loading.get(name);
  if (!load) {
    load = buildCryptoEngine(name).then((built) => {
      if (engine === undefined || name === 'throughput') engine = built;
      FIELD_MODULUS = engine.fieldModulus;
    });
    loading.set(name, load);
  }
  return load;
}

function loaded(): CryptoEngine {
  if (!engine) throw new Error('crypto not loaded: await loadCrypto() once at start');
  return engine;
}

/** Throws before `loadCrypto()`: the field is the library's, unknown until it has loaded. */
export function isFieldElement(x: bigint): boolean {
  loaded();
  return x >= 0n && x < FIELD_MODULUS;
}

export function poseidonHash(inputs: readonly bigint[]): bigint {
  for (const x of inputs) if (!isFieldElement(x)) throw new RangeError(`Poseidon input outside the field: ${x}`);
  return loaded().hash(inputs);
}

export type { EddsaSignature, OraclePublicKey } from './crypto-engine';

/** Derives the public key of a 32-byte private key (as circomlib does: blake512, pruned, times Base8). */
export function publicKeyOf(privateKey: Uint8Array): OraclePublicKey {
  if (privateKey.length !== 32) throw new RangeError('an oracle private key is 32 bytes');
  return loaded().publicKeyOf(privateKey);
}

/** A point of Baby Jubjub given by coordinates below the field order (a library would reduce larger ones). */
export function isOraclePublicKey(key: OraclePublicKey): boolean {
  return isFieldElement(key.x) && isFieldElement(key.y) && loaded().inCurve(key);
}

export function signMessage(privateKey: Uint8Array, message: bigint): EddsaSignature {
  if (!isFieldElement(message)) throw new RangeError(`a signed message is a field element: ${message}`);
  return loaded().sign(privateKey, message);
}

/** False for any malformed input (off-curve points, out-of-range scalars) rather than throwing. */
export function verifySignature(message: bigint, signature: EddsaSignature, key: OraclePublicKey): boolean {
  const verdict = known.verdicts.get(verdictKey(message, signature, key));
  if (verdict !== undefined) return verdict;
  const values = [message, signature.r8x, signature.r8y, key.x, key.y];
  if (!values.every(isFieldElement) || signature.s < 0n) return false;
  try {
    return loaded().verify(message, signature, key);
  } catch {
    return false;
  }
}

/**
 * A text identifier (feed name, position id, liquidator id) as a field element: SHA-256 cut to 253
 * bits, so any length maps below the field order and the same text always gives the same element.
 */
export function idToField(id: string): bigint {
  return BigInt('0x' + createHash('sha256').update(id, 'utf8').digest('hex')) >> 3n;
}

/** The message an oracle signs for a report: Poseidon(feed, round, price, timestamp). */
export function reportMessage(feed: string, round: bigint, price: bigint, timestamp: bigint): bigint {
  return poseidonHash([idToField(feed), round, price, timestamp]);
}

/**
 * The only view of a position outside its own events: Poseidon(collateral, scaledDebt, salt), where
 * scaledDebt is the debt divided by the pool's borrow index (see domain/risk), so interest accrual
 * does not change it, and a fresh salt is drawn on every change.
 */
export function positionCommitment(collateral: bigint, scaledDebt: bigint, salt: bigint): bigint {
  return known.commitments.get(commitmentKey(collateral, scaledDebt, salt)) ?? poseidonHash([collateral, scaledDebt, salt]);
}

/**
 * Results computed ahead of need, on another thread, by a caller that knows which it will ask for (the
 * auditor, replaying a million events: commitments and oracle signatures are most of its work).
 * Poseidon and signature verification are pure functions, so answering from here changes nothing but
 * the time taken; the caller forgets the results when done.
 */
const known = { commitments: new Map<string, bigint>(), verdicts: new Map<string, boolean>() };
const commitmentKey = (collateral: bigint, scaledDebt: bigint, salt: bigint) => `${collateral}:${scaledDebt}:${salt}`;
const verdictKey = (message: bigint, s: EddsaSignature, key: OraclePublicKey) => `${message}:${s.r8x}:${s.r8y}:${s.s}:${key.x}:${key.y}`;

export type Opening = readonly [collateral: bigint, scaledDebt: bigint, salt: bigint];
export interface SignatureCheck {
  message: bigint;
  signature: EddsaSignature;
  key: OraclePublicKey;
}

export function rememberCrypto(commitments: readonly (readonly [Opening, bigint])[], verdicts: readonly (readonly [SignatureCheck, boolean])[]): void {
  for (const [[c, d, s], commitment] of commitments) known.commitments.set(commitmentKey(c, d, s), commitment);
  for (const [{ message, signature, key }, ok] of verdicts) known.verdicts.set(verdictKey(message, signature, key), ok);
}

export function forgetCrypto(): void {
  known.commitments.clear();
  known.verdicts.clear();
}
