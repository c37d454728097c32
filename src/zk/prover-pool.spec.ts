import { loadCrypto } from '../domain/crypto/crypto';
import { createProverPool, ProverClosedError, ProverPool } from './prover-pool';
import { releaseCurve } from './snarkjs';
import { testClaim } from './testing';
import { verifyLiquidationProof } from './verifier';
import { buildWitnessInput, publicSignalsOf } from './witness';
import { parsePublicSignals } from '../domain/liquidation/public-signals';

describe('the prover pool', () => {
  let pool: ProverPool;
  beforeAll(async () => {
    await loadCrypto();
    pool = createProverPool(1);
  });
  afterAll(async () => {
    await pool.close();
    await releaseCurve();
  });

  it('proves on a worker thread: the proof verifies with the verification key alone and carries the input’s public signals', async () => {
    const input = buildWitnessInput(testClaim({ positionId: 'pool-1' }));
    const proven = await pool.prove(input);
    expect(proven.verified).toBe(true);
    expect(parsePublicSignals(proven.publicSignals)).toEqual(publicSignalsOf(input));
    expect(await verifyLiquidationProof(proven.proof, proven.publicSignals)).toBe(true);
  });

  it('takes jobs in order, several at once, and refuses an input the circuit rejects without stopping', async () => {
    const healthy = buildWitnessInput(testClaim({ opening: { scaledDebt: 1n } }), { unchecked: true });
    const results = await Promise.allSettled([pool.prove(buildWitnessInput(testClaim({ positionId: 'a' }))), pool.prove(healthy), pool.prove(buildWitnessInput(testClaim({ positionId: 'b' })))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/proving failed/);
  });

  it('refuses work once closed', async () => {
    const closing = createProverPool(1);
    await closing.close();
    await expect(closing.prove(buildWitnessInput(testClaim()))).rejects.toThrow(ProverClosedError);
  });
});
