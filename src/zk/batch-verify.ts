/**
 * Batch verification of many Groth16 proofs of the liquidation circuit at once, for the auditor's replay.
 *
 * One proof (A, B, C) with public signals s verifies when
 *     e(-A, B) · e(vk_x, γ) · e(C, δ) · e(α, β) = 1,   vk_x = IC₀ + Σᵢ sᵢ·ICᵢ.
 * For n proofs, draw secret random 128-bit scalars rⱼ and check the product of the n equations, each
 * raised to rⱼ. By bilinearity the terms on the fixed G2 points (γ, δ, β) merge:
 *     Πⱼ e(-rⱼAⱼ, Bⱼ) · e(Σⱼ rⱼ·vk_xⱼ, γ) · e(Σⱼ rⱼCⱼ, δ) · e((Σⱼ rⱼ)·α, β) = 1
 * and Σⱼ rⱼ·vk_xⱼ = (Σⱼ rⱼ)·IC₀ + Σᵢ (Σⱼ rⱼ·sⱼᵢ)·ICᵢ, so the public-input part costs one multi-scalar
 * multiplication over the 13 IC points whatever n is. That is n + 3 Miller loops and a single final
 * exponentiation instead of 4n Miller loops and n final exponentiations. If any proof is invalid the
 * product is 1 only with probability about 2⁻¹²⁸ (the prover cannot know the rⱼ in advance).
 *
 * Merging the weights into the G1 side relies on bilinearity, which the pairing has on G1 × G2, so
 * every B must lie in the order-r subgroup G2 (not only on the twist curve): each is checked
 * ([r]B = O, about 0.7 ms). The single verifier applies the same check, so both accept the same proofs.
 *
 * A failing batch is bisected (with fresh randomness at every check) until the failing proofs are
 * named. Malformed proofs and signals (wrong shape, signals not field elements, points off the curve
 * or outside G2) are named without any pairing, as the single verifier refuses them too.
 */
import { randomBytes } from 'node:crypto';
import { loadVerificationKey } from './artifacts';
import { LiquidationPublicSignals } from '../domain/liquidation/public-signals';
import { Buffer8, Curve, VerificationKey, snarkjs } from './snarkjs';
import { inG2Subgroup, isWellFormedProof, normalizeSignals } from './verifier';

export interface BatchItem {
  proof: unknown;
  publicSignals: readonly string[] | LiquidationPublicSignals;
}

export interface BatchResult {
  /** True iff every proof in the batch is valid. */
  valid: boolean;
  /** Indexes (into the input array) of the proofs that are not valid, ascending. */
  invalid: number[];
  /** How many pairing-product checks ran (1 when all pass; more when bisecting). */
  checks: number;
}

interface PreparedKey {
  alpha: Buffer8;
  beta: Buffer8;
  gamma: Buffer8;
  delta: Buffer8;
  /** IC₀..ICₙ, affine, concatenated (the layout multiExpAffine takes). */
  ic: Uint8Array;
  nPublic: number;
}

interface PreparedProof {
  index: number;
  a: Buffer8;
  b: Buffer8;
  /** Affine, for the multi-scalar multiplication. */
  c: Buffer8;
  signals: bigint[];
}

const RANDOM_BYTES = 16; // 128-bit combination scalars

