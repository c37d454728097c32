/**
 * The command path for aggregates whose decisions need nothing but ledger time (pools, oracle feeds):
 * stamp `now` on the command, count and time it, and handle it.
 */
import { Injectable } from '@nestjs/common';
import { Clock, unixSeconds } from '../clock/clock';
import { Decider } from '../domain/decider';
import { DistributiveOmit } from '../domain/aggregate';
import { EventCodec } from '../domain/events';
import { Metrics } from '../observability/metrics';
import { CommandHandling, CommandOutcome } from './command-handling';

@Injectable()
export class TimedCommands {
  constructor(
    private readonly handling: CommandHandling,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  run<State, Command extends { type: string }, Event, Context>(
    stream: string,
    decider: Decider<State, Command, Event, Context | undefined>,
    codec: EventCodec<Event>,
    commandId: string,
    request: DistributiveOmit<Command, 'now'>,
  ): Promise<CommandOutcome<Event, State>> {
    const now = this.clock.now();
    const command = { ...request, now: unixSeconds(now) } as unknown as Command;
    return this.metrics.observeCommand(request.type, () => this.handling.handle(stream, decider, codec, command, { commandId, now, context: () => undefined }));
  }
}
