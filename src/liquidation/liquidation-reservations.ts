/**
 * ReserveLiquidation on a pool's stream, under the global liquidation cap. The command runs through the
 * one command path like any other (its context, the position, the pool's feed and the cap with the
 * debt under auction in every pool, is the pool spec's); what this adds is the order: reservations
 * under a global cap are decided one after another.
 */
import { Injectable } from '@nestjs/common';
import { poolAggregate } from '../domain/pool/pool-aggregate';
import { CommandBus } from '@nestjs/cqrs';
import { AggregateOutcome, ExecuteCommand } from '../eventstore/aggregate-commands';
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
    private readonly globalCap: GlobalLiquidationCap,
    private readonly bus: CommandBus,
  ) {}

  /** Reserves room for the liquidation at the price of `round`, a recent round of the pool's feed. */
  async reserve(poolId: string, auctionId: string, positionId: string, round: bigint): Promise<AggregateOutcome<typeof poolAggregate>> {
    const reserve = () => this.bus.execute(new ExecuteCommand(poolAggregate, poolId, `reserve-${auctionId}`, { type: 'ReserveLiquidation', auctionId, positionId, round }));
    if ((await this.globalCap.state()).cap === undefined) return reserve();
    const reserved = this.globalQueue.then(reserve);
    this.globalQueue = reserved.catch(() => undefined);
    return reserved;
  }
}
