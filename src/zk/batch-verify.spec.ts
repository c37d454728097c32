import { idToField, loadCrypto } from '../domain/crypto/crypto';
import { BatchItem, BatchVerifier } from './batch-verify';
import { PUBLIC_SIGNAL_INDEX } from '../domain/liquidation/public-signals';
import { LiquidationProof, proveLiquidation } from './prover';
import { releaseCurve, snarkjs } from './snarkjs';
import { testClaim } from './testing';
import { inG2Subgroup, verifyLiquidationProof } from './verifier';
import { buildWitnessInput } from './witness';

describe('batch verification', () => {
  let proofs: LiquidationProof[];
  let verifier: BatchVerifier;

  beforeAll(async () => {
    await loadCrypto();
    verifier = await BatchVerifier.create();
    proofs = [];
    for (let i = 0; i < 6; i++) {
      const claim = testClaim({ positionId: `position-${i}`, liquidator: `liquidator-${i % 2}`, roundPrice: { round: 40n + BigInt(i) } });
      proofs.push(await proveLiquidation(buildWitnessInput(claim)));
    }
  });

  afterAll(releaseCurve);

  const items = (list: readonly LiquidationProof[]): BatchItem[] => list.map((p) => ({ proof: p.proof, publicSignals: p.publicSignals }));

  function tamperSignal(p: LiquidationProof): LiquidationProof {
    const publicSignals = [...p.publicSignals];
    publicSignals[PUBLIC_SIGNAL_INDEX.liquidator] = idToField('liquidator-mallory').toString();
    return { ...p, publicSignals };
  }

  it('accepts a batch of valid proofs in one pairing-product check', async () => {
    const result = await verifier.verify(items(proofs));
    expect(result).toEqual({ valid: true, invalid: [], checks: 1 });
  });

  it('accepts an empty batch and a batch of one', async () => {
    expect((await verifier.verify([])).valid).toBe(true);
    expect((await verifier.verify(items(proofs.slice(2, 3)))).valid).toBe(true);
  });

  it('fails a batch holding one tampered proof and names it', async () => {
    const batch = [...proofs];
    batch[4] = tamperSignal(batch[4]);
    expect(await verifyLiquidationProof(batch[4].proof, batch[4].publicSignals)).toBe(false);
    const result = await verifier.verify(items(batch));
    expect(result.valid).toBe(false);
    expect(result.invalid).toEqual([4]);
  });

  it('names every bad proof: swapped proof points, a tampered signal, a malformed entry', async () => {
    const batch: BatchItem[] = items(proofs);
    // Proof 1's C with proof 0's A and B: each point on the curve, the equation broken.
    batch[0] = { proof: { ...proofs[0].proof, pi_c: proofs[1].proof.pi_c }, publicSignals: proofs[0].publicSignals };
    batch[3] = items([tamperSignal(proofs[3])])[0];
    batch[5] = { proof: { ...proofs[5].proof, pi_a: ['1', '3', '1'] }, publicSignals: proofs[5].publicSignals };
    const result = await verifier.verify(batch);
    expect(result.invalid).toEqual([0, 3, 5]);
  });

  it('cannot be fooled by two proofs whose errors would cancel in an unweighted sum', async () => {
    // Exchange C between two proofs: Σ C is unchanged, so without random weights the product could hold.
    const batch = items(proofs.slice(0, 2));
    batch[0] = { proof: { ...proofs[0].proof, pi_c: proofs[1].proof.pi_c }, publicSignals: proofs[0].publicSignals };
    batch[1] = { proof: { ...proofs[1].proof, pi_c: proofs[0].proof.pi_c }, publicSignals: proofs[1].publicSignals };
    expect((await verifier.verify(batch)).invalid).toEqual([0, 1]);
  });

  it('refuses a B on the twist curve but outside the order-r subgroup G2, singly and in a batch', async () => {
    // x = 1 on y² = x³ + 3/(9+u): on the curve, not in G2 (the bilinearity batching relies on fails there).
    const outside = [
      ['1', '0'],
      ['18278151005453108793778860132295291098363647455926340152056652516292830556603', '5912654199736721486680175016176231956195085055698687135131307249486702594212'],
      ['1', '0'],
    ];
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    const point = curve.G2.fromObject(outside.map((row) => row.map(BigInt)));
    expect(curve.G2.isValid(point)).toBe(true);
    expect(inG2Subgroup(curve, point)).toBe(false);
    expect(inG2Subgroup(curve, curve.G2.fromObject(proofs[0].proof.pi_b.map((row) => row.map(BigInt))))).toBe(true);

    const bad = { proof: { ...proofs[0].proof, pi_b: outside }, publicSignals: proofs[0].publicSignals };
    expect(await verifyLiquidationProof(bad.proof, bad.publicSignals)).toBe(false);
    expect((await verifier.verify([...items(proofs.slice(1, 3)), bad])).invalid).toEqual([2]);
  });
});
