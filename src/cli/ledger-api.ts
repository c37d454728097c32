/** The CLI's way to a running ledger's HTTP API: a refusal becomes a CliError naming the ledger's code. */
import { Command } from 'commander';
import { CliError } from './cli-error';

export const DEFAULT_LEDGER_URL = process.env.LEDGER_URL ?? 'http://127.0.0.1:3000';

/** Which ledger to call, and as whom. */
export interface LedgerTarget {
  url: string;
  /** Unset: LEDGER_API_KEY, read when the call is made. */
  apiKey?: string;
}

/** The options every command that calls the ledger takes. */
export function withLedger(command: Command): Command {
  return command
    .option('--url <url>', 'ledger API (or LEDGER_URL)', DEFAULT_LEDGER_URL)
    .option('--api-key <key>', 'your API key (or LEDGER_API_KEY)');
}

export async function ledgerApi<T>(target: LedgerTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { url } = target;
  const apiKey = target.apiKey ?? process.env.LEDGER_API_KEY;
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new CliError(`cannot reach the ledger at ${url}: ${(err as Error).message}`);
  }
  const answer = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok) throw new CliError(`the ledger refused ${method} ${path} (${res.status} ${answer.code ?? ''}): ${answer.message ?? ''}`);
  return answer as T;
}

export function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
