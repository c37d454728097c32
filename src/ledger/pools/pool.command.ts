/** Pool commands through the one command path: the pool decider on stream `pool-<id>`. */
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventCodec, ledgerEventCodec } from '../../domain/events';
import { PoolCommand, poolDecider, PoolEvent, PoolState, poolStream } from '../../domain/pool/pool';
import { DistributiveOmit, TimedCommands } from '../../eventstore/timed-commands';
import { CommandHandling, CommandOutcome } from '../../eventstore/command-handling';

export const poolCodec = ledgerEventCodec as EventCodec<PoolEvent>;

export type PoolRequest = DistributiveOmit<PoolCommand, 'now'>;

export class ExecutePoolCommand {
  constructor(
    readonly poolId: string,
    readonly commandId: string,
    readonly request: PoolRequest,
  ) {}
}

@CommandHandler(ExecutePoolCommand)
export class PoolCommandHandler implements ICommandHandler<ExecutePoolCommand, CommandOutcome<PoolEvent, PoolState>> {
  constructor(private readonly commands: TimedCommands) {}

  execute({ poolId, commandId, request }: ExecutePoolCommand): Promise<CommandOutcome<PoolEvent, PoolState>> {
    return this.commands.run(poolStream(poolId), poolDecider, poolCodec, commandId, request);
  }
}

@Injectable()
export class Pools {
  constructor(private readonly handling: CommandHandling) {
    handling.follow('pool-', poolDecider, poolCodec);
  }

  /** Kept current by a subscription: no read per command. */
  async state(poolId: string): Promise<PoolState> {
    return (await this.handling.current(poolStream(poolId), poolDecider, poolCodec)).state;
  }
}
