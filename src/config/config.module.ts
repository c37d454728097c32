import { Global, Module } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { LEDGER_CONFIG, loadConfig } from './config';

@Global()
@Module({
  providers: [{ provide: LEDGER_CONFIG, useFactory: () => loadConfig() }, Clock],
  exports: [LEDGER_CONFIG, Clock],
})
export class ConfigModule {}
