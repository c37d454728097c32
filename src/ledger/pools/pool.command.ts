/** Pool commands through the one command path: the pool decider on stream `pool-<id>`. */
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock, unixSeconds } from '../../clock/clock';
import { EventCodec, ledgerEventCodec } from '../../domain/events';
import { PoolCommand, poolDecider, PoolEvent, PoolState, poolStream } from '../../domain/pool/pool';
import { CommandHandling, CommandOutcome } from '../../eventstore/command-handling';
import { Metrics } from '../../observability/metrics';

export const poolCodec = ledgerEventCodec as EventCodec<PoolEvent>;

export type PoolRequest = PoolCommand extends infer C ? (C extends unknown ? Omit<C, 'now'> : never) : never;

export class ExecutePoolCommand {
  constructor(
    readonly poolId: string,
    readonly commandId: string,
    readonly request: PoolRequest,
  ) {}
}

@CommandHandler(ExecutePoolCommand)
export class PoolCommandHandler implements ICommandHandler<ExecutePoolCommand, CommandOutcome<PoolEvent, PoolState>> {
  constructor(
    private readonly handling: CommandHandling,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute({ poolId, commandId, request }: ExecutePoolCommand): Promise<CommandOutcome<PoolEvent, PoolState>> {
    const now = this.clock.now();
    const command = { ...request, now: unixSeconds(now) } as PoolCommand;
    return this.metrics.observeCommand(request.type, () =>
      this.handling.handle(poolStream(poolId), poolDecider, poolCodec, command, { commandId, now, context: () => undefined }),
    );
  }
}

@Injectable()
export class Pools {
  constructor(private readonly handling: CommandHandling) {}

  async state(poolId: string): Promise<PoolState> {
    return (await this.handling.load(poolStream(poolId), poolDecider, poolCodec)).state;
  }
}
