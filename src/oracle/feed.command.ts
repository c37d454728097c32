/** Feed commands through the one command path: the oracle feed decider on stream `oracle-<feed>`. */
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Injectable } from '@nestjs/common';
import { Clock, unixSeconds } from '../clock/clock';
import { EventCodec, ledgerEventCodec } from '../domain/events';
import { FeedCommand, feedDecider, FeedEvent, FeedState, feedStream } from '../domain/oracle/feed';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';
import { Metrics } from '../observability/metrics';

const codec = ledgerEventCodec as EventCodec<FeedEvent>;

/** The commands without their ledger time, which the handler stamps. */
export type FeedRequest = FeedCommand extends infer C ? (C extends { now: bigint } ? Omit<C, 'now'> : C) : never;

export class ExecuteFeedCommand {
  constructor(
    readonly feed: string,
    readonly commandId: string,
    readonly request: FeedRequest,
  ) {}
}

@CommandHandler(ExecuteFeedCommand)
export class FeedCommandHandler implements ICommandHandler<ExecuteFeedCommand, CommandOutcome<FeedEvent, FeedState>> {
  constructor(
    private readonly handling: CommandHandling,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute({ feed, commandId, request }: ExecuteFeedCommand): Promise<CommandOutcome<FeedEvent, FeedState>> {
    const now = this.clock.now();
    const command = { ...request, now: unixSeconds(now) } as FeedCommand;
    return this.metrics.observeCommand(request.type, () =>
      this.handling.handle(feedStream(feed), feedDecider, codec, command, { commandId, now, context: () => undefined }),
    );
  }
}

/** Current state of feeds, for other capabilities (positions need a feed's price). */
@Injectable()
export class Feeds {
  constructor(private readonly handling: CommandHandling) {}

  async state(feed: string): Promise<FeedState> {
    return (await this.handling.load(feedStream(feed), feedDecider, codec)).state;
  }
}
