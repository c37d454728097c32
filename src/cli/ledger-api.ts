/** The CLI's way to a running ledger's HTTP API: a refusal becomes a CliError naming the ledger's code. */
import { CliError } from './cli-error';

export const DEFAULT_LEDGER_URL = process.env.LEDGER_URL ?? 'http://127.0.0.1:3000';

export async function ledgerApi<T>(url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
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
