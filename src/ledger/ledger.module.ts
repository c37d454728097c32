import { Module } from '@nestjs/common';
import { POSITION_OWNERS } from '../access/access-policy';
import { OracleModule } from '../oracle/oracle.module';
import { PoolStateQuery } from '../projections/pool-state/pool-state.query';
import { PoolCommandHandler, Pools } from './pools/pool.command';
import { PoolsController } from './pools/pools.controller';
import { PositionCommandHandler, Positions } from './positions/position.command';
import { PositionsController } from './positions/positions.controller';

@Module({
  imports: [OracleModule],
  controllers: [PoolsController, PositionsController],
  providers: [PoolCommandHandler, PositionCommandHandler, Pools, Positions, PoolStateQuery, { provide: POSITION_OWNERS, useExisting: Positions }],
  exports: [Pools, Positions, PositionCommandHandler, PoolCommandHandler, POSITION_OWNERS],
})
export class LedgerModule {}
