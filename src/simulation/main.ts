#!/usr/bin/env node
/**
 * `npm run simulate -- --scenario crash`: starts the ledger on its embedded defaults in a data
 * directory of its own, runs the scenario against its HTTP API, exports the history (signed), and
 * prints a summary computed from that export alone, so an auditor recomputes every number from it
 * (`npm run cli -- audit replay --file …` checks the same file).
 */
import { Command, CommanderError } from 'commander';
import { EventStoreDBClient } from '@eventstore/db-client';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createApp } from '../app';
import { newSigningKey, privateKeyFrom, readExport, readStore, writeExport, ExportCheck, HistoryEvent } from '../audit/history';
import { SingleBar, Presets } from 'cli-progress';
import { CLEARING_SECONDS, CRASH_START_PRICE, CrashProgress, runCrash } from './crash-scenario';
import { CrashSummary, summarizeCrash, tokens } from './crash-summary';

interface SimulateOptions {
  scenario: string;
  positions: string;
  drop: string;
  rounds: string;
  roundSeconds: string;
  keeperMargin: string;
  dataDir?: string;
}

export async function simulate(argv: string[]): Promise<number> {
  const program = new Command('simulate')
    .description('run a market scenario against a fresh ledger and summarize it from the event history')
    .requiredOption('--scenario <name>', 'the scenario: crash')
    .option('--positions <n>', 'open positions in the pool', '2000')
    .option('--drop <share>', 'how far the price falls over the path (0.4 = 40%)', '0.4')
    .option('--rounds <n>', 'price rounds along the path', '20')
    .option('--round-seconds <s>', 'seconds between rounds', '6')
    .option('--keeper-margin <share>', 'keepers take at this share under the oracle price', '0.02')
    .option('--data-dir <dir>', 'where the ledger keeps its data and the export (default: a new temporary directory)')
    .exitOverride();
  let o: SimulateOptions;
  try {
    o = program.parse(argv, { from: 'user' }).opts<SimulateOptions>();
  } catch (err) {
    return err instanceof CommanderError && err.exitCode === 0 ? 0 : 2;
  }
  if (o.scenario !== 'crash') {
    console.error(`error: unknown scenario "${o.scenario}" (known: crash)`);
    return 2;
  }
  const numbers = { positions: Number(o.positions), drop: Number(o.drop), rounds: Number(o.rounds), roundSeconds: Number(o.roundSeconds), keeperMargin: Number(o.keeperMargin) };
  if (!Number.isInteger(numbers.positions) || numbers.positions < 1 || !(numbers.drop > 0 && numbers.drop < 1) || !Number.isInteger(numbers.rounds) || numbers.rounds < 1 || !(numbers.roundSeconds >= 0) || !(numbers.keeperMargin >= 0 && numbers.keeperMargin < 1)) {
    console.error('error: --positions and --rounds are positive integers, --drop and --keeper-margin shares in (0, 1), --round-seconds a non-negative number');
    return 2;
  }
  const dataDir = o.dataDir ?? mkdtempSync(path.join(tmpdir(), 'simulate-'));
  const adminKeyFile = path.join(dataDir, 'admin.key');
  Object.assign(process.env, { DATA_DIR: dataDir, PORT: '0', EVENTSTORE_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ADMIN_KEY_FILE: adminKeyFile });
  delete process.env.EVENTSTORE_CONNECTION_STRING;
  delete process.env.DATABASE_URL;
  const app = await createApp();
  try {
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const started = Date.now();
    // The ledger issued its development admin key at start (a fresh data directory has none).
    const adminKey = readFileSync(adminKeyFile, 'utf8').trim();
    // The rounds, then up to two minutes for the auctions to clear, then the export: say so, then show the way.
    log(`the price path takes ${numbers.rounds * numbers.roundSeconds} s, then up to ${CLEARING_SECONDS} s for the auctions to clear, then the history is exported and summarized`);
    // On a terminal a bar over the rounds and the clearing; elsewhere (a log) a line per round.
    const bar = new SingleBar({ stream: process.stderr, format: 'crash [{bar}] {value}/{total} | {status}', hideCursor: true }, Presets.shades_classic);
    const progress = process.stderr.isTTY ? (p: CrashProgress) => (bar.isActive ? bar.update(p.step, { status: p.status }) : bar.start(p.steps, p.step, { status: p.status })) : undefined;
    const { poolId, feed } = await runCrash({ url, adminKey, ...numbers, runId: Date.now().toString(36), log, progress }).finally(() => bar.stop());
    log('exporting and summarizing the history');
    // The history, signed, for anyone to recompute the summary and audit the run.
    const keys = newSigningKey();
    writeFileSync(path.join(dataDir, 'exporter.pub'), keys.publicKey);
    const exportFile = path.join(dataDir, 'history.jsonl.gz');
    await writeExport(exportFile, readStore(app.get(EventStoreDBClient)), privateKeyFrom(keys.privateKey));
    const check: ExportCheck = { signatureValid: false, signerTrusted: false };
    const history: HistoryEvent[] = [];
    for await (const e of readExport(exportFile, check)) history.push(e);
    if (!check.signatureValid) throw new Error(`the export does not verify: ${check.problem}`);
    printSummary(summarizeCrash(history, poolId, feed), numbers, (Date.now() - started) / 1000);
    console.log(`\nhistory: ${exportFile} (check it: npm run cli -- audit replay --file ${exportFile} --public-key ${path.join(dataDir, 'exporter.pub')})`);
    return 0;
  } finally {
    await app.close();
  }
}

