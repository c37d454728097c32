/**
 * Positions for the rest of the ledger: a position's state, its pool and owner (fixed when opened),
 * and the context its next command would be decided in. Position commands run through the one command
 * path (eventstore/aggregate-commands.ts) with the position's spec (domain/position/position-aggregate.ts).
 */
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../domain/decider';
import { PositionContext, PositionState, positionStream } from '../../domain/position/position';
import { positionAggregate, positionContextOf } from '../../domain/position/position-aggregate';
import { AggregateCommands, AggregateOutcome } from '../../eventstore/aggregate-commands';
import { CommandHandling } from '../../eventstore/command-handling';

/** A position command's outcome, with the pool and price it was decided against (the response shows the position at them). */
export type PositionCommandResult = AggregateOutcome<typeof positionAggregate>;

@Injectable()
export class Positions {
  constructor(
    private readonly handling: CommandHandling,
    private readonly commands: AggregateCommands,
  ) {}

  state(positionId: string): Promise<PositionState> {
    return this.commands.state(positionAggregate, positionId);
  }

  /** The position's pool, that pool's feed and the feed's price now. */
  contextNow(state: PositionState): Promise<PositionContext> {
    return this.commands.read((now) => positionContextOf(state.status === 'absent' ? undefined : state.poolId, now));
  }

  /** The position's pool, which never changes once opened. */
  async poolOf(positionId: string): Promise<string> {
    const state = await this.opened(positionId);
    if (state.status === 'absent') throw new DomainError('POSITION_NOT_FOUND', 'no such position');
    return state.poolId;
  }

  /** The position's owner, which never changes once opened; undefined for no such position. */
  async ownerOf(positionId: string): Promise<string | undefined> {
    const state = await this.opened(positionId);
    return state.status === 'absent' ? undefined : state.owner;
  }

  /** The position as opened, from the cache when it has it: for what opening fixed (pool, owner). */
  private async opened(positionId: string): Promise<PositionState> {
    const cached = this.handling.cached<PositionState>(positionStream(positionId))?.state;
    return cached && cached.status !== 'absent' ? cached : this.state(positionId);
  }
}
