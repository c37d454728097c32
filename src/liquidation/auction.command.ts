/**
 * Auctions for the rest of the ledger. Auction commands run through the one command path
 * (eventstore/aggregate-commands.ts) with the auction's spec (domain/auction/auction-aggregate.ts).
 */
import { Injectable } from '@nestjs/common';
import { AuctionState } from '../domain/auction/auction';
import { auctionAggregate } from '../domain/auction/auction-aggregate';
import { AggregateCommands, AggregateOutcome } from '../eventstore/aggregate-commands';

export type AuctionCommandResult = AggregateOutcome<typeof auctionAggregate>;

@Injectable()
export class Auctions {
  constructor(private readonly commands: AggregateCommands) {}

  state(auctionId: string): Promise<AuctionState> {
    return this.commands.state(auctionAggregate, auctionId);
  }
}
