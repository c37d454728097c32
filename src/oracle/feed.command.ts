/** Feed commands through the one command path: the oracle feed decider on stream `oracle-<feed>`. */
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Injectable } from '@nestjs/common';
import { EventCodec, ledgerEventCodec } from '../domain/events';
import { FeedCommand, feedDecider, FeedEvent, FeedState, feedStream } from '../domain/oracle/feed';
import { DistributiveOmit, TimedCommands } from '../eventstore/timed-commands';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';

const codec = ledgerEventCodec as EventCodec<FeedEvent>;

export type FeedRequest = DistributiveOmit<FeedCommand, 'now'>;

export class ExecuteFeedCommand {
  constructor(
    readonly feed: string,
    readonly commandId: string,
    readonly request: FeedRequest,
  ) {}
}

@CommandHandler(ExecuteFeedCommand)
export class FeedCommandHandler implements ICommandHandler<ExecuteFeedCommand, CommandOutcome<FeedEvent, FeedState>> {
  constructor(private readonly commands: TimedCommands) {}

  execute({ feed, commandId, request }: ExecuteFeedCommand): Promise<CommandOutcome<FeedEvent, FeedState>> {
    return this.commands.run(feedStream(feed), feedDecider, codec, commandId, request);
  }
}

/** Current state of feeds, for other capabilities (positions need a feed's price). */
@Injectable()
export class Feeds {
  constructor(private readonly handling: CommandHandling) {
    handling.follow('oracle-', feedDecider, codec);
  }

  /** Kept current by a subscription: no read per command. */
  async state(feed: string): Promise<FeedState> {
    return (await this.handling.current(feedStream(feed), feedDecider, codec)).state;
  }
}
