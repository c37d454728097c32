import { Global, Module } from '@nestjs/common';
import { LEDGER_CONFIG, loadConfig } from './config';

@Global()
@Module({
  providers: [{ provide: LEDGER_CONFIG, useFactory: () => loadConfig() }],
  exports: [LEDGER_CONFIG],
})
export class ConfigModule {}
