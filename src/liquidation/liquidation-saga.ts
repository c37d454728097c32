/**
 * The saga that carries a triggered liquidation through: reserve room for it in the pool (the cap on
 * collateral under auction), start its auction, settle the position when the auction settles, account
 * for it in the pool (which frees the room). A liquidation held back by the global cap (the debt under
 * auction across all pools) waits for room to free in any pool. A liquidation routed to the pool market, or a Dutch
 * auction that needs a reset in a pool with one, is sold into the market instead. Each step is an ordinary command with an id derived
 * from the auction, so taking a step twice (a restart, an overlap) appends nothing twice.
 */
import { asComponent } from '../eventstore/command-issuer';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../domain/decider';
import { ammAggregate } from '../domain/amm/amm-aggregate';
import { auctionAggregate } from '../domain/auction/auction-aggregate';
import { poolAggregate } from '../domain/pool/pool-aggregate';
import { positionAggregate } from '../domain/position/position-aggregate';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCommand } from '../eventstore/aggregate-commands';
import { LiquidationStep } from './liquidation-watch';
import { LiquidationReservations } from './liquidation-reservations';
import { GlobalLiquidationCap } from './global-liquidation-cap.command';

@Injectable()
export class LiquidationSaga {
  private readonly logger = new Logger('liquidation');
  /** Steps on a pool's stream, one after another: in a crash, hundreds at once would only fight over its revision. */
  private readonly poolQueues = new Map<string, Promise<void>>();
  /**
   * Reservations refused by the global liquidation cap, by auction: the latest attempt of each. The watch
   * takes a refused reservation again when its own pool frees room, resumes, or sees a price; global room
   * frees when any pool accounts for a liquidation, so these are taken again after every account step.
   */
  private readonly waitingForGlobalRoom = new Map<string, Extract<LiquidationStep, { step: 'reserve' }>>();
  /** Account steps taken so far: a reservation refused while one completed may have been refused on the room it freed. */
  private accounted = 0;

  constructor(
    private readonly bus: CommandBus,
    private readonly reservations: LiquidationReservations,
    globalCap: GlobalLiquidationCap,
  ) {
    globalCap.onChange(() => this.retryGlobalWaiting());
  }

  take(step: LiquidationStep): Promise<void> {
    return asComponent('liquidation-saga', () => this.queue(step));
  }

  private queue(step: LiquidationStep): Promise<void> {
    if (step.step !== 'reserve' && step.step !== 'account' && step.step !== 'sell') return this.run(step);
    const queued = (this.poolQueues.get(step.poolId) ?? Promise.resolve()).then(() => this.run(step));
    this.poolQueues.set(step.poolId, queued);
    void queued.then(() => this.poolQueues.get(step.poolId) === queued && this.poolQueues.delete(step.poolId));
    return queued;
  }

  private async run(step: LiquidationStep): Promise<void> {
    const accountedBefore = this.accounted;
    try {
      switch (step.step) {
        case 'reserve':
          this.waitingForGlobalRoom.delete(step.auctionId);
          await this.reservations.reserve(step.poolId, step.auctionId, step.positionId, step.round);
          return;
        case 'start':
          // An auction's stream is new: its id names the reservation, and the pool reserves an id once.
          await this.bus.execute(
            new ExecuteCommand(
              auctionAggregate,
              step.auctionId,
              `start-${step.auctionId}`,
              { type: 'StartAuction', auctionId: step.auctionId, positionId: step.positionId, keeper: step.keeper },
              // Stryker disable next-line ObjectLiteral,BooleanLiteral: without the hint the start reads its stream first and decides the same.
              { newStream: true },
            ),
          );
          return;
        case 'settle':
          await this.bus.execute(new ExecuteCommand(positionAggregate, step.positionId, `settle-${step.auctionId}`, {
            type: 'SettleLiquidation',
            auctionId: step.auctionId,
            collateralSold: step.collateralSold,
            debtRepaid: step.debtRepaid,
          }));
          return;
        case 'sell':
          await this.bus.execute(new ExecuteCommand(ammAggregate, step.poolId, `sell-${step.auctionId}`, { type: 'SwapCollateral', auctionId: step.auctionId, collateral: step.collateral, wanted: step.wanted }));
          return;
        case 'close':
          await this.bus.execute(new ExecuteCommand(auctionAggregate, step.auctionId, `close-${step.auctionId}`, { type: 'CloseAuction' }));
          return;
        case 'marketSale':
          await this.bus.execute(new ExecuteCommand(auctionAggregate, step.auctionId, `market-${step.auctionId}`, { type: 'SellToMarket', collateral: step.collateral, paid: step.paid, price: step.price }));
          return;
        case 'account':
          try {
            await this.bus.execute(new ExecuteCommand(poolAggregate, step.poolId, `account-${step.auctionId}`, {
              type: 'AccountLiquidation',
              auctionId: step.auctionId,
              reserveIn: step.reserveIn,
              keeperRewards: step.keeperRewards,
              badDebt: step.badDebt,
            }));
          } finally {
            // Accounted (now, or already by an earlier attempt or another process): room may have freed under the global cap.
            this.retryGlobalWaiting();
          }
          return;
      }
    } catch (err) {
      // A refused step (a pool at its cap, the global cap reached, paused, or without a fresh price) is
      // taken again when room frees, on resume, or on the next price.
      if (err instanceof DomainError && err.code === 'GLOBAL_LIQUIDATION_CAP_REACHED' && step.step === 'reserve') {
        if (this.accounted === accountedBefore) this.waitingForGlobalRoom.set(step.auctionId, step);
        else void this.take(step); // room freed while it was being decided: try again now rather than wait for the next release
      }
      if (err instanceof DomainError) this.logger.warn(`liquidation step ${step.step} of ${step.auctionId} refused: ${err.code}`);
      else this.logger.error(`liquidation step ${step.step} of ${step.auctionId} failed: ${(err as Error).name} ${(err as Error).message}`);
    }
  }

  /** Takes again, each in its pool's queue, the reservations the global cap held back: room freed, or the cap was raised. */
  private retryGlobalWaiting(): void {
    this.accounted++;
    const waiting = [...this.waitingForGlobalRoom.values()];
    this.waitingForGlobalRoom.clear();
    // Not awaited: a waiting reservation in this step's own pool queues behind this very step.
    for (const step of waiting) void this.take(step);
  }
}
