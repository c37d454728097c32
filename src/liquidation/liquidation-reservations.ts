/**
 * ReserveLiquidation on a pool's stream: the one pool command decided against more than the pool, so
 * it has its own path here: the position being liquidated and the pool's feed are its context.
 */
import { Injectable } from '@nestjs/common';
import { Clock, unixSeconds } from '../clock/clock';
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

  /** Reserves room for the liquidation at the price of `round`, a recent round of the pool's feed. */
  reserve(poolId: string, auctionId: string, positionId: string, round: bigint): Promise<CommandOutcome<PoolEvent, PoolState>> {
    const at = this.clock.now();
    return this.metrics.observeCommand('ReserveLiquidation', () =>
      this.handling.handle(poolStream(poolId), poolDecider, poolCodec, { type: 'ReserveLiquidation', auctionId, positionId, round, now: unixSeconds(at) }, {
        commandId: `reserve-${auctionId}`,
        now: at,
        context: async (pool) => ({ position: await this.positions.state(positionId), feed: await this.feeds.state(activePool(pool).feed) }),
      }),
    );
  }
}
