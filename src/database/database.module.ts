import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { LEDGER_CONFIG, LedgerConfig } from '../config/config';
import { Database, openDatabase } from './database';
import { migrate } from './migrations';

export const DATABASE = Symbol('DATABASE');

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}
  onApplicationShutdown(): Promise<void> {
    return this.db.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: DATABASE,
      inject: [LEDGER_CONFIG],
      useFactory: async (config: LedgerConfig): Promise<Database> => {
        const db = await openDatabase(config);
        const applied = await migrate(db);
        new Logger('database').log(`${db.kind} ready${applied.length ? `, applied ${applied.join(', ')}` : ''}`);
        return db;
      },
    },
    DatabaseLifecycle,
  ],
  exports: [DATABASE],
})
export class DatabaseModule {}
