/**
 * Position commands through the one command path. The handler draws the fresh salt every position
 * change needs and builds the decide context from the position's pool and that pool's feed.
 */
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { Clock, unixSeconds } from '../../clock/clock';
import { DomainError } from '../../domain/decider';
import { FIELD_MODULUS } from '../../domain/crypto/crypto';
import { EventCodec, ledgerEventCodec } from '../../domain/events';
import { priceAt } from '../../domain/oracle/feed';
import { activePool } from '../../domain/pool/pool';
import { PositionCommand, PositionContext, positionDecider, PositionEvent, PositionState, positionStream } from '../../domain/position/position';
import { CommandHandling, CommandOutcome } from '../../eventstore/command-handling';
import { DistributiveOmit } from '../../eventstore/timed-commands';
import { Metrics } from '../../observability/metrics';
import { Feeds } from '../../oracle/feed.command';
import { Pools } from '../pools/pool.command';

export const positionCodec = ledgerEventCodec as EventCodec<PositionEvent>;

/** The command without its salt, which the handler draws. */
export type PositionRequest = DistributiveOmit<PositionCommand, 'salt'>;

export class ExecutePositionCommand {
  constructor(
    readonly positionId: string,
    readonly commandId: string,
    readonly request: PositionRequest,
  ) {}
}

/** The outcome, with the pool and price it was decided against (the response shows the position at them). */
export type PositionCommandResult = CommandOutcome<PositionEvent, PositionState> & { context: PositionContext };

@CommandHandler(ExecutePositionCommand)
export class PositionCommandHandler implements ICommandHandler<ExecutePositionCommand, PositionCommandResult> {
  constructor(
    private readonly handling: CommandHandling,
    private readonly pools: Pools,
    private readonly feeds: Feeds,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute({ positionId, commandId, request }: ExecutePositionCommand): Promise<PositionCommandResult> {
    const now = this.clock.now();
    const command = { ...request, salt: freshSalt() } as PositionCommand;
    const poolOf = (state: PositionState) => (request.type === 'OpenPosition' ? request.poolId : state.status === 'absent' ? undefined : state.poolId);
    let context: PositionContext | undefined;
    return this.metrics.observeCommand(request.type, async () => {
      const outcome = await this.handling.handle(positionStream(positionId), positionDecider, positionCodec, command, {
        commandId,
        now,
        context: async (state) => (context = await this.context(poolOf(state), unixSeconds(now))),
      });
      // A duplicate is answered without deciding, so without a context yet.
      return { ...outcome, context: context ?? (await this.context(poolOf(outcome.state), unixSeconds(now))) };
    });
  }

  /** The position's pool, that pool's feed and the feed's price at `now`. */
  async context(poolId: string | undefined, now: bigint): Promise<PositionContext> {
    const pool = poolId === undefined ? ({ status: 'absent' } as const) : await this.pools.state(poolId);
    if (pool.status === 'absent') return { pool, price: { status: 'none' }, feed: { status: 'absent' }, now };
    const feed = await this.feeds.state(activePool(pool).feed);
    return { pool, price: priceAt(feed, now), feed, now };
  }
}

/** A uniformly drawn non-zero field element: the salt that makes each commitment unlinkable. */
export function freshSalt(): bigint {
  for (;;) {
    const salt = BigInt('0x' + randomBytes(32).toString('hex')) >> 2n;
    if (salt !== 0n && salt < FIELD_MODULUS) return salt;
  }
}

@Injectable()
export class Positions {
  constructor(private readonly handling: CommandHandling) {}

  async state(positionId: string): Promise<PositionState> {
    return (await this.handling.load(positionStream(positionId), positionDecider, positionCodec)).state;
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
