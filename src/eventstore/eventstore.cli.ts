/**
 * `npm run cli -- eventstore add-integrator <login>`: an operator creates a read-only user of the
 * embedded event store for an integrator. The user is in the `integrators` group, which only the
 * public streams' ACLs name (`public-*`): it can follow those with any EventStoreDB client and can
 * neither read the ledger's own streams nor write anything. Prints the password (shown once, never
 * stored in clear) and the connection string to hand over with the CA file.
 */
import { Command } from 'commander';
import { EventStoreDBClient, jsonEvent, NO_STREAM, WrongExpectedVersionError } from '@eventstore/db-client';
import { CliError } from '../cli/cli-error';
import { print } from '../cli/ledger-api';
import { withCredentials } from './connection-string';
import { INTEGRATORS, newPassword, USER_EVENT, userRecord, userStream } from './embedded/security';

export function registerEventStoreCommands(eventstore: Command): void {
  eventstore
    .command('add-integrator <login>')
    .description('create a read-only user limited to the public-* streams')
    .requiredOption('--eventstore <connection-string>', "the store, as its admin (the embedded store's admin password is in admin.password in its data directory)", process.env.EVENTSTORE_CONNECTION_STRING)
    .action(async (login: string, o: { eventstore: string }) => {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(login)) throw new CliError('a login is 1 to 64 letters, digits, dots, dashes or underscores');
      const password = newPassword();
      const client = EventStoreDBClient.connectionString(o.eventstore);
      try {
        await client.appendToStream(userStream(login), jsonEvent({ type: USER_EVENT, data: { ...userRecord(login, password, [INTEGRATORS]) } }), { expectedRevision: NO_STREAM });
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) throw new CliError(`the event store already has a user ${login}`);
        throw new CliError(`cannot create ${login}: ${(err as Error).message}`);
      } finally {
        await client.dispose();
      }
      print({ login, password, groups: [INTEGRATORS], connectionString: withCredentials(o.eventstore, login, password) });
    });
}
