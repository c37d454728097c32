import { Global, Module } from '@nestjs/common';
import { PROJECTIONS, ProjectionsService } from './projections.service';

@Global()
@Module({
  providers: [ProjectionsService, { provide: PROJECTIONS, useFactory: () => [] }],
  exports: [ProjectionsService],
})
export class ProjectionsModule {}
