/**
 * Zero-knowledge liquidation proofs (issue 5): proving time, single verification, batch verification
 * of 64 proofs against 64 single verifications in the same run, and the worker pool's throughput.
 * Targets: prove < 1 s, single verify < 20 ms, batch ≥ 4× the throughput of single verification.
 */
import { performance } from 'node:perf_hooks';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { loadCircuitInfo } from '../src/zk/artifacts';
import { BatchItem, BatchVerifier } from '../src/zk/batch-verify';
import { LiquidationProof, proveLiquidation } from '../src/zk/prover';
import { PUBLIC_SIGNAL_INDEX } from '../src/domain/liquidation/public-signals';
import { releaseCurve } from '../src/zk/snarkjs';
import { testClaim } from '../src/zk/testing';
import { verifyLiquidationProof } from '../src/zk/verifier';
import { createVerifierPool } from '../src/zk/verifier-pool';
import { buildWitnessInput } from '../src/zk/witness';
import { BenchRow, Benchmark, fmt, percentile } from './bench';

const PROVE_RUNS = 7;
const DISTINCT_PROOFS = 8;
const BATCH = 64;

function median(ms: number[]): number {
  return percentile([...ms].sort((a, b) => a - b), 50);
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await f();
  return [value, performance.now() - start];
}

function row(measure: string, n: number, totalMs: number, perItemMs: number, target: string): BenchRow {
  return {
    measure,
    n,
    'total ms': fmt(totalMs),
    'ms / proof': fmt(perItemMs, 2),
    'proofs / s': fmt(1000 / perItemMs, 0),
    target,
  };
}

export const zkBenchmark: Benchmark = {
  name: 'zk',
  title: 'liquidation proofs: prove < 1 s, verify < 20 ms, batch of 64 ≥ 4× single-verification throughput',
  async run(): Promise<BenchRow[]> {
    await loadCrypto();
    const info = loadCircuitInfo();
    const rows: BenchRow[] = [];

    // Proving: distinct positions so no cache helps; the first run also pays the wasm compile.
    const proofs: LiquidationProof[] = [];
    const proveMs: number[] = [];
    for (let i = 0; i < Math.max(PROVE_RUNS, DISTINCT_PROOFS); i++) {
      const input = buildWitnessInput(testClaim({ positionId: `bench-${i}`, roundPrice: { round: 100n + BigInt(i) } }));
      const [proof, ms] = await timed(() => proveLiquidation(input));
      proofs.push(proof);
      proveMs.push(ms);
    }
    const proveMedian = median(proveMs);
    rows.push({
      ...row(`prove (${info.constraints} constraints, median)`, proveMs.length, proveMs.reduce((a, b) => a + b, 0), proveMedian, '< 1,000 ms'),
      'p90 ms': fmt(percentile([...proveMs].sort((a, b) => a - b), 90)),
    });

    // The batch: 64 entries cycling through the distinct proofs (each gets its own random weight).
    const items: BatchItem[] = Array.from({ length: BATCH }, (_, i) => proofs[i % proofs.length]);

    // Single verification, one after another on the main thread (snarkjs, verification key only).
    await verifyLiquidationProof(items[0].proof, items[0].publicSignals); // warm the curve engine
    const singleMs: number[] = [];
    for (const item of items) {
      const [ok, ms] = await timed(() => verifyLiquidationProof(item.proof, item.publicSignals));
      if (!ok) throw new Error('a valid proof failed to verify');
      singleMs.push(ms);
    }
    const singleTotal = singleMs.reduce((a, b) => a + b, 0);
    rows.push({ ...row('single verify (median)', BATCH, singleTotal, median(singleMs), '< 20 ms'), 'p90 ms': fmt(percentile([...singleMs].sort((a, b) => a - b), 90)) });

    // Batch verification: one randomized pairing product for all 64.
    const verifier = await BatchVerifier.create();
    await verifier.verify(items.slice(0, 2)); // warm-up
    const batchRuns: number[] = [];
    for (let r = 0; r < 3; r++) {
      const [result, ms] = await timed(() => verifier.verify(items));
      if (!result.valid) throw new Error('a valid batch failed');
      batchRuns.push(ms);
    }
    const batchMs = median(batchRuns);
    rows.push({
      ...row(`batch verify ${BATCH} (median of 3)`, BATCH, batchMs, batchMs / BATCH, '≥ 4× single'),
      'vs single': `${fmt(singleTotal / batchMs, 1)}×`,
    });

    // A failing batch: one tampered proof, found by bisection.
    const bad = [...items];
    const signals = [...proofs[0].publicSignals];
    signals[PUBLIC_SIGNAL_INDEX.round] = '1';
    bad[37] = { proof: proofs[0].proof, publicSignals: signals };
    const [found, badMs] = await timed(() => verifier.verify(bad));
    rows.push({
      ...row(`batch ${BATCH} with 1 bad, bisected (${found.checks} checks, found #${found.invalid.join(',')})`, BATCH, badMs, badMs / BATCH, 'names it'),
    });

    // Worker pool: the same 64 verifications spread over worker threads, the main thread stays free.
    const pool = createVerifierPool();
    try {
      await Promise.all(Array.from({ length: pool.size }, () => pool.verify(items[0].proof, items[0].publicSignals)));
      const [oks, poolMs] = await timed(() => Promise.all(items.map((i) => pool.verify(i.proof, i.publicSignals))));
      if (!oks.every(Boolean)) throw new Error('a valid proof failed in the pool');
      rows.push(row(`worker pool (${pool.size} threads)`, BATCH, poolMs, poolMs / BATCH, 'off the event loop'));
    } finally {
      await pool.close();
      await releaseCurve();
    }
    return rows;
  },
};
