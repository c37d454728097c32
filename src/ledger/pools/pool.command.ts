/**
 * Pools for the rest of the ledger: each pool's current state, and every active pool (for what spans
 * pools: the global liquidation cap). Pool commands run through the one command path
 * (eventstore/aggregate-commands.ts) with the pool's spec (domain/pool/pool-aggregate.ts).
 */
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AllStreamSubscription, START } from '@eventstore/db-client';
import { LedgerFeed } from '../../eventstore/ledger-feed';
import { ActivePool, PoolState, poolStream } from '../../domain/pool/pool';
import { poolAggregate } from '../../domain/pool/pool-aggregate';
import { AggregateCommands } from '../../eventstore/aggregate-commands';
import { CommandHandling } from '../../eventstore/command-handling';

@Injectable()
export class Pools implements OnApplicationShutdown {
  /** Every pool id in the store, once `all()` has first been asked: kept by a subscription to `PoolCreated`. */
  private readonly known = new Set<string>();
  private discovery?: { subscription: AllStreamSubscription; caughtUp: Promise<void> };

  constructor(
    private readonly handling: CommandHandling,
    private readonly commands: AggregateCommands,
    private readonly feed: LedgerFeed,
  ) {
    commands.provide('activePools', () => this.all());
  }

  /** Kept current by the live feed: no read per command. */
  state(poolId: string): Promise<PoolState> {
    return this.commands.state(poolAggregate, poolId);
  }

  /**
   * Every active pool's current state. The states come from the followed snapshots, so no read per
   * call once each pool is cached; the ids from a subscription to `PoolCreated` (started at the first
   * call, which waits for it to catch up) and from the pools this process itself loaded or created.
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
