/**
 * Development mode: a ledger with no admin key issues one at start and prints it once (or writes it
 * to ADMIN_KEY_FILE), so `npm start` on a fresh machine can be administered. The key is random, stored
 * hashed like any other, and its issue is an event like any other; once an admin key exists, nothing
 * is printed again.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { writeFile } from 'node:fs/promises';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { hasActiveAdmin } from '../domain/access/access-registry';
import { AccessRegistry, AccessRequest, ExecuteAccessCommand } from './access-registry.command';
import { generateApiKey } from './api-keys';
import { asComponent } from '../eventstore/command-issuer';

export const BOOTSTRAP_ADMIN = 'admin';

@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('access');

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly registry: AccessRegistry,
    private readonly commands: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const state = this.registry.state();
    if (hasActiveAdmin(state)) return;
    if (!this.config.devAdminKey) {
      this.logger.warn('no admin holds an API key, and DEV_ADMIN_KEY is off: nobody can administer this ledger');
      return;
    }
    const key = generateApiKey();
    const request: AccessRequest = state.principals.has(BOOTSTRAP_ADMIN)
      ? { type: 'IssueApiKey', principalId: BOOTSTRAP_ADMIN, keyId: key.keyId, secretHash: key.secretHash }
      : { type: 'RegisterPrincipal', principalId: BOOTSTRAP_ADMIN, role: 'admin', feeds: [], keyId: key.keyId, secretHash: key.secretHash };
    await asComponent('admin-bootstrap', () => this.commands.execute(new ExecuteAccessCommand(`bootstrap-admin-${key.keyId}`, request)));
    if (this.config.adminKeyFile) {
      await writeFile(this.config.adminKeyFile, key.apiKey + '\n', { mode: 0o600 });
      this.logger.log(`development admin key ${key.keyId} written to ${this.config.adminKeyFile}`);
    } else {
      process.stdout.write(`\nDevelopment admin API key (shown once; the ledger keeps only its hash):\n  ${key.apiKey}\n\n`);
    }
  }
}
