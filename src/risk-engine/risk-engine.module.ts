import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { RiskEngine } from './risk-engine';
import { RiskEngineController } from './risk-engine.controller';

/** Predictive risk: volatility forecasts from each feed's accepted prices move its pools' max LTV and threshold. */
@Module({
  imports: [LedgerModule],
  controllers: [RiskEngineController],
  providers: [RiskEngine],
})
export class RiskEngineModule {}
