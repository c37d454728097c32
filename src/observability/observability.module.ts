import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
import { Options } from 'pino-http';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { admittedCaller } from '../http/request-caller';
import { LedgerLogger } from './ledger-logger';
import { Metrics } from './metrics';

@Global()
@Module({
  imports: [
    // Structured JSON logs (pino), one line per request with its id, status and time.
    LoggerModule.forRootAsync({
      inject: [LEDGER_CONFIG],
      useFactory: (config: LedgerConfig) => {
        const options: Options = {
          level: config.logLevel,
          autoLogging: { ignore: (req) => req.url === '/metrics' || (req.url ?? '').startsWith('/health') },
          // Request and response bodies are never logged: they may hold a position's amounts.
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          // Who called (the principal's id; never its key).
          customProps: (req) => {
            const principal = admittedCaller(req);
            return principal ? { principal: principal.id } : {};
          },
        };
        return { pinoHttp: config.logFile ? [options, destination({ dest: config.logFile, mkdir: true })] : options };
      },
    }),
  ],
  providers: [Metrics, LedgerLogger],
  exports: [Metrics, LedgerLogger],
})
export class ObservabilityModule {}
