/**
 * `npm run bench [-- name ...]`: runs the benchmarks (all, or those named) and prints one table each.
 * Timing lives here, never in tests: the machines are shared and noisy.
 */
import { accessBenchmark } from './access.bench';
import { auditBenchmark } from './audit.bench';
import { Benchmark } from './bench';
import { cryptoBenchmark } from './crypto.bench';
import { eventStoreBenchmark } from './eventstore.bench';
import { httpFrontBenchmark } from './http-front.bench';
import { ledgerBenchmark } from './ledger.bench';
import { liquidationBenchmark } from './liquidation.bench';
import { longStreamsBenchmark } from './long-streams.bench';
import { projectionsBenchmark } from './projections.bench';
import { rebuildBenchmark } from './rebuild.bench';
import { zkBenchmark } from './zk.bench';

const benchmarks: Benchmark[] = [eventStoreBenchmark, ledgerBenchmark, zkBenchmark, auditBenchmark, liquidationBenchmark, longStreamsBenchmark, projectionsBenchmark, rebuildBenchmark, accessBenchmark, cryptoBenchmark, httpFrontBenchmark];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const chosen = wanted.length ? benchmarks.filter((b) => wanted.includes(b.name)) : benchmarks;
  if (wanted.length && chosen.length !== wanted.length) {
    console.error(`unknown benchmark; known: ${benchmarks.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  for (const bench of chosen) {
    console.log(`\n## ${bench.name}: ${bench.title}`);
    console.table(await bench.run());
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
