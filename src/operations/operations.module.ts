import { Module } from '@nestjs/common';
import { OperationsController } from './operations.controller';

/**
 * What an operator asks of a running ledger: is it alive, is it ready (store, database, every
 * projection), its metrics. It reads the other modules, so it sits above them; the metrics and logs
 * themselves are infrastructure (ObservabilityModule), which every module writes to.
 */
@Module({
  controllers: [OperationsController],
})
export class OperationsModule {}
