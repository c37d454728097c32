/**
 * What computes the ledger's two primitives, Poseidon and EdDSA-Poseidon on Baby Jubjub. Two libraries
 * compute the same functions with opposite costs, so a process picks by what it does:
 * - `throughput` (circomlibjs): field arithmetic in WebAssembly, 3× faster per hash and 1.4× per
 *   signature, but about 1.2 s of CPU to build the field for each hash and curve it carries. For the
 *   ledger, the auditor and anything that hashes or verifies in bulk.
 * - `quick-start` (zk-kit's EdDSA-Poseidon and poseidon-lite, as Semaphore uses): plain BigInt, loads
 *   in about 0.1 s. For a CLI call that signs one report or hashes one commitment.
 * `crypto-engines.spec.ts` holds the two to equal outputs on the same inputs.
 */

/** Oracle public key: a Baby Jubjub point, written as its two affine coordinates. */
export interface OraclePublicKey {
  x: bigint;
  y: bigint;
}

/** EdDSA-Poseidon signature: the point R8 and the scalar S. */
export interface EddsaSignature {
  r8x: bigint;
  r8y: bigint;
  s: bigint;
}

export type CryptoEngineName = 'throughput' | 'quick-start';

export interface CryptoEngine {
  /** Order of the BN254 scalar field, read from the library (never written by hand). */
  fieldModulus: bigint;
  /** Inputs are field elements (the caller checks). */
  hash(inputs: readonly bigint[]): bigint;
  publicKeyOf(privateKey: Uint8Array): OraclePublicKey;
  /** Coordinates are field elements (the caller checks). */
  inCurve(key: OraclePublicKey): boolean;
  sign(privateKey: Uint8Array, message: bigint): EddsaSignature;
  /** Every coordinate is a field element and s ≥ 0 (the caller checks); may throw on malformed points. */
  verify(message: bigint, signature: EddsaSignature, key: OraclePublicKey): boolean;
}

/** Libraries are imported here, not at the top, so importing the domain costs nothing until a load. */
export function buildCryptoEngine(name: CryptoEngineName): Promise<CryptoEngine> {
  return name === 'throughput' ? throughputEngine() : quickStartEngine();
}

async function throughputEngine(): Promise<CryptoEngine> {
  // circomlibjs's EdDSA carries the Poseidon its own verification uses; one build serves both.
  const eddsa = await (await import('circomlibjs')).buildEddsa();
  const { F, poseidon } = eddsa;
  return {
    fieldModulus: F.p,
    hash: (inputs) => F.toObject(poseidon(inputs.slice())),
    publicKeyOf(privateKey) {
      const [x, y] = eddsa.prv2pub(Buffer.from(privateKey));
      return { x: F.toObject(x), y: F.toObject(y) };
    },
    inCurve: (key) => eddsa.babyJub.inCurve([F.e(key.x), F.e(key.y)]),
    sign(privateKey, message) {
      const sig = eddsa.signPoseidon(Buffer.from(privateKey), F.e(message));
      return { r8x: F.toObject(sig.R8[0]), r8y: F.toObject(sig.R8[1]), s: sig.S };
    },
    verify: (message, signature, key) =>
      eddsa.verifyPoseidon(F.e(message), { R8: [F.e(signature.r8x), F.e(signature.r8y)], S: signature.s }, [F.e(key.x), F.e(key.y)]),
  };
}

async function quickStartEngine(): Promise<CryptoEngine> {
  const [eddsa, babyJub, poseidon] = await Promise.all([import('@zk-kit/eddsa-poseidon'), import('@zk-kit/baby-jubjub'), import('poseidon-lite')]);
  // poseidon-lite has one function per arity (1 to 16), as circomlib's circuits do.
  const byArity = [
    undefined, poseidon.poseidon1, poseidon.poseidon2, poseidon.poseidon3, poseidon.poseidon4, poseidon.poseidon5, poseidon.poseidon6,
    poseidon.poseidon7, poseidon.poseidon8, poseidon.poseidon9, poseidon.poseidon10, poseidon.poseidon11, poseidon.poseidon12,
    poseidon.poseidon13, poseidon.poseidon14, poseidon.poseidon15, poseidon.poseidon16,
  ];
  return {
    fieldModulus: babyJub.r,
    hash(inputs) {
      const poseidonOf = byArity[inputs.length];
      if (!poseidonOf) throw new RangeError(`Poseidon takes 1 to 16 inputs, not ${inputs.length}`);
      return poseidonOf(inputs.slice());
    },
    publicKeyOf(privateKey) {
      const [x, y] = eddsa.derivePublicKey(Buffer.from(privateKey));
      return { x, y };
    },
    inCurve: (key) => babyJub.inCurve([key.x, key.y]),
    sign(privateKey, message) {
      const { R8, S } = eddsa.signMessage(Buffer.from(privateKey), message);
      return { r8x: R8[0], r8y: R8[1], s: S };
    },
    verify: (message, signature, key) => eddsa.verifySignature(message, { R8: [signature.r8x, signature.r8y], S: signature.s }, [key.x, key.y]),
  };
}
