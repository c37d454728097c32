import { loadCrypto } from '../domain/crypto/crypto';
import { PUBLIC_SIGNAL_INDEX } from '../domain/liquidation/public-signals';
import { LiquidationProof, proveLiquidation } from './prover';
import { releaseCurve } from './snarkjs';
import { testClaim } from './testing';
import { VerifierBusyError, VerifierClosedError, VerifierPool, createVerifierPool } from './verifier-pool';
import { buildWitnessInput } from './witness';

describe('worker-thread verifier pool', () => {
  let valid: LiquidationProof;
  let tampered: string[];
  let pool: VerifierPool;

  beforeAll(async () => {
    await loadCrypto();
    valid = await proveLiquidation(buildWitnessInput(testClaim()));
    tampered = [...valid.publicSignals];
    tampered[PUBLIC_SIGNAL_INDEX.round] = '43';
    pool = createVerifierPool({ size: 2, maxQueue: 8 });
  });

  afterAll(async () => {
    await pool.close();
    await releaseCurve();
  });

  it('verifies off the main thread: true for a valid proof, false for a tampered one', async () => {
    expect(await pool.verify(valid.proof, valid.publicSignals)).toBe(true);
    expect(await pool.verify(valid.proof, tampered)).toBe(false);
  });

  it('answers many concurrent requests, each with its own result', async () => {
    const requests = Array.from({ length: 10 }, (_, i) => pool.verify(valid.proof, i % 3 === 0 ? tampered : valid.publicSignals));
    expect(await Promise.all(requests)).toEqual(Array.from({ length: 10 }, (_, i) => i % 3 !== 0));
  });

  it('answers false for malformed input without reaching a worker', async () => {
    expect(await pool.verify({ protocol: 'groth16' }, valid.publicSignals)).toBe(false);
    expect(await pool.verify(valid.proof, ['1'])).toBe(false);
  });

  it('refuses work beyond its bounded queue instead of piling it up', async () => {
    const small = createVerifierPool({ size: 1, maxQueue: 2 });
    try {
      const settled = await Promise.allSettled(Array.from({ length: 6 }, () => small.verify(valid.proof, valid.publicSignals)));
      const ok = settled.filter((s) => s.status === 'fulfilled');
      const busy = settled.filter((s) => s.status === 'rejected' && s.reason instanceof VerifierBusyError);
      expect(ok.length).toBe(3); // one running, two waiting
      expect(busy.length).toBe(3);
      expect(ok.every((s) => s.status === 'fulfilled' && s.value === true)).toBe(true);
    } finally {
      await small.close();
    }
  });

  it('refuses a job it cannot answer by its deadline instead of keeping its caller waiting', async () => {
    const hasty = createVerifierPool({ size: 1, timeoutMs: 1 });
    try {
      // A pairing takes milliseconds: at a 1 ms deadline the job is refused, waiting or running.
      await expect(hasty.verify(valid.proof, valid.publicSignals)).rejects.toThrow(VerifierBusyError);
    } finally {
      await hasty.close();
    }
  });

  it('under timeouts, answers every job with a verdict or VerifierBusyError, never an internal error', async () => {
    // Short enough that verifications are cut off and workers replaced while jobs keep coming.
    const strained = createVerifierPool({ size: 1, maxQueue: 30, timeoutMs: 50 });
    try {
      // Jobs arriving one by one, also while a cut-off worker is still stopping.
      const jobs: Promise<boolean>[] = [];
      for (let i = 0; i < 30; i++) {
        jobs.push(strained.verify(valid.proof, valid.publicSignals));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const settled = await Promise.allSettled(jobs);
      const other = settled.filter((s) => s.status === 'rejected' && !(s.reason instanceof VerifierBusyError));
      expect(other).toEqual([]);
      expect(settled.some((s) => s.status === 'rejected')).toBe(true);
    } finally {
      await strained.close();
    }
  });

  it('rejects calls after close', async () => {
    const other = createVerifierPool({ size: 1 });
    await other.close();
    await expect(other.verify(valid.proof, valid.publicSignals)).rejects.toThrow(VerifierClosedError);
  });
});
