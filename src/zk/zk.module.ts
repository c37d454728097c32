import { Module } from '@nestjs/common';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { LedgerModule } from '../ledger/ledger.module';
import { LiquidationProofsController } from './liquidation-proofs.controller';
import { SubmitLiquidationProofHandler, VERIFIER_POOL, VerifierPoolLifecycle } from './liquidation-proof.command';
import { createVerifierPool } from './verifier-pool';

/** Liquidation proofs: verified on worker threads, so the API stays responsive while pairings run. */
@Module({
  imports: [LedgerModule],
  controllers: [LiquidationProofsController],
  providers: [
    {
      provide: VERIFIER_POOL,
      inject: [LEDGER_CONFIG],
      useFactory: (config: LedgerConfig) => createVerifierPool({ maxQueue: config.verifyQueueLimit, timeoutMs: config.verifyTimeoutMs }),
    },
    VerifierPoolLifecycle,
    SubmitLiquidationProofHandler,
  ],
})
export class ZkModule {}
