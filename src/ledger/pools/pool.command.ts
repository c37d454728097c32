/** Pool commands through the one command path: the pool decider on stream `pool-<id>`. */
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AllStreamSubscription, START } from '@eventstore/db-client';
import { LedgerFeed } from '../../eventstore/ledger-feed';
import { EventCodec, ledgerEventCodec } from '../../domain/events';
import { ActivePool, PoolCommand, poolDecider, PoolEvent, PoolState, poolStream } from '../../domain/pool/pool';
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
export class Pools implements OnApplicationShutdown {
  /** Every pool id in the store, once `all()` has first been asked: kept by a subscription to `PoolCreated`. */
  private readonly known = new Set<string>();
  private discovery?: { subscription: AllStreamSubscription; caughtUp: Promise<void> };

  constructor(
    private readonly handling: CommandHandling,
    private readonly feed: LedgerFeed,
  ) {
    handling.follow('pool-', poolDecider, poolCodec);
  }

  /** Kept current by a subscription: no read per command. */
  async state(poolId: string): Promise<PoolState> {
    return (await this.handling.current(poolStream(poolId), poolDecider, poolCodec)).state;
  }

  /**
   * Every active pool's current state (for what spans pools: the global liquidation cap). The states
   * come from the followed snapshots, so no read per call once each pool is cached; the ids from a
   * subscription to `PoolCreated` (started at the first call, which waits for it to catch up) and from
   * the pools this process itself loaded or created.
   */
  async all(): Promise<ActivePool[]> {
    await this.discover();
    const ids = new Set(this.known);
    for (const stream of this.handling.cachedStreams(poolStream(''))) ids.add(stream.slice(poolStream('').length));
    const states = await Promise.all([...ids].map((poolId) => this.state(poolId)));
    return states.filter((pool): pool is ActivePool => pool.status === 'active');
  }

  private discover(): Promise<void> {
    if (this.discovery) return this.discovery.caughtUp;
    const subscription = this.feed.subscribeToAll({ fromPosition: START, filter: { eventType: /^PoolCreated$/ } });
    const caughtUp = new Promise<void>((resolve, reject) => {
      subscription.once('caughtUp', () => resolve());
      subscription.once('error', reject);
    });
    this.discovery = { subscription, caughtUp };
    subscription.on('data', ({ event }) => {
      if (event?.streamId.startsWith(poolStream(''))) this.known.add(event.streamId.slice(poolStream('').length));
    });
    // Ended (the connection lost): the next call subscribes again, from the start.
    subscription.on('error', () => this.discovery?.subscription === subscription && (this.discovery = undefined));
    return caughtUp;
  }

  async onApplicationShutdown(): Promise<void> {
    const subscription = this.discovery?.subscription;
    this.discovery = undefined;
    await subscription?.unsubscribe().catch(() => undefined);
  }
}