function printSummary(s: CrashSummary, o: { positions: number; drop: number; rounds: number; roundSeconds: number }, seconds: number): void {
  const p = (q: number) => (s.priceToTriggerMs.length ? s.priceToTriggerMs[Math.min(s.priceToTriggerMs.length - 1, Math.ceil(q * s.priceToTriggerMs.length) - 1)] : NaN);
  console.log(`\n## crash: ${o.positions} positions, the price falls ${o.drop * 100}% from ${CRASH_START_PRICE} over ${o.rounds} rounds of ${o.roundSeconds} s (${seconds.toFixed(0)} s in all)`);
  console.table([
    { measure: 'positions liquidated (liquidations in all)', value: `${s.positionsLiquidated} of ${s.positions} (${s.liquidations})` },
    { measure: 'auctions settled (still running)', value: `${s.auctionsSettled} (${s.auctionsRunning})` },
    { measure: 'collateral sold', value: `${tokens(s.collateralSold, 18)} WETH` },
    { measure: 'recovered by the sales', value: `${tokens(s.recovered, 6)} USDC` },
    { measure: 'debt repaid / penalties collected', value: `${tokens(s.debtRepaid, 6)} / ${tokens(s.penaltiesCollected, 6)} USDC` },
    { measure: 'slippage under the oracle price (collateral-weighted / worst)', value: `${(s.slippageBps / 100).toFixed(2)}% / ${(s.worstSlippageBps / 100).toFixed(2)}%` },
    {
      measure: 'bad debt = covered by the reserve + socialized + not yet accounted',
      value: `${tokens(s.badDebt, 6)} = ${tokens(s.coveredByReserve, 6)} + ${tokens(s.socializedBadDebt, 6)} + ${tokens(s.badDebtNotYetAccounted, 6)} USDC`,
    },
    { measure: 'keeper incentives the reserve could not pay (socialized too)', value: `${tokens(s.unpaidKeeperRewards, 6)} USDC` },
    { measure: 'due (price or earlier settlement) → trigger appended, p50 / p99 / max', value: `${p(0.5)} / ${p(0.99)} / ${s.priceToTriggerMs.at(-1) ?? NaN} ms (${s.priceToTriggerMs.length} triggers)` },
  ]);
}

if (require.main === module) {
  simulate(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
