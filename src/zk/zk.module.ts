import { Module } from '@nestjs/common';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { LedgerModule } from '../ledger/ledger.module';
import { LiquidationProofsController } from './liquidation-proofs.controller';
import { SubmitLiquidationProofHandler, VERIFIER_POOL, VerifierPoolLifecycle } from './liquidation-proof.command';
import { createVerifierPool } from './verifier-pool';
import { DetectionProver, PROVER_POOL } from './detection-prover';
import { createProverPool } from './prover-pool';

/**
 * Liquidation proofs: liquidators' proofs verified, and the ledger's detections proven, on worker
 * threads, so the API stays responsive while pairings and provers run.
 */
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
    {
      provide: PROVER_POOL,
      inject: [LEDGER_CONFIG],
      useFactory: (config: LedgerConfig) => (config.ledgerProofs ? createProverPool(config.proverThreads) : undefined),
    },
    DetectionProver,
  ],
  exports: [DetectionProver],
})
export class ZkModule {}
