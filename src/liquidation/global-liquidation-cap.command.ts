/**
 * The global liquidation cap for the rest of the ledger: the cap in force, and a notice when this
 * process changed it. Setting it runs through the one command path with its spec
 * (domain/liquidation/global-liquidation-cap-aggregate.ts).
 */
import { Injectable } from '@nestjs/common';
import { GlobalLiquidationCapState } from '../domain/liquidation/global-liquidation-cap';
import { GLOBAL_LIQUIDATION_CAP_ID, globalLiquidationCapAggregate } from '../domain/liquidation/global-liquidation-cap-aggregate';
import { AggregateCommands } from '../eventstore/aggregate-commands';

@Injectable()
export class GlobalLiquidationCap {
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly commands: AggregateCommands) {}

  /** Called when this process changed the cap: a higher cap, or none, may make room for liquidations it held back. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Kept current by the live feed: no read per reservation. */
  state(): Promise<GlobalLiquidationCapState> {
    return this.commands.state(globalLiquidationCapAggregate, GLOBAL_LIQUIDATION_CAP_ID);
  }
}
