import { Module } from '@nestjs/common';
import { POSITION_OWNERS } from '../access/access-policy';
import { OracleModule } from '../oracle/oracle.module';
import { PoolStateQuery } from '../projections/pool-state/pool-state.query';
import { Pools } from './pools/pool.command';
import { PoolsController } from './pools/pools.controller';
import { Positions } from './positions/position.command';
import { PositionsController } from './positions/positions.controller';

@Module({
  imports: [OracleModule],
  controllers: [PoolsController, PositionsController],
  providers: [Pools, Positions, PoolStateQuery, { provide: POSITION_OWNERS, useExisting: Positions }],
  exports: [Pools, Positions, POSITION_OWNERS],
})
export class LedgerModule {}
