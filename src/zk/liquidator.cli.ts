/**
 * `npm run cli -- liquidator …`: what a liquidator runs. Given the opening of a position's commitment
 * (from its owner) and an oracle-signed report (the latest round's, from the ledger, by default), build
 * the witness, prove that the position is below its liquidation threshold, and submit the proof.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CliError } from '../cli/cli-error';
import { ledgerApi, LedgerTarget, print, withLedger } from '../cli/ledger-api';
import { parseDecimal } from '../domain/math/decimal';
import { PUBLIC_SIGNAL_INDEX } from '../domain/liquidation/public-signals';
import { LiquidationProof, proveLiquidation } from './prover';
import { buildWitnessInput, LiquidationClaim, PositionOpening, SignedReport, WitnessError } from './witness';

interface LiquidatorOptions extends LedgerTarget {
  position: string;
  liquidator: string;
  opening: string;
  report?: string;
  round: string;
}

/** A signed report as GET /feeds/{feed}/rounds/{round} lists them. */
interface ReportJson {
  feed: string;
  oracle?: string;
  publicKey: { x: string; y: string };
  round: string;
  price: string;
  timestamp: string;
  signature: { r8x: string; r8y: string; s: string };
}

interface PoolJson {
  feed: string;
  collateral: { decimals: number };
  debt: { decimals: number };
  parameters: { liquidationThresholdBps: number };
  borrowIndex: string;
}

export function registerLiquidatorCommands(program: Command): Command {
  const liquidator = program.command('liquidator').description('liquidator tools: prove that a position is liquidatable, submit the proof, take from auctions');
  const claimOptions = (c: Command) =>
    withLedger(c)
      .requiredOption('--position <id>', 'the position to liquidate')
      .requiredOption('--liquidator <id>', 'your liquidator id (your principal id): the proof is bound to it')
      .requiredOption('--opening <file>', "the position's opening as GET /positions/{id}/opening returns it ('-' for standard input)")
      .option('--report <file>', "a signed report as GET /feeds/{feed}/rounds/{round} lists them (default: the chosen round's lowest-priced report)")
      .option('--round <n>', "the round to cite when no report is given: a number or 'latest'", 'latest');

  claimOptions(liquidator.command('prove').description('build the proof and print it with its public signals, as JSON')).action(async (o: LiquidatorOptions) => {
    print(await prove(o));
  });

  claimOptions(liquidator.command('submit').description('build the proof and submit it: the ledger verifies it and triggers the liquidation'))
    .option('--command-id <id>', 'command id (default: derived from the nullifier, so a resubmission is idempotent)')
    .action(async (o: LiquidatorOptions & { commandId?: string }) => {
      const { proof, publicSignals } = await prove(o);
      const nullifier = BigInt(publicSignals[PUBLIC_SIGNAL_INDEX.nullifier]);
      const commandId = o.commandId ?? `liquidation-${nullifier.toString(16).slice(0, 40)}`;
      print(await ledgerApi(o, 'POST', `/positions/${encodeURIComponent(o.position)}/liquidation-proofs`, { commandId, liquidator: o.liquidator, proof, publicSignals }));
    });
  return liquidator;
}

async function prove(o: LiquidatorOptions): Promise<LiquidationProof> {
  const opening = readOpening(o.opening, o.position);
  const pool = await ledgerApi<PoolJson>(o, 'GET', `/pools/${encodeURIComponent(opening.poolId)}`);
  const report = o.report ? (readJson(o.report) as ReportJson) : await lowestReport(o, pool.feed, o.round);
  const claim: LiquidationClaim = {
    opening,
    report: signedReport(report),
    pool: {
      thresholdBps: BigInt(pool.parameters.liquidationThresholdBps),
      collateralDecimals: pool.collateral.decimals,
      debtDecimals: pool.debt.decimals,
      borrowIndex: parseDecimal(pool.borrowIndex, 27, 'borrowIndex'),
    },
    positionId: o.position,
    liquidator: o.liquidator,
  };
  try {
    return await proveLiquidation(buildWitnessInput(claim));
  } catch (err) {
    if (err instanceof WitnessError) throw new CliError(`cannot prove: ${err.code}: ${err.message}`);
    throw err;
  }
}

/** The round's report with the lowest price: the one most likely to show the position below its threshold. */
async function lowestReport(ledger: LedgerTarget, feed: string, round: string): Promise<ReportJson> {
  const priced = await ledgerApi<{ reports: ReportJson[] }>(ledger, 'GET', `/feeds/${encodeURIComponent(feed)}/rounds/${encodeURIComponent(round)}`);
  const wad = (r: ReportJson) => parseDecimal(r.price, 18, 'price');
  return priced.reports.reduce((low, r) => (wad(r) < wad(low) ? r : low));
}

function readOpening(file: string, positionId: string): PositionOpening & { poolId: string } {
  const o = readJson(file) as Record<string, unknown>;
  if (o.positionId !== undefined && o.positionId !== positionId) throw new CliError(`the opening is of position ${String(o.positionId)}, not ${positionId}`);
  if (typeof o.poolId !== 'string') throw new CliError('the opening names no poolId');
  return { poolId: o.poolId, collateral: integer(o.collateral, 'collateral'), scaledDebt: integer(o.scaledDebt, 'scaledDebt'), salt: integer(o.salt, 'salt') };
}

function signedReport(r: ReportJson): SignedReport {
  if (!r || typeof r.feed !== 'string' || !r.publicKey || !r.signature) throw new CliError('the report needs feed, round, price, timestamp, publicKey and signature');
  return {
    feed: r.feed,
    round: integer(r.round, 'round'),
    price: parseDecimal(String(r.price), 18, 'price'),
    timestamp: integer(r.timestamp, 'timestamp'),
    oracleKey: { x: integer(r.publicKey.x, 'publicKey.x'), y: integer(r.publicKey.y, 'publicKey.y') },
    signature: { r8x: integer(r.signature.r8x, 'signature.r8x'), r8y: integer(r.signature.r8y, 'signature.r8y'), s: integer(r.signature.s, 'signature.s') },
  };
}

function integer(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !/^[0-9]{1,80}$/.test(value)) throw new CliError(`${what} must be a non-negative integer string`);
  return BigInt(value);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${file === '-' ? 'standard input' : file} as JSON: ${(err as Error).message}`);
  }
}
