#!/usr/bin/env node
/**
 * `ledger <command>` (or `npm run cli -- <command>`): the ledger's command line for oracle operators,
 * liquidators, auditors and operators. Each capability registers its own commands; a refusal prints a
 * message and exits non-zero.
 */
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error';

/**
 * Each command group and the module that registers it, loaded only when the group is called: most
 * calls need one group, and the oracle, prover and auditor modules load circomlibjs, snarkjs and the
 * event store client (seconds), which a keeper's `take` or an admin's `add-principal` never use.
 */
const GROUPS: Record<string, (program: Command) => void> = {
  oracle: (program) => require('../oracle/oracle.cli').registerOracleCommands(program),
  liquidator: (program) => require('../liquidation/auction.cli').registerAuctionCommands(require('../zk/liquidator.cli').registerLiquidatorCommands(program)),
  liquidations: (program) => require('../zk/verify-liquidations.cli').registerVerifyCommands(program),
  audit: (program) => require('../audit/audit.cli').registerAuditCommands(program),
  projections: (program) => require('../projections/projections.cli').registerProjectionCommands(program),
  access: (program) => require('../access/access.cli').registerAccessCommands(program),
  eventstore: (program) => require('../eventstore/eventstore.cli').registerEventStoreCommands(program),
  backtest: (program) => require('../risk-engine/backtest/backtest.cli').registerBacktestCommands(program),
};

/** The CLI for `argv`: only the group it names, or every group (for help, or a name that is none). */
export function buildCli(argv: readonly string[] = []): Command {
  const program = new Command('ledger')
    .description('Liquidation ledger command line')
    .exitOverride()
    .showHelpAfterError();
  const called = GROUPS[argv[0] ?? ''];
  for (const register of called ? [called] : Object.values(GROUPS)) register(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli(argv).parseAsync(argv, { from: 'user' });
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
