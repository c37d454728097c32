/**
 * Auction commands through the one command path: the auction decider on stream `auction-<id>`, with
 * the position being liquidated, its pool and the pool feed's price as context.
 */
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock, unixSeconds } from '../clock/clock';
import { AuctionCommand, AuctionContext, auctionDecider, AuctionEvent, AuctionState, auctionStream } from '../domain/auction/auction';
import { EventCodec, ledgerEventCodec } from '../domain/events';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';
import { Pools } from '../ledger/pools/pool.command';
import { Positions } from '../ledger/positions/position.command';
import { Metrics } from '../observability/metrics';
import { Feeds } from '../oracle/feed.command';

export const auctionCodec = ledgerEventCodec as EventCodec<AuctionEvent>;

export class ExecuteAuctionCommand {
  constructor(
    readonly auctionId: string,
    readonly commandId: string,
    readonly request: AuctionCommand,
  ) {}
}

export type AuctionCommandResult = CommandOutcome<AuctionEvent, AuctionState>;

@CommandHandler(ExecuteAuctionCommand)
export class AuctionCommandHandler implements ICommandHandler<ExecuteAuctionCommand, AuctionCommandResult> {
  constructor(
    private readonly handling: CommandHandling,
    private readonly positions: Positions,
    private readonly pools: Pools,
    private readonly feeds: Feeds,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute({ auctionId, commandId, request }: ExecuteAuctionCommand): Promise<AuctionCommandResult> {
    const at = this.clock.now();
    const now = unixSeconds(at);
    return this.metrics.observeCommand(request.type, () =>
      this.handling.handle(auctionStream(auctionId), auctionDecider, auctionCodec, request, {
        commandId,
        now: at,
        context: async (state): Promise<AuctionContext> => {
          const position = request.type === 'StartAuction' ? await this.positions.state(request.positionId) : { status: 'absent' as const };
          const poolId = state.status !== 'absent' ? state.poolId : position.status !== 'absent' ? position.poolId : undefined;
          const pool = poolId === undefined ? ({ status: 'absent' } as const) : await this.pools.state(poolId);
          const feed = pool.status === 'active' ? await this.feeds.state(pool.feed) : ({ status: 'absent' } as const);
          return { position, pool, feed, now };
        },
      }),
    );
  }
}

@Injectable()
export class Auctions {
  constructor(private readonly handling: CommandHandling) {}

  async state(auctionId: string): Promise<AuctionState> {
    return (await this.handling.load(auctionStream(auctionId), auctionDecider, auctionCodec)).state;
  }
}
