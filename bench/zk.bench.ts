/**
 * Zero-knowledge liquidation proofs: constraints, proving and verification of today's circuit (the
 * round's accepted price as a public signal) beside the retired one (an oracle's EdDSA signature
 * checked in the circuit, read from git at the last commit that had it) in the same run; batch
 * verification of 64 proofs against 64 single verifications; the verifier pool's throughput; and the
 * ledger proving every liquidation it detects in a crash that crosses BENCH_ZK_CROSSED (1,000)
 * positions, from the price to the last proof appended, with the ledger's CPU per proof.
 * Targets: prove < 1 s, single verify < 20 ms, batch ≥ 4× the throughput of single verification.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCrypto, reportMessage, signMessage } from '../src/domain/crypto/crypto';
import { loadCircuitInfo } from '../src/zk/artifacts';
import { BatchItem, BatchVerifier } from '../src/zk/batch-verify';
import { LiquidationProof, proveLiquidation } from '../src/zk/prover';
import { PUBLIC_SIGNAL_INDEX } from '../src/domain/liquidation/public-signals';
import { releaseCurve, snarkjs, VerificationKey } from '../src/zk/snarkjs';
import { testClaim, testOracle } from '../src/zk/testing';
import { verifyLiquidationProof } from '../src/zk/verifier';
import { createVerifierPool } from '../src/zk/verifier-pool';
import { buildWitnessInput, LiquidationWitnessInput } from '../src/zk/witness';
import { cpuSeconds, ownCpuSeconds } from './support/proc';
import { generateOracleKey, signReport } from '../src/oracle/report-signing';
import { startLedgerProcess } from './support/ledger-process';
import { BenchRow, Benchmark, fmt, percentile } from './bench';

const PROVE_RUNS = 7;
const DISTINCT_PROOFS = 8;
const BATCH = 64;
/** Positions one crash crosses, each proven by the ledger after its trigger. */
const CROSSED = Number(process.env.BENCH_ZK_CROSSED ?? 1_000);

function median(ms: number[]): number {
  return percentile([...ms].sort((a, b) => a - b), 50);
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await f();
  return [value, performance.now() - start];
}

function row(measure: string, n: number, totalMs: number, perItemMs: number, target: string, cpuMsPerItem?: number): BenchRow {
  return {
    measure,
    n,
    'total ms': fmt(totalMs),
    'ms / proof': fmt(perItemMs, 2),
    'CPU ms / proof': cpuMsPerItem === undefined ? '' : fmt(cpuMsPerItem, 1),
    'proofs / s': fmt(1000 / perItemMs, 0),
    target,
  };
}

/** The last commit whose circuit checked one oracle's signed report instead of taking the round's price. */
const RETIRED_CIRCUIT_COMMIT = '73f646f';
const RETIRED_FILES = ['liquidation.wasm', 'liquidation.zkey', 'verification_key.json', 'circuit.json'];

/** The retired circuit's artifacts, from git into bench/.cache (kept there for later runs). */
function retiredArtifacts(): { wasm: string; zkey: string; vkey: VerificationKey; constraints: number } {
  const root = path.resolve(__dirname, '../..');
  const dir = path.join(root, 'bench/.cache/circuit-retired');
  mkdirSync(dir, { recursive: true });
  for (const file of RETIRED_FILES) {
    const out = path.join(dir, file);
    if (!existsSync(out)) writeFileSync(out, execFileSync('git', ['show', `${RETIRED_CIRCUIT_COMMIT}:circuits/build/${file}`], { cwd: root, maxBuffer: 64 << 20 }));
  }
  const json = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  return { wasm: path.join(dir, 'liquidation.wasm'), zkey: path.join(dir, 'liquidation.zkey'), vkey: json('verification_key.json'), constraints: json('circuit.json').constraints };
}

