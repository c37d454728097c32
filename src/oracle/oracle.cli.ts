/**
 * `npm run cli -- oracle …`: what an oracle operator needs. Make a key, sign a report, or sign and
 * submit it to a running ledger.
 */
import { Command, InvalidArgumentError } from 'commander';
import { CliError } from '../cli/cli-error';
import { ledgerApi, LedgerTarget, print, withLedger } from '../cli/ledger-api';
import { loadCrypto } from '../domain/crypto/crypto';
import { generateOracleKey, oracleKeyFrom, signReport } from './report-signing';

const integer = (name: string) => (value: string) => {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return BigInt(value);
};

export function registerOracleCommands(oracle: Command): void {
  // Every oracle command derives or signs one key or report with EdDSA-Poseidon: the library that
  // loads fastest serves (`crypto-engine.ts`).
  oracle.hook('preAction', () => loadCrypto('quick-start'));

  oracle
    .command('keygen')
    .description('make a new oracle key pair (keep the private key secret; register the public key on a feed)')
    .action(() => print(generateOracleKey()));

  oracle
    .command('public-key')
    .description('print the public key of a private key')
    .requiredOption('--private-key <hex>', 'the 32-byte private key, hex (or ORACLE_PRIVATE_KEY)', process.env.ORACLE_PRIVATE_KEY)
    .action((o: { privateKey: string }) => print(oracleKeyFrom(o.privateKey).publicKey));

  const reportOptions = (c: Command) =>
    c
      .requiredOption('--private-key <hex>', 'the 32-byte private key, hex (or ORACLE_PRIVATE_KEY)', process.env.ORACLE_PRIVATE_KEY)
      .requiredOption('--feed <name>', 'feed name, e.g. ETH-USD')
      .requiredOption('--round <n>', 'round number', integer('round'))
      .requiredOption('--price <decimal>', 'whole debt tokens per whole collateral token, e.g. 2150.25')
      .option('--timestamp <unix-seconds>', 'observation time (default: now)', integer('timestamp'));

  reportOptions(oracle.command('sign').description('sign a price report and print it as JSON')).action((o: ReportOptions) => print(sign(o)));

  withLedger(reportOptions(oracle.command('submit').description('sign a price report and submit it to a ledger')))
    .requiredOption('--oracle <name>', 'the oracle name the key is registered under (and your principal id)')
    .option('--command-id <id>', 'command id (default: <oracle>-<feed>-round-<round>, so a resubmission is idempotent)')
    .action(async (o: ReportOptions & LedgerTarget & { oracle: string; commandId?: string }) => {
      const report = sign(o);
      const body = { commandId: o.commandId ?? `${o.oracle}-${o.feed}-round-${report.round}`, oracle: o.oracle, ...report };
      const answer = await ledgerApi(o, 'POST', `/feeds/${encodeURIComponent(o.feed)}/reports`, body);
      print(answer);
    });
}

interface ReportOptions {
  privateKey: string;
  feed: string;
  round: bigint;
  price: string;
  timestamp?: bigint;
}

function sign(o: ReportOptions) {
  try {
    return signReport(o.privateKey, o.feed, o.round, o.price, o.timestamp ?? BigInt(Math.floor(Date.now() / 1000)));
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}
