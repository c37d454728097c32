#!/usr/bin/env node
/**
 * `npm run cli -- <command>`: the ledger's command line for oracle operators, liquidators, auditors
 * and operators. Each capability registers its own commands; a refusal prints a message and exits
 * non-zero.
 */
import { Command, CommanderError } from 'commander';
import { loadCrypto } from '../domain/crypto/crypto';
import { registerOracleCommands } from '../oracle/oracle.cli';
import { registerLiquidatorCommands } from '../zk/liquidator.cli';
import { registerAuditCommands } from '../audit/audit.cli';
import { registerAuctionCommands } from '../liquidation/auction.cli';
import { registerProjectionCommands } from '../projections/projections.cli';
import { registerAccessCommands } from '../access/access.cli';
import { registerEventStoreCommands } from '../eventstore/eventstore.cli';
import { CliError } from './cli-error';

export function buildCli(): Command {
  const program = new Command('ledger')
    .description('Liquidation ledger command line')
    .exitOverride()
    .showHelpAfterError();
  registerOracleCommands(program);
  registerAuctionCommands(registerLiquidatorCommands(program));
  registerAuditCommands(program);
  registerProjectionCommands(program);
  registerAccessCommands(program);
  registerEventStoreCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  await loadCrypto();
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
