/**
 * `ledger liquidations verify`: what an integrator runs to check every liquidation from the public
 * streams and the verification key alone (PublicLiquidationVerifier). It reads `public-prices` and
 * `public-liquidations` over server-sent events from their start until both have been quiet for
 * `--idle-ms`, prints a verdict per liquidation, and exits 1 if any is invalid.
 */
import { Command } from 'commander';
import { CliError } from '../cli/cli-error';
import { readJson } from '../cli/read-json';
import { loadCrypto } from '../domain/crypto/crypto';
import { DEFAULT_LEDGER_URL, print } from '../cli/ledger-api';
import { openSse } from '../cli/sse';
import { LIQUIDATIONS_STREAM, PRICES_STREAM } from '../projections/public-streams/public-stream-protocol';
import { PublicLiquidationVerifier, PublicRecord } from './public-verifier';
import { VerificationKey } from './snarkjs';

interface VerifyOptions {
  url: string;
  vkey?: string;
  idleMs: string;
}

export function registerVerifyCommands(liquidations: Command): void {
  liquidations
    .command('verify')
    .description('check every liquidation on the public streams with the verification key alone: its proof, and its price against the round on the public price stream')
    .option('--url <url>', 'ledger API serving the public streams (or LEDGER_URL); no key needed', DEFAULT_LEDGER_URL)
    .option('--vkey <file>', 'the verification key (default: the one committed in circuits/build/)')
    .option('--idle-ms <ms>', 'stop reading once the streams have been quiet this long', '1500')
    .action(async (o: VerifyOptions) => {
      const idleMs = Number(o.idleMs);
      if (!Number.isInteger(idleMs) || idleMs < 1) throw new CliError('--idle-ms must be a positive integer');
      await loadCrypto();
      const verifier = new PublicLiquidationVerifier(o.vkey ? (readJson(o.vkey) as VerificationKey) : undefined);
      const [prices, liquidations] = await Promise.all([readStream(o.url, PRICES_STREAM, idleMs), readStream(o.url, LIQUIDATIONS_STREAM, idleMs)]);
      prices.forEach((e) => verifier.price(e));
      liquidations.forEach((e) => verifier.liquidation(e));
      const verdicts = await verifier.verdicts();
      print(verdicts);
      if (verdicts.some((v) => v.verdict === 'invalid')) throw new CliError(`${verdicts.filter((v) => v.verdict === 'invalid').length} of ${verdicts.length} liquidations do not verify`);
    });
}

/** A public stream from its start, until no event has come for `idleMs`. */
async function readStream(url: string, stream: string, idleMs: number): Promise<PublicRecord[]> {
  let connection;
  try {
    connection = await openSse(`${url}/streams/${stream}/events?from=0`);
  } catch (err) {
    throw new CliError(`cannot reach the ledger at ${url}: ${(err as Error).message}`);
  }
  if (connection.status !== 200) throw new CliError(`the ledger refused ${stream} (${connection.status})`);
  const events: PublicRecord[] = [];
  const iterator = connection.messages[Symbol.asyncIterator]();
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), idleMs)));
      const next = await Promise.race([iterator.next(), idle]);
      clearTimeout(timer);
      if (next === 'idle' || next.done) return events;
      if (next.value.event !== 'message') continue;
      const { type, data } = JSON.parse(next.value.data) as PublicRecord;
      events.push({ type, data });
    }
  } finally {
    connection.close();
  }
}
