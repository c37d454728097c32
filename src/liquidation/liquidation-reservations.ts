/**
 * ReserveLiquidation on a pool's stream: the one pool command decided against more than the pool, so
 * it has its own path here: the position being liquidated and the pool feed's price are its context.
 */
import { Injectable } from '@nestjs/common';
import { Clock, unixSeconds } from '../clock/clock';
import { priceAt } from '../domain/oracle/feed';
import { activePool, poolDecider, PoolEvent, PoolState, poolStream } from '../domain/pool/pool';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';
import { poolCodec } from '../ledger/pools/pool.command';
import { Positions } from '../ledger/positions/position.command';
import { Metrics } from '../observability/metrics';
import { Feeds } from '../oracle/feed.command';

@Injectable()
export class LiquidationReservations {
  constructor(
    private readonly handling: CommandHandling,
    private readonly positions: Positions,
    private readonly feeds: Feeds,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  reserve(poolId: string, auctionId: string, positionId: string): Promise<CommandOutcome<PoolEvent, PoolState>> {
    const at = this.clock.now();
    const now = unixSeconds(at);
    return this.metrics.observeCommand('ReserveLiquidation', () =>
      this.handling.handle(poolStream(poolId), poolDecider, poolCodec, { type: 'ReserveLiquidation', auctionId, positionId, now }, {
        commandId: `reserve-${auctionId}`,
        now: at,
        context: async (pool) => ({ position: await this.positions.state(positionId), price: priceAt(await this.feeds.state(activePool(pool).feed), now) }),
      }),
    );
  }
}
