/**
 * `ledger backtest --prices FILE --policy static|ewma|garch[,…] --seed N --out report.html`: replays a
 * daily price history through the ledger's deciders under each policy, prints the table (overall and
 * per named crash) and writes the HTML page.
 */
import { Command } from 'commander';
import { loadCrypto } from '../../domain/crypto/crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { CliError } from '../../cli/cli-error';
import { BACKTEST_POLICIES, BacktestPolicy, BacktestResult, runBacktest } from './backtest';
import { renderBacktestHtml } from './backtest-html';
import { parseCandles } from './candles';

export function registerBacktestCommands(backtest: Command): void {
  backtest
    .requiredOption('--prices <csv>', 'the daily candles')
    .option('--policy <policies>', `one or more of ${BACKTEST_POLICIES.join(', ')}, comma-separated`, BACKTEST_POLICIES.join(','))
    .option('--seed <n>', 'the borrower population’s seed', '1')
    .option('--confidence-bps <bps>', 'predictive policies: the probability (bps) that a position at max LTV stays solvent over the horizon', '9900')
    .option('--out <html>', 'write the report page here')
    .option('--json <file>', 'write the results as JSON')
    // The position decider hashes each position's commitment.
    .hook('preAction', () => loadCrypto())
    .action(async (o: { prices: string; policy: string; seed: string; confidenceBps: string; out?: string; json?: string }) => {
      const policies = o.policy.split(',').map((p) => p.trim());
      const unknown = policies.filter((p) => !(BACKTEST_POLICIES as readonly string[]).includes(p));
      if (unknown.length || !policies.length) throw new CliError(`unknown policy ${unknown.join(', ')}: choose from ${BACKTEST_POLICIES.join(', ')}`);
      if (!/^[0-9]{1,9}$/.test(o.seed)) throw new CliError('--seed must be a whole number below 10^9');
      if (!/^[0-9]{4}$/.test(o.confidenceBps) || Number(o.confidenceBps) <= 5_000) throw new CliError('--confidence-bps must be within 5001..9999');
      let csv: string;
      try {
        csv = await readFile(o.prices, 'utf8');
      } catch (err) {
        throw new CliError(`cannot read ${o.prices}: ${(err as Error).message}`);
      }
      const candles = parseCandles(csv, o.prices);
      const results = policies.map((p) => runBacktest(candles, p as BacktestPolicy, Number(o.seed), BigInt(o.confidenceBps)));
      process.stdout.write(table(results));
      if (o.out) await writeFile(o.out, renderBacktestHtml(results, o.prices));
      if (o.json) await writeFile(o.json, JSON.stringify(results.map(({ days: _, ...r }) => r), null, 2));
    });
}

/** The summary as a Markdown table (what docs/risk-engine.md quotes). */
export function table(results: BacktestResult[]): string {
  const lines = ['| period | policy | liquidations | would have recovered | bad debt (USD) | average max LTV | average debt (USD) |', '|---|---|---:|---:|---:|---:|---:|'];
  const periods = results[0].summaries.map((s) => s.period);
  for (const period of periods) {
    for (const r of results) {
      const s = r.summaries.find((x) => x.period === period)!;
      lines.push(`| ${period} | ${r.policy} | ${s.liquidations} | ${s.wouldHaveRecovered} | ${s.badDebt.toLocaleString('en')} | ${(s.averageMaxLtvBps / 100).toFixed(1)}% | ${s.averageDebt.toLocaleString('en')} |`);
    }
  }
  return lines.join('\n') + '\n';
}
