import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { AccessGuard } from './access.guard';
import { AccessPolicy } from './access-policy';
import { AccessCommandHandler, AccessRegistry } from './access-registry.command';
import { AdminBootstrap } from './admin-bootstrap';
import { PrincipalsController } from './principals.controller';
import { RateLimitGuard } from './rate-limit.guard';

@Module({
  imports: [
    // The route table (route-table.ts) reads the controllers through it.
    DiscoveryModule,
    ThrottlerModule.forRootAsync({
      inject: [LEDGER_CONFIG],
      useFactory: (config: LedgerConfig) => ({
        throttlers: [
          { name: 'commands', ttl: 1000, limit: config.commandRateLimit },
          { name: 'proofs', ttl: 60_000, limit: config.proofRateLimit },
        ],
      }),
    }),
  ],
  controllers: [PrincipalsController],
  providers: [
    AccessRegistry,
    AccessCommandHandler,
    AccessPolicy,
    AdminBootstrap,
    // In this order: the caller is known before its rate limit is counted.
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class AccessModule {
  /** With `owners`, the module that provides POSITION_OWNERS (the ledger's): the app wires them together. */
  static register(owners: Type): DynamicModule {
    return { module: AccessModule, imports: [owners] };
  }
}
