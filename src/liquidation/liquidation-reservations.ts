/**
 * ReserveLiquidation on a pool's stream: the one pool command decided against more than the pool, so
 * it has its own path here: the position being liquidated, the pool's feed, and (when an admin has set
 * the global liquidation cap) the cap and the debt under auction across all pools are its context.
 */
import { Injectable } from '@nestjs/common';
import { Clock, unixSeconds } from '../clock/clock';
import { debtUnderAuction, GlobalLiquidationContext } from '../domain/liquidation/global-liquidation-cap';
import { activePool, poolDecider, PoolEvent, PoolState, poolStream } from '../domain/pool/pool';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';
import { poolCodec, Pools } from '../ledger/pools/pool.command';
import { Positions } from '../ledger/positions/position.command';
import { Metrics } from '../observability/metrics';
import { Feeds } from '../oracle/feed.command';
import { GlobalLiquidationCap } from './global-liquidation-cap.command';

@Injectable()
export class LiquidationReservations {
  /**
   * Reservations under the global cap, one after another: two pools reserving at the same moment would
   * each decide on the other's state before its reservation. Serialized here, the cap is exact within
   * this ledger process; several ledger processes writing at once could still overshoot it by the
   * reservations they make concurrently (each pool's own stream revision guards only that pool).
   */
  private globalQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly handling: CommandHandling,
    private readonly positions: Positions,
    private readonly feeds: Feeds,
    private readonly pools: Pools,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly globalCap: GlobalLiquidationCap,
  ) {}

  /** Reserves room for the liquidation at the price of `round`, a recent round of the pool's feed. */
  async reserve(poolId: string, auctionId: string, positionId: string, round: bigint): Promise<CommandOutcome<PoolEvent, PoolState>> {
    if ((await this.globalCap.state()).cap === undefined) return this.append(poolId, auctionId, positionId, round);
    const reserved = this.globalQueue.then(() => this.append(poolId, auctionId, positionId, round));
    this.globalQueue = reserved.catch(() => undefined);
    return reserved;
  }

  private append(poolId: string, auctionId: string, positionId: string, round: bigint): Promise<CommandOutcome<PoolEvent, PoolState>> {
    const at = this.clock.now();
    return this.metrics.observeCommand('ReserveLiquidation', () =>
      this.handling.handle(poolStream(poolId), poolDecider, poolCodec, { type: 'ReserveLiquidation', auctionId, positionId, round, now: unixSeconds(at) }, {
        commandId: `reserve-${auctionId}`,
        now: at,
        context: async (pool) => ({
          position: await this.positions.state(positionId),
          feed: await this.feeds.state(activePool(pool).feed),
          global: await this.globalContext(poolId, pool),
        }),
      }),
    );
  }

  /**
   * The cap in force and the debt under auction in every pool: this one as the command sees it, the
   * others from their followed snapshots. No cap: nothing to add up.
   */
  private async globalContext(poolId: string, pool: PoolState): Promise<GlobalLiquidationContext | undefined> {
    const { cap } = await this.globalCap.state();
    if (cap === undefined) return undefined;
    const others = (await this.pools.all()).filter((other) => other.poolId !== poolId);
    return { debtUnderAuction: debtUnderAuction([activePool(pool), ...others]), cap };
  }
}
