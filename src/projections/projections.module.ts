import { Global, Module } from '@nestjs/common';
import { PoolStateProjection } from './pool-state/pool-state.projection';
import { PROJECTIONS, ProjectionsService } from './projections.service';

@Global()
@Module({
  providers: [
    ProjectionsService,
    PoolStateProjection,
    { provide: PROJECTIONS, inject: [PoolStateProjection], useFactory: (...projections: PoolStateProjection[]) => projections },
  ],
  exports: [ProjectionsService],
})
export class ProjectionsModule {}