/** Today's input as the retired circuit took it: the same claim with an oracle's signed report (price and signature private). */
function retiredInput(input: LiquidationWitnessInput, i: number): Record<string, string> {
  const oracle = testOracle('retired');
  const timestamp = 1_767_225_600n + BigInt(i);
  const signature = signMessage(oracle.privateKey, reportMessage('ETH/USDC', input.round, input.price, timestamp));
  const values: Record<string, bigint> = {
    commitment: input.commitment, oracleAx: oracle.key.x, oracleAy: oracle.key.y, feed: input.feed, round: input.round,
    threshold: input.threshold, positionId: input.positionId, liquidator: input.liquidator, nullifier: input.nullifier,
    borrowIndex: input.borrowIndex, collateralUnit: input.collateralUnit, debtUnit: input.debtUnit, collateral: input.collateral, scaledDebt: input.scaledDebt, salt: input.salt,
    price: input.price, timestamp, sigR8x: signature.r8x, sigR8y: signature.r8y, sigS: signature.s,
  };
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.toString()]));
}

/** Proves `runs` distinct claims with `prove`, then verifies each with `verify`: medians, and CPU per proof. */
async function proveAndVerify(
  runs: number,
  prove: (input: LiquidationWitnessInput, i: number) => Promise<LiquidationProof>,
  verify: (p: LiquidationProof) => Promise<boolean>,
): Promise<{ proofs: LiquidationProof[]; proveMs: number[]; proveCpuMs: number; verifyMs: number[] }> {
  const proofs: LiquidationProof[] = [];
  const proveMs: number[] = [];
  const cpuStart = ownCpuSeconds();
  for (let i = 0; i < runs; i++) {
    const input = buildWitnessInput(testClaim({ positionId: `bench-${i}`, roundPrice: { round: 100n + BigInt(i) } }));
    const [proof, ms] = await timed(() => prove(input, i));
    proofs.push(proof);
    proveMs.push(ms);
  }
  const proveCpuMs = ((ownCpuSeconds() - cpuStart) * 1000) / runs;
  await verify(proofs[0]); // warm the curve engine
  const verifyMs: number[] = [];
  for (const p of proofs) {
    const [ok, ms] = await timed(() => verify(p));
    if (!ok) throw new Error('a valid proof failed to verify');
    verifyMs.push(ms);
  }
  return { proofs, proveMs, proveCpuMs, verifyMs };
}

export const zkBenchmark: Benchmark = {
  name: 'zk',
  title: 'liquidation proofs: prove < 1 s, verify < 20 ms, batch of 64 ≥ 4× single-verification throughput',
  async run(): Promise<BenchRow[]> {
    await loadCrypto();
    const info = loadCircuitInfo();
    const rows: BenchRow[] = [];

    // Proving: distinct positions so no cache helps; the first run also pays the wasm compile.
    // Today's circuit, then the retired one on the same claims, in the same run.
    const runs = Math.max(PROVE_RUNS, DISTINCT_PROOFS);
    const today = await proveAndVerify(runs, (input) => proveLiquidation(input), (p) => verifyLiquidationProof(p.proof, p.publicSignals));
    const retired = retiredArtifacts();
    const before = await proveAndVerify(
      runs,
      (input, i) => snarkjs.groth16.fullProve(retiredInput(input, i), retired.wasm, retired.zkey),
      (p) => snarkjs.groth16.verify(retired.vkey, p.publicSignals, p.proof),
    );
    for (const [name, constraints, r] of [
      ['retired: EdDSA report in the circuit', retired.constraints, before],
      ["today: round's price public", info.constraints, today],
    ] as const) {
      rows.push({
        ...row(`${name}: prove (${constraints} constraints, median)`, runs, r.proveMs.reduce((a, b) => a + b, 0), median(r.proveMs), '< 1,000 ms', r.proveCpuMs),
        'p90 ms': fmt(percentile([...r.proveMs].sort((a, b) => a - b), 90)),
      });
      rows.push(row(`${name}: verify (median)`, runs, r.verifyMs.reduce((a, b) => a + b, 0), median(r.verifyMs), '< 20 ms'));
    }
    const proofs = today.proofs;

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
    // Throughput, not the refusal policy: all 64 are queued at once, so none may time out waiting.
    const pool = createVerifierPool({ maxQueue: BATCH, timeoutMs: 120_000 });
    try {
      await Promise.all(Array.from({ length: pool.size }, () => pool.verify(items[0].proof, items[0].publicSignals)));
      const [oks, poolMs] = await timed(() => Promise.all(items.map((i) => pool.verify(i.proof, i.publicSignals))));
      if (!oks.every(Boolean)) throw new Error('a valid proof failed in the pool');
      rows.push(row(`worker pool (${pool.size} threads)`, BATCH, poolMs, poolMs / BATCH, 'off the event loop'));
    } finally {
      await pool.close();
      await releaseCurve();
    }
    rows.push(await crashProving(CROSSED));
    return rows;
  },
};

