import { Global, Module } from '@nestjs/common';
import { AuctionsProjection, SettledAuctions } from './auctions/auctions.projection';
import { DashboardController } from './dashboard/dashboard.controller';
import { PoolStateProjection } from './pool-state/pool-state.projection';
import { PoolStateQuery } from './pool-state/pool-state.query';
import { Projection } from './projection';
import { PROJECTIONS, ProjectionsService } from './projections.service';
import { ProjectionsController } from './projections.controller';
import { PublicStreamProjector } from './public-streams/public-stream-projector';
import { PublicStreamFanOuts } from './public-streams/public-stream-fan-outs';
import { PublicStreamsController } from './public-streams/public-streams.controller';
import { PublicStreamsWebSocket } from './public-streams/public-streams.websocket';

@Global()
@Module({
  controllers: [ProjectionsController, PublicStreamsController, DashboardController],
  providers: [
    ProjectionsService,
    PoolStateProjection,
    PoolStateQuery,
    AuctionsProjection,
    SettledAuctions,
    PublicStreamProjector,
    PublicStreamFanOuts,
    PublicStreamsWebSocket,
    { provide: PROJECTIONS, inject: [PoolStateProjection, AuctionsProjection], useFactory: (...projections: Projection[]) => projections },
  ],
  exports: [ProjectionsService, SettledAuctions],
})
export class ProjectionsModule {}
