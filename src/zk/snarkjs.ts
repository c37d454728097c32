/**
 * Typed access to the parts of snarkjs (and of the ffjavascript copy it ships with) the ledger uses.
 * snarkjs has no type declarations; rather than declare the module globally (which another folder could
 * also do, and the two would clash), it is required here once and given the narrow types below.
 */
import * as path from 'node:path';

/** A Groth16 proof as snarkjs writes it: projective coordinates as decimal strings. */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** A Groth16 verification key as `snarkjs zkey export verificationkey` writes it. */
export interface VerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  IC: string[][];
}

/** A point or field element as ffjavascript's wasm curve stores it. */
export type Buffer8 = Uint8Array;

interface CurveGroup {
  fromObject(p: unknown): Buffer8;
  toObject(p: Buffer8): bigint[];
  neg(p: Buffer8): Buffer8;
  add(a: Buffer8, b: Buffer8): Buffer8;
  timesScalar(p: Buffer8, s: bigint | Uint8Array): Buffer8;
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Buffer8>;
  isValid(p: Buffer8): boolean;
  isZero(p: Buffer8): boolean;
  toAffine(p: Buffer8): Buffer8;
  F: { n8: number };
  zero: Buffer8;
}

/** The bn128 curve engine of ffjavascript (only what the batch verifier uses). */
export interface Curve {
  name: string;
  /** Order of the groups (the scalar field). */
  r: bigint;
  /** Modulus of the base field the coordinates live in. */
  q: bigint;
  G1: CurveGroup;
  G2: CurveGroup;
  Fr: { n8: number };
  Gt: { one: Buffer8 };
  pairingEq(...args: Buffer8[]): Promise<boolean>;
  terminate(): Promise<void>;
}

export interface SnarkjsApi {
  groth16: {
    fullProve(
      input: Record<string, string>,
      wasmFile: string,
      zkeyFile: string,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vk: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean>;
  };
  wtns: {
    calculate(input: Record<string, string>, wasmFile: string, out: { type: 'mem'; data?: Uint8Array }): Promise<void>;
  };
  curves: { getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<Curve> };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const snarkjs = require('snarkjs') as SnarkjsApi;

/** Absolute path of snarkjs's CommonJS entry, for worker threads that load it themselves. */
export const SNARKJS_ENTRY = require.resolve('snarkjs');

/**
 * For the workerData of our own worker threads that load snarkjs. Its ffjavascript loads the
 * `web-worker` package, which, loaded inside any worker thread, assumes it started that thread and
 * requires `workerData.mod` (none: an error on stderr); give it a harmless module to load.
 */
export const WEB_WORKER_NO_SCRIPT = { mod: 'node:util' };

/** Absolute path of the ffjavascript that snarkjs uses (its own copy, not the top-level one). */
export const FFJAVASCRIPT_ENTRY = require.resolve('ffjavascript', { paths: [path.dirname(SNARKJS_ENTRY)] });

/**
 * snarkjs builds one multi-threaded bn128 engine per process and caches it on globalThis; its helper
 * threads keep the process alive. Call this at shutdown (and in tests' afterAll) to stop them.
 */
export async function releaseCurve(): Promise<void> {
  const cached = (globalThis as { curve_bn128?: Curve | null }).curve_bn128;
  if (cached) await cached.terminate();
}
