/**
 * The two libraries that can compute the ledger's Poseidon and EdDSA-Poseidon (crypto-engine.ts), side
 * by side on the same inputs: circomlibjs (field arithmetic in WebAssembly) and zk-kit's EdDSA-Poseidon
 * with poseidon-lite (plain BigInt). Loading is measured in a fresh process each, as a CLI call pays it;
 * each operation as CPU per call (process.cpuUsage) over the same inputs, the rate beside it. The
 * commitment is a 3-input hash, an oracle report's message a 4-input one.
 *
 * BENCH_CRYPTO_CALLS (default 200 hashes; a tenth as many signatures) sets the work.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCryptoEngine, CryptoEngine, CryptoEngineName } from '../src/domain/crypto/crypto-engine';
import { Benchmark, BenchRow, fmt } from './bench';

const CALLS = Number(process.env.BENCH_CRYPTO_CALLS ?? 200);
const ENGINES: CryptoEngineName[] = ['throughput', 'quick-start'];
const LIBRARY: Record<CryptoEngineName, string> = { throughput: 'circomlibjs', 'quick-start': 'zk-kit + poseidon-lite' };

/** CPU (ms) and wall (ms) to import and build an engine in a fresh Node process. */
function loadCost(name: CryptoEngineName): { cpuMs: number; wallMs: number } {
  const engine = path.join(__dirname, '../src/domain/crypto/crypto-engine.js');
  const script = `const t = process.cpuUsage(), w = performance.now();
require(${JSON.stringify(engine)}).buildCryptoEngine(${JSON.stringify(name)}).then(() => {
  const u = process.cpuUsage(t);
  console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, wallMs: performance.now() - w }));
  process.exit(0);
});`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { cpuMs: number; wallMs: number };
}

/** CPU µs per call and calls per second of `work` over `n` inputs. */
function perCall(n: number, work: (i: number) => unknown): { cpuUs: number; rate: number } {
  for (let i = 0; i < Math.min(n, 10); i++) work(i);
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < n; i++) work(i);
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / n, rate: n / ((performance.now() - wall) / 1000) };
}

export const cryptoBenchmark: Benchmark = {
  name: 'crypto',
  title: 'Poseidon and EdDSA-Poseidon: circomlibjs against zk-kit and poseidon-lite, on the same inputs (CPU per call, rate beside it)',
  async run(): Promise<BenchRow[]> {
    const engines = Object.fromEntries(await Promise.all(ENGINES.map(async (n) => [n, await buildCryptoEngine(n)] as const))) as Record<CryptoEngineName, CryptoEngine>;
    const key = new Uint8Array(32).fill(7);
    const pub = engines.throughput.publicKeyOf(key);
    const message = (i: number) => BigInt(i) * 7919n + 1n;
    const signatures = Array.from({ length: CALLS / 10 }, (_, i) => engines.throughput.sign(key, message(i)));
    const operations: Array<[string, number, (e: CryptoEngine) => (i: number) => unknown]> = [
      ['commitment: Poseidon of 3', CALLS, (e) => (i) => e.hash([BigInt(i), 2n, 3n])],
      ['report message: Poseidon of 4', CALLS, (e) => (i) => e.hash([BigInt(i), 2n, 3n, 4n])],
      ['sign a report', CALLS / 10, (e) => (i) => e.sign(key, message(i))],
      ['verify a report', CALLS / 10, (e) => (i) => e.verify(message(i), signatures[i], pub)],
    ];
    const rows: BenchRow[] = [];
    const loads = ENGINES.map(loadCost);
    rows.push({
      operation: 'load (fresh process)',
      ...Object.fromEntries(ENGINES.flatMap((n, k) => [[`${LIBRARY[n]} CPU ms`, fmt(loads[k].cpuMs)], [`${LIBRARY[n]} rate or wall`, `${fmt(loads[k].wallMs)} ms`]])),
      'CPU ratio (zk-kit / circomlibjs)': fmt(loads[1].cpuMs / loads[0].cpuMs, 2),
    });
    for (const [operation, n, work] of operations) {
      const [a, b] = ENGINES.map((e) => perCall(n, work(engines[e])));
      rows.push({
        operation: `${operation} (×${n})`,
        [`${LIBRARY.throughput} CPU ms`]: fmt(a.cpuUs / 1000, 3),
        [`${LIBRARY.throughput} rate or wall`]: `${fmt(a.rate, 0)}/s`,
        [`${LIBRARY['quick-start']} CPU ms`]: fmt(b.cpuUs / 1000, 3),
        [`${LIBRARY['quick-start']} rate or wall`]: `${fmt(b.rate, 0)}/s`,
        'CPU ratio (zk-kit / circomlibjs)': fmt(b.cpuUs / a.cpuUs, 2),
      });
    }
    return rows;
  },
};
