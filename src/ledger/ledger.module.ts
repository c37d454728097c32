import { Module } from '@nestjs/common';
import { OracleModule } from '../oracle/oracle.module';
import { PoolStateQuery } from '../projections/pool-state/pool-state.query';
import { PoolCommandHandler, Pools } from './pools/pool.command';
import { PoolsController } from './pools/pools.controller';
import { PositionCommandHandler, Positions } from './positions/position.command';
import { PositionsController } from './positions/positions.controller';

@Module({
  imports: [OracleModule],
  controllers: [PoolsController, PositionsController],
  providers: [PoolCommandHandler, PositionCommandHandler, Pools, Positions, PoolStateQuery],
  exports: [Pools, Positions, PositionCommandHandler, PoolCommandHandler],
})
export class LedgerModule {}
