/**
 * Feeds for the rest of the ledger (positions need a feed's price). Feed commands run through the one
 * command path (eventstore/aggregate-commands.ts) with the feed's spec (domain/oracle/feed-aggregate.ts).
 */
import { Injectable } from '@nestjs/common';
import { FeedState } from '../domain/oracle/feed';
import { feedAggregate } from '../domain/oracle/feed-aggregate';
import { AggregateCommands } from '../eventstore/aggregate-commands';

@Injectable()
export class Feeds {
  constructor(private readonly commands: AggregateCommands) {}

  /** Kept current by the live feed: no read per command. */
  state(feed: string): Promise<FeedState> {
    return this.commands.state(feedAggregate, feed);
  }
}
