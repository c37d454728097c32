/** What every benchmark returns: rows of one table, printed side by side with their peers. */
export interface BenchRow {
  [column: string]: string | number;
}

export interface Benchmark {
  /** Short name used to pick it: `npm run bench -- <name>`. */
  name: string;
  /** What it measures and the target, printed above its table. */
  title: string;
  run(): Promise<BenchRow[]>;
}

/** Nearest-rank percentile of latencies in milliseconds. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank];
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
}
