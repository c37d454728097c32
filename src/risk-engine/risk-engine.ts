/**
 * The predictive risk engine, per pool whose admin turned it on: each price a feed accepts may move
 * the parameters of the pools on it. The engine keeps every feed's latest accepted prices (the
 * forecast's inputs, read from the store from its start), proposes on each new round, and in automatic
 * mode applies a proposal whose threshold falls once its notice has run. Proposals and applies go
 * through the one command path with ids derived from pool and round, so a restart or a second engine
 * appends nothing twice.
 */
import { asComponent } from '../eventstore/command-issuer';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AllStreamSubscription, START } from '@eventstore/db-client';
import { LedgerFeed } from '../eventstore/ledger-feed';
import { Clock, unixSeconds } from '../clock/clock';
import { DomainError } from '../domain/decider';
import { ledgerEventCodec } from '../domain/events';
import { FeedEvent } from '../domain/oracle/feed';
import { ActivePool, PoolState } from '../domain/pool/pool';
import { poolAggregate } from '../domain/pool/pool-aggregate';
import { DistributiveOmit } from '../domain/aggregate';
import { AcceptedPrice, MAX_RISK_WINDOW, RiskCommand } from '../domain/pool/risk-adjustment';
import { RiskProposal } from '../domain/pool/risk-settings';
import { Quarantine } from '../eventstore/quarantine';
import { CommandBus } from '@nestjs/cqrs';
import { AggregateCommands, AggregateOutcome, ExecuteCommand } from '../eventstore/aggregate-commands';
import { Pools } from '../ledger/pools/pool.command';

/** Refusals that only mean "nothing to do now": the engine stays quiet about them. */
const NOTHING_TO_DO = new Set(['RISK_PARAMETERS_UNCHANGED', 'RISK_PROPOSAL_PENDING', 'NOT_ENOUGH_PRICES', 'RISK_ENGINE_OFF']);

@Injectable()
export class RiskEngine implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RiskEngine.name);
  private readonly prices = new Map<string, AcceptedPrice[]>();
  private subscription?: AllStreamSubscription;
  private live = false;
  /** Work per pool, one step after another: a proposal and an apply never race on the same pool. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly feed: LedgerFeed,
    private readonly commands: AggregateCommands,
    private readonly bus: CommandBus,
    private readonly pools: Pools,
    private readonly clock: Clock,
    private readonly quarantine: Quarantine,
  ) {
    commands.provide('acceptedPrices', (feed) => this.acceptedPrices(feed));
  }

  onApplicationBootstrap(): void {
    this.subscription = this.feed.subscribeToAll({ fromPosition: START, filter: { eventType: /^PriceUpdated$/ } });
    this.subscription.on('data', ({ event }) => {
      if (!event?.streamId.startsWith('oracle-') || this.quarantine.of(event.streamId)) return;
      // A poison event is set aside (and reported) like everywhere else, never thrown out of the subscription.
      const updated = this.quarantine.decode(ledgerEventCodec, event) as FeedEvent | undefined;
      if (updated?.type !== 'PriceUpdated') return;
      const feed = event.streamId.slice('oracle-'.length);
      const prices = this.prices.get(feed) ?? [];
      prices.push({ round: updated.round, price: updated.price });
      if (prices.length > 2 * MAX_RISK_WINDOW) prices.splice(0, prices.length - MAX_RISK_WINDOW);
      this.prices.set(feed, prices);
      // Rounds from before this start were answered then (or are too old to answer now).
      if (this.live) void this.onRound(feed, updated.round);
    });
    this.subscription.once('caughtUp', () => {
      this.live = true;
      void this.resumePending();
    });
    this.subscription.on('error', (err) => this.logger.warn(`risk engine subscription ended: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.subscription?.unsubscribe().catch(() => undefined);
  }

  /** The feed's accepted prices this engine holds, oldest first. */
  acceptedPrices(feed: string): readonly AcceptedPrice[] {
    return this.prices.get(feed) ?? [];
  }

  /** A proposal for the pool at the feed's latest accepted round (what an admin asks for by hand). */
  proposeNow(pool: ActivePool, commandId: string): Promise<AggregateOutcome<typeof poolAggregate>> {
    const latest = this.acceptedPrices(pool.feed).at(-1);
    if (!latest) throw new DomainError('NOT_ENOUGH_PRICES', `feed ${pool.feed} has no accepted price yet`);
    return this.run(pool.poolId, commandId, { type: 'ProposeRiskParameters', proposalId: `round-${latest.round}`, round: latest.round });
  }

  /** A risk command on the pool's stream, decided against the prices this engine holds. */
  run(poolId: string, commandId: string, request: DistributiveOmit<RiskCommand, 'now'>): Promise<AggregateOutcome<typeof poolAggregate>> {
    const step = (this.queues.get(poolId) ?? Promise.resolve()).catch(() => undefined).then(() => this.bus.execute(new ExecuteCommand(poolAggregate, poolId, commandId, request)));
    this.queues.set(poolId, step);
    return step;
  }

  private async onRound(feed: string, round: bigint): Promise<void> {
    for (const pool of await this.pools.all()) {
      const mode = pool.risk?.settings.mode;
      if (pool.feed !== feed || !mode || mode === 'off' || pool.risk?.pending) continue;
      await this.quietly(async () => {
        const outcome = await this.run(pool.poolId, `risk-propose-${pool.poolId}-${round}`, { type: 'ProposeRiskParameters', proposalId: `round-${round}`, round });
        this.scheduleApply(outcome.state);
      });
    }
  }

  /** After a start: automatic pools with an announced proposal get it applied when its notice ends. */
  private async resumePending(): Promise<void> {
    for (const pool of await this.pools.all()) this.scheduleApply(pool);
  }

  private scheduleApply(state: PoolState): void {
    if (state.status !== 'active' || state.risk?.settings.mode !== 'auto' || !state.risk.pending) return;
    const { poolId } = state;
    const pending: RiskProposal = state.risk.pending;
    const wait = Math.max(0, Number(pending.effectiveAt - unixSeconds(this.clock.now()))) * 1000;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.quietly(async () => {
        try {
          await this.run(poolId, `risk-apply-${poolId}-${pending.proposalId}`, { type: 'ApplyRiskParameters', proposalId: pending.proposalId });
        } catch (err) {
          // Ledger time counts whole seconds: a timer can wake inside the last one. Try again.
          if (err instanceof DomainError && err.code === 'RISK_NOTICE_RUNNING') return this.scheduleApply(await this.pools.state(poolId));
          throw err;
        }
      });
    }, wait + 250);
    this.timers.add(timer);
  }

  private async quietly(work: () => Promise<void>): Promise<void> {
    try {
      await asComponent('risk-engine', work);
    } catch (err) {
      if (err instanceof DomainError && NOTHING_TO_DO.has(err.code)) return;
      this.logger.warn(`risk engine: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
