import { Module } from '@nestjs/common';
import { AuditCheckpoints } from './audit-checkpoint';
import { AuditController } from './audit.controller';

/** Tamper evidence (checkpoints of the $all prefix) and time travel; the replay itself is the CLI's. */
@Module({
  controllers: [AuditController],
  providers: [AuditCheckpoints],
})
export class AuditModule {}
