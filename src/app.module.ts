import { Module } from '@nestjs/common';
import { AccessModule } from './access/access.module';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventStoreModule } from './eventstore/eventstore.module';
import { ObservabilityModule } from './observability/observability.module';
import { OperationsModule } from './operations/operations.module';
import { ProjectionsModule } from './projections/projections.module';
import { LedgerModule } from './ledger/ledger.module';
import { OracleModule } from './oracle/oracle.module';
import { ZkModule } from './zk/zk.module';
import { AuditModule } from './audit/audit.module';
import { LiquidationModule } from './liquidation/liquidation.module';
import { RiskEngineModule } from './risk-engine/risk-engine.module';

@Module({
  imports: [ConfigModule, CqrsModule.forRoot(), EventStoreModule, DatabaseModule, ObservabilityModule, OperationsModule, ProjectionsModule, OracleModule, LedgerModule, ZkModule, LiquidationModule, AuditModule, AccessModule.register(LedgerModule), RiskEngineModule],
})
export class AppModule {}
