/**
 * The global liquidation cap as a command through the one command path: the decider of
 * src/domain/liquidation/global-liquidation-cap.ts on its stream `settings-liquidation-cap`.
 */
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventCodec, ledgerEventCodec } from '../domain/events';
import {
  GLOBAL_LIQUIDATION_CAP_STREAM,
  GlobalLiquidationCapCommand,
  globalLiquidationCapDecider,
  GlobalLiquidationCapEvent,
  GlobalLiquidationCapState,
} from '../domain/liquidation/global-liquidation-cap';
import { CommandHandling, CommandOutcome } from '../eventstore/command-handling';
import { DistributiveOmit, TimedCommands } from '../eventstore/timed-commands';

const codec = ledgerEventCodec as EventCodec<GlobalLiquidationCapEvent>;

/** The cap in force, for the reservations decided under it. */
@Injectable()
export class GlobalLiquidationCap {
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly handling: CommandHandling) {
    handling.follow(GLOBAL_LIQUIDATION_CAP_STREAM, globalLiquidationCapDecider, codec);
  }

  /** Called when this process changed the cap: a higher cap, or none, may make room for liquidations it held back. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Kept current by a subscription: no read per reservation. */
  async state(): Promise<GlobalLiquidationCapState> {
    return (await this.handling.current(GLOBAL_LIQUIDATION_CAP_STREAM, globalLiquidationCapDecider, codec)).state;
  }
}

export class SetGlobalLiquidationCapCommand {
  constructor(
    readonly commandId: string,
    readonly request: DistributiveOmit<GlobalLiquidationCapCommand, 'now'>,
  ) {}
}

@CommandHandler(SetGlobalLiquidationCapCommand)
export class SetGlobalLiquidationCapHandler implements ICommandHandler<SetGlobalLiquidationCapCommand, CommandOutcome<GlobalLiquidationCapEvent, GlobalLiquidationCapState>> {
  constructor(
    private readonly commands: TimedCommands,
    private readonly globalCap: GlobalLiquidationCap,
  ) {}

  async execute({ commandId, request }: SetGlobalLiquidationCapCommand): Promise<CommandOutcome<GlobalLiquidationCapEvent, GlobalLiquidationCapState>> {
    const outcome = await this.commands.run(GLOBAL_LIQUIDATION_CAP_STREAM, globalLiquidationCapDecider, codec, commandId, request);
    if (outcome.events.length) this.globalCap.changed();
    return outcome;
  }
}
