import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { LiquidationDetector } from './liquidation-detector';
import { LiquidationsController } from './liquidations.controller';

/** Liquidation: detecting positions that fell below their threshold, and what follows. */
@Module({
  imports: [LedgerModule],
  controllers: [LiquidationsController],
  providers: [LiquidationDetector],
  exports: [LiquidationDetector],
})
export class LiquidationModule {}