function scalarLE(x: bigint, n8: number): Uint8Array {
  const out = new Uint8Array(n8);
  for (let i = 0; i < n8 && x > 0n; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function randomScalar(): bigint {
  for (;;) {
    const r = BigInt('0x' + randomBytes(RANDOM_BYTES).toString('hex'));
    if (r !== 0n) return r;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Coordinates as ffjavascript's fromObject takes them (bigint; it misreads decimal strings). Undefined
 * if one is not below the base field modulus q, which no point coordinate can be.
 */
function coordinates(value: string[] | string[][], q: bigint): bigint[] | bigint[][] | undefined {
  const convert = (x: string): bigint | undefined => {
    const v = BigInt(x);
    return v < q ? v : undefined;
  };
  if (value.every((x): x is string => typeof x === 'string')) {
    const out = (value as string[]).map(convert);
    return out.every((x): x is bigint => x !== undefined) ? out : undefined;
  }
  const rows = (value as string[][]).map((row) => coordinates(row, q) as bigint[] | undefined);
  return rows.every((r): r is bigint[] => r !== undefined) ? rows : undefined;
}

export class BatchVerifier {
  private readonly key: PreparedKey;

  private constructor(
    private readonly curve: Curve,
    vk: VerificationKey,
  ) {
    const { G1, G2 } = curve;
    const point = (p: string[] | string[][]): bigint[] | bigint[][] => {
      const c = coordinates(p, curve.q);
      if (!c) throw new Error('verification key coordinate outside the base field');
      return c;
    };
    this.key = {
      alpha: G1.fromObject(point(vk.vk_alpha_1)),
      beta: G2.fromObject(point(vk.vk_beta_2)),
      gamma: G2.fromObject(point(vk.vk_gamma_2)),
      delta: G2.fromObject(point(vk.vk_delta_2)),
      ic: concat(vk.IC.map((p) => G1.toAffine(G1.fromObject(point(p))))),
      nPublic: vk.nPublic,
    };
  }

  /** Uses snarkjs's shared bn128 engine unless given one (e.g. a single-threaded engine in a worker). */
  static async create(verificationKey: VerificationKey = loadVerificationKey(), curve?: Curve): Promise<BatchVerifier> {
    if (verificationKey.protocol !== 'groth16' || verificationKey.curve !== 'bn128') {
      throw new Error('batch verification supports Groth16 keys on bn128 only');
    }
    return new BatchVerifier(curve ?? (await snarkjs.curves.getCurveFromName('bn128')), verificationKey);
  }

  async verify(items: readonly BatchItem[]): Promise<BatchResult> {
    const malformed: number[] = [];
    const prepared: PreparedProof[] = [];
    items.forEach((item, index) => {
      const p = this.prepare(item, index);
      if (p) prepared.push(p);
      else malformed.push(index);
    });
    const counter = { checks: 0 };
    const failed = await this.bisect(prepared, false, counter);
    const invalid = [...malformed, ...failed].sort((x, y) => x - y);
    return { valid: invalid.length === 0, invalid, checks: counter.checks };
  }

  /** Decodes one item; undefined if the single verifier would refuse it before any pairing. */
  private prepare(item: BatchItem, index: number): PreparedProof | undefined {
    const signals = normalizeSignals(item.publicSignals);
    if (!signals || signals.length !== this.key.nPublic || !isWellFormedProof(item.proof)) return undefined;
    const { G1, G2, q } = this.curve;
    const pa = coordinates(item.proof.pi_a, q);
    const pb = coordinates(item.proof.pi_b, q);
    const pc = coordinates(item.proof.pi_c, q);
    if (!pa || !pb || !pc) return undefined;
    const a = G1.fromObject(pa);
    const b = G2.fromObject(pb);
    const c = G1.fromObject(pc);
    if (!G1.isValid(a) || !G2.isValid(b) || !G1.isValid(c) || !inG2Subgroup(this.curve, b)) return undefined;
    return { index, a, b, c: G1.toAffine(c), signals: signals.map(BigInt) };
  }

  /** Indexes of the invalid proofs in `group`; `knownBad` skips a check whose outcome is implied. */
  private async bisect(group: PreparedProof[], knownBad: boolean, counter: { checks: number }): Promise<number[]> {
    if (group.length === 0) return [];
    if (!knownBad) {
      counter.checks++;
      if (await this.check(group)) return [];
    }
    if (group.length === 1) return [group[0].index];
    const mid = group.length >> 1;
    const left = await this.bisect(group.slice(0, mid), false, counter);
    // The whole group failed: if the left half is clean, the right half must hold the culprit.
    const right = await this.bisect(group.slice(mid), left.length === 0, counter);
    return [...left, ...right];
  }

  /** One randomized pairing-product check of the whole group. */
  private async check(group: readonly PreparedProof[]): Promise<boolean> {
    const { G1, Fr } = this.curve;
    const r = this.curve.r;
    const n8 = Fr.n8;
    const rs = group.map(randomScalar);

    // Σ rⱼ and Σ rⱼ·sⱼᵢ (mod r): the scalars of IC₀..ICₙ.
    const icScalars: bigint[] = new Array<bigint>(this.key.nPublic + 1).fill(0n);
    group.forEach((p, j) => {
      icScalars[0] += rs[j];
      p.signals.forEach((s, i) => {
        icScalars[i + 1] += rs[j] * s;
      });
    });
    const vkx = await G1.multiExpAffine(this.key.ic, concat(icScalars.map((s) => scalarLE(s % r, n8))));
    const cSum = await G1.multiExpAffine(concat(group.map((p) => p.c)), concat(rs.map((x) => scalarLE(x, n8))));
    const alphaSum = G1.timesScalar(this.key.alpha, icScalars[0] % r);

    const pairs: Buffer8[] = [];
    group.forEach((p, j) => pairs.push(G1.neg(G1.timesScalar(p.a, rs[j])), p.b));
    return this.curve.pairingEq(...pairs, vkx, this.key.gamma, cSum, this.key.delta, alphaSum, this.key.beta);
  }
}

/** One-shot convenience: verifies a batch with the committed verification key. */
export async function batchVerifyLiquidationProofs(items: readonly BatchItem[]): Promise<BatchResult> {
  return (await BatchVerifier.create()).verify(items);
}
