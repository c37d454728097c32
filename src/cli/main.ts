#!/usr/bin/env node
/**
 * `ledger <command>` (or `npm run cli -- <command>`): the ledger's command line for oracle operators,
 * liquidators, auditors and operators. Each capability registers its own commands; a refusal prints a
 * message and exits non-zero.
 */
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error';

/**
 * Each command group, described here and registered by its module only when the group is called: most
 * calls need one group, and the oracle, prover and auditor modules load circomlibjs, snarkjs, Nest's
 * decorators and the event store client (seconds), which a keeper's `take`, an admin's `add-principal`
 * or `ledger --help` never use.
 */
const GROUPS: Record<string, { description: string; register: (group: Command) => unknown }> = {
  oracle: { description: 'oracle operator tools: keys, signed price reports', register: (group) => require('../oracle/oracle.cli').registerOracleCommands(group) },
  liquidator: {
    description: 'liquidator tools: prove that a position is liquidatable, submit the proof, take from auctions',
    register: (group) => require('../liquidation/auction.cli').registerAuctionCommands(require('../zk/liquidator.cli').registerLiquidatorCommands(group)),
  },
  liquidations: { description: "integrators' tools over the public streams", register: (group) => require('../zk/verify-liquidations.cli').registerVerifyCommands(group) },
  audit: { description: 'auditor tools: replay and verify the history, export it, time travel', register: (group) => require('../audit/audit.cli').registerAuditCommands(group) },
  projections: { description: 'read models and projection streams: status and rebuilds', register: (group) => require('../projections/projections.cli').registerProjectionCommands(group) },
  access: {
    description: 'principals and API keys: who you are (anyone), and their administration (admin)',
    register: (group) => require('../access/access.cli').registerAccessCommands(group),
  },
  eventstore: { description: 'users of the embedded event store', register: (group) => require('../eventstore/eventstore.cli').registerEventStoreCommands(group) },
  backtest: {
    description: 'replay a daily price history (CSV: timestamp,open,close,volume,unix_timestamp,high,low) through the ledger’s rules with a synthetic borrower population, under static and predictive risk policies',
    register: (group) => require('../risk-engine/backtest/backtest.cli').registerBacktestCommands(group),
  },
};

/**
 * The CLI for `argv`: every group by name and description, and the commands of the one it calls
 * (`ledger help <group>` counts as calling it). `ledger --help` loads no group's module.
 */
export function buildCli(argv: readonly string[] = []): Command {
  const program = new Command('ledger')
    .description('Liquidation ledger command line')
    .exitOverride()
    .showHelpAfterError();
  const called = argv[0] === 'help' ? argv[1] : argv[0];
  for (const [name, { description, register }] of Object.entries(GROUPS)) {
    const group = program.command(name).description(description);
    if (name === called) register(group);
  }
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
