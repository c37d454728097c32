/**
 * `npm run cli -- liquidator …`: what a liquidator runs. Given the opening of a position's commitment
 * (from its owner) and a round of the pool's feed (the latest, by default), build the witness at the
 * price the ledger accepted for that round (the quorum median), prove that the position is below its
 * liquidation threshold there, and submit the proof. A position healthy at the median is refused
 * before any proving: no proof at another price would be accepted.
 */
import { Command } from 'commander';
import { CliError } from '../cli/cli-error';
import { readJson } from '../cli/read-json';
import { ledgerApi, LedgerTarget, print, withLedger } from '../cli/ledger-api';
import { parseDecimal } from '../domain/math/decimal';
import { PUBLIC_SIGNAL_INDEX } from '../domain/liquidation/public-signals';
import { loadCrypto } from '../domain/crypto/crypto';
import type { LiquidationProof } from './prover';
import type { LiquidationClaim, PositionOpening } from './witness';

interface LiquidatorOptions extends LedgerTarget {
  position: string;
  liquidator: string;
  opening: string;
  round: string;
}

/** A priced round as GET /feeds/{feed}/rounds/{round} shows it: the median is its `price`. */
interface RoundJson {
  feed: string;
  round: string;
  price: string;
}

interface PoolJson {
  feed: string;
  collateral: { decimals: number };
  debt: { decimals: number };
  parameters: { liquidationThresholdBps: number };
  borrowIndex: string;
}

export function registerLiquidatorCommands(liquidator: Command): Command {
  const claimOptions = (c: Command) =>
    withLedger(c)
      .requiredOption('--position <id>', 'the position to liquidate')
      .requiredOption('--liquidator <id>', 'your liquidator id (your principal id): the proof is bound to it')
      .requiredOption('--opening <file>', "the position's opening as GET /positions/{id}/opening returns it ('-' for standard input)")
      .option('--round <n>', "the round whose accepted price (the quorum median) to prove at: a number or 'latest'", 'latest');

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
  const round = await ledgerApi<RoundJson>(o, 'GET', `/feeds/${encodeURIComponent(pool.feed)}/rounds/${encodeURIComponent(o.round)}`);
  const claim: LiquidationClaim = {
    opening,
    roundPrice: { feed: round.feed, round: integer(round.round, 'round'), price: parseDecimal(round.price, 18, 'price') },
    pool: {
      thresholdBps: BigInt(pool.parameters.liquidationThresholdBps),
      collateralDecimals: pool.collateral.decimals,
      debtDecimals: pool.debt.decimals,
      borrowIndex: parseDecimal(pool.borrowIndex, 27, 'borrowIndex'),
    },
    positionId: o.position,
    liquidator: o.liquidator,
  };
  // The prover and the witness builder load only for a proof, not for a keeper's take; one proof hashes
  // a commitment and a nullifier, so the library that loads fastest computes them.
  const [{ proveLiquidation }, { buildWitnessInput, WitnessError }] = await Promise.all([import('./prover'), import('./witness'), loadCrypto('quick-start')]);
  try {
    return await proveLiquidation(buildWitnessInput(claim));
  } catch (err) {
    if (err instanceof WitnessError) throw new CliError(`cannot prove: ${err.code}: ${err.message}`);
    throw err;
  }
}

function readOpening(file: string, positionId: string): PositionOpening & { poolId: string } {
  const o = readJson(file) as Record<string, unknown>;
  if (o.positionId !== undefined && o.positionId !== positionId) throw new CliError(`the opening is of position ${String(o.positionId)}, not ${positionId}`);
  if (typeof o.poolId !== 'string') throw new CliError('the opening names no poolId');
  return { poolId: o.poolId, collateral: integer(o.collateral, 'collateral'), scaledDebt: integer(o.scaledDebt, 'scaledDebt'), salt: integer(o.salt, 'salt') };
}

function integer(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !/^[0-9]{1,80}$/.test(value)) throw new CliError(`${what} must be a non-negative integer string`);
  return BigInt(value);
}
