/**
 * `npm run cli -- access …`: who may call the ledger. Anyone can ask whom their key belongs to; an
 * admin lists principals, registers them, and issues, rotates and revokes their API keys. A key the
 * ledger issues is printed this once: it keeps only its hash.
 */
import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { ledgerApi, LedgerTarget, print, withLedger } from '../cli/ledger-api';
import { Role, ROLES } from '../domain/access/access-registry';
import type { ApiKeyReceipt, PrincipalView, PrincipalWithKeysView } from './access.dto';

interface CommandOptions extends LedgerTarget {
  commandId?: string;
}

export function registerAccessCommands(access: Command): void {

  withLedger(access.command('whoami').description('the principal your API key belongs to, its role and feeds'))
    .action(async (o: LedgerTarget) => print(await ledgerApi<PrincipalView>(o, 'GET', '/principals/me')));

  withLedger(access.command('principals').description('admin: every principal, its role and its keys (ids and status)'))
    .action(async (o: LedgerTarget) => print(await ledgerApi<PrincipalWithKeysView[]>(o, 'GET', '/principals')));

  /** An admin command: it appends, under a command id. */
  const command = (usage: string, description: string) =>
    withLedger(access.command(usage).description(`admin: ${description}`)).option('--command-id <id>', 'command id (default: a random cli-<uuid>)');
  const send = (o: CommandOptions, path: string, body: object = {}) =>
    ledgerApi<ApiKeyReceipt>(o, 'POST', path, { commandId: o.commandId ?? `cli-${randomUUID()}`, ...body }).then(printReceipt);

  command('add-principal <id>', 'register a principal with a role, and print its first API key (shown once)')
    .addOption(new Option('--role <role>', 'its role').choices(ROLES).makeOptionMandatory())
    .option('--feed <feed>', 'oracles only: a feed it reports for (repeat for more)', (feed: string, feeds: string[] = []) => [...feeds, feed])
    .action((id: string, o: CommandOptions & { role: Role; feed?: string[] }) => send(o, '/principals', { principalId: id, role: o.role, feeds: o.feed }));

  command('issue-key <principalId>', 'issue another API key to a principal, and print it (shown once)')
    .action((principalId: string, o: CommandOptions) => send(o, `/principals/${encodeURIComponent(principalId)}/keys`));

  command('rotate-key <keyId>', 'replace an API key with a new one, printed (shown once); the old one stops at once')
    .action((keyId: string, o: CommandOptions) => send(o, `/keys/${encodeURIComponent(keyId)}/rotate`));

  command('revoke-key <keyId>', 'revoke an API key; calls with it are refused from now on')
    .action((keyId: string, o: CommandOptions) => send(o, `/keys/${encodeURIComponent(keyId)}/revoke`));
}

function printReceipt(receipt: ApiKeyReceipt): void {
  print(receipt);
  if (receipt.apiKey) console.error('note: this API key is shown only once (the ledger keeps only its hash): store it now');
}