/**
 * A crash that crosses `crossed` positions on a ledger process with its defaults (detection and
 * proofs on): from the price report to every trigger listed, and to the last proof appended, read
 * from GET /liquidations; the ledger's CPU over that time per liquidation (all its threads: triggers,
 * auction starts, the proofs).
 */
async function crashProving(crossed: number): Promise<BenchRow> {
  const ledger = await startLedgerProcess({ env: { COMMAND_RATE_LIMIT: '1000000', LEDGER_PROOFS: 'on' } });
  try {
    const oracleKey = await ledger.principal('o', 'oracle', ['ETH-USD']);
    const borrowerKey = await ledger.principal('borrower', 'borrower');
    const key = generateOracleKey();
    const publish = (round: bigint, price: string) =>
      ledger.post('/feeds/ETH-USD/reports', { commandId: `report-${round}`, oracle: 'o', ...signReport(key.privateKey, 'ETH-USD', round, price, BigInt(Math.floor(Date.now() / 1000))) }, oracleKey);
    await ledger.post('/feeds', { commandId: 'feed', feed: 'ETH-USD', quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 9000, maxFutureSkewSeconds: 30 });
    await ledger.post('/feeds/ETH-USD/oracles', { commandId: 'key', oracle: 'o', publicKey: key.publicKey });
    await publish(1n, '2000');
    await ledger.post('/pools', {
      commandId: 'pool', poolId: 'pool', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD',
      parameters: { maxLtvBps: 7500, liquidationThresholdBps: 8250, liquidationPenaltyBps: 500, liquidatorBonusBps: 300, protocolFeeBps: 1000, closeFactorBps: 5000, fullCloseHealthFactor: '0.95', dustLimit: '0', liquidationCollateralCap: '1000000', stabilityFeeYearly: '0' },
    });
    process.stderr.write(`zk bench: opening ${crossed} positions...\n`);
    for (let from = 0; from < crossed; from += 32) {
      await Promise.all(
        Array.from({ length: Math.min(32, crossed - from) }, async (_, k) => {
          const id = `p${from + k}`;
          await ledger.post('/positions', { commandId: `open-${id}`, positionId: id, poolId: 'pool' }, borrowerKey);
          await ledger.post(`/positions/${id}/collateral/deposit`, { commandId: `deposit-${id}`, amount: '1' }, borrowerKey);
          await ledger.post(`/positions/${id}/debt/draw`, { commandId: `draw-${id}`, amount: '1400' }, borrowerKey);
        }),
      );
    }
    const liquidations = async () => {
      const res = await fetch(`${ledger.url}/liquidations`, { headers: { authorization: `Bearer ${ledger.adminKey}` } });
      return (await res.json()) as Array<{ proof: string }>;
    };
    process.stderr.write(`zk bench: the crash (every position crosses); waiting for ${crossed} proofs...\n`);
    const cpuBefore = cpuSeconds(ledger.pid);
    const start = performance.now();
    await publish(2n, '1600');
    let triggeredMs = NaN;
    for (;;) {
      const listed = await liquidations();
      if (listed.length === crossed && Number.isNaN(triggeredMs)) triggeredMs = performance.now() - start;
      if (listed.length === crossed && listed.every((l) => l.proof === 'proven')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const provenMs = performance.now() - start;
    const cpuMs = (cpuSeconds(ledger.pid) - cpuBefore) * 1000;
    return {
      measure: `the ledger proves every detection: ${crossed} crossed, price → all triggered / last proof appended`,
      n: crossed,
      'total ms': `${fmt(triggeredMs, 0)} / ${fmt(provenMs, 0)}`,
      'ms / proof': fmt(provenMs / crossed, 1),
      'CPU ms / proof': `${fmt(cpuMs / crossed, 1)} (ledger, all threads, per liquidation)`,
      'proofs / s': fmt((crossed * 1000) / provenMs, 1),
      target: 'reported (proofs lag triggers)',
    };
  } finally {
    await ledger.stop();
  }
}
