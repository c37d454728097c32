/** Pool-market commands through the one command path: the constant-product decider on stream `amm-<poolId>`. */
import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AmmCommand, ammDecider, AmmEvent, AmmState, ammStream } from '../domain/amm/amm';
import { EventCodec, ledgerEventCodec } from '../domain/events';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';
import { Metrics } from '../observability/metrics';

const marketCodec = ledgerEventCodec as EventCodec<AmmEvent>;

@Injectable()
export class Markets {
  constructor(
    private readonly handling: CommandHandling,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  execute(poolId: string, commandId: string, command: AmmCommand): Promise<CommandOutcome<AmmEvent, AmmState>> {
    return this.metrics.observeCommand(command.type, () =>
      this.handling.handle(ammStream(poolId), ammDecider, marketCodec, command, { commandId, now: this.clock.now(), context: () => undefined }),
    );
  }

  async state(poolId: string): Promise<AmmState> {
    return (await this.handling.load(ammStream(poolId), ammDecider, marketCodec)).state;
  }
}
