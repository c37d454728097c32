/**
 * The one command path, for every aggregate in the table (src/domain/aggregates.ts), as Emmett's
 * DeciderCommandHandler: read ledger time once, issue the command from the request (the time, a fresh
 * salt), build its context with the aggregate's own `contextOf` against the store, and decide and
 * append through CommandHandling. Every caller sends `ExecuteCommand` on the CQRS command bus: the API's
 * controllers, and the ledger's own processes (the liquidation saga, the detector, the risk engine, the
 * prover), whose modules start after the CQRS module has registered the handler.
 */
import { Injectable } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomBytes } from 'node:crypto';
import { Clock, unixSeconds } from '../clock/clock';
import { AnyAggregateSpec, ContextOf, contextFromStore, EventOf, Reads, RequestOf, StateOf, StoreLookup } from '../domain/aggregate';
import { FIELD_MODULUS } from '../domain/crypto/crypto';
import { GLOBAL_LIQUIDATION_CAP_ID, globalLiquidationCapAggregate } from '../domain/liquidation/global-liquidation-cap-aggregate';
import { feedAggregate } from '../domain/oracle/feed-aggregate';
import { poolAggregate } from '../domain/pool/pool-aggregate';
import { positionAggregate } from '../domain/position/position-aggregate';
import { Metrics } from '../observability/metrics';
import { CommandHandling, CommandOutcome } from './command-handling';

/** The outcome, with the context the command was decided in (for a duplicate: the context now). */
export type AggregateOutcome<S> = CommandOutcome<EventOf<S>, StateOf<S>> & { context: ContextOf<S> };

/** Reads that are no stream's state: provided by the module that keeps them. */
export type ProvidedRead = 'activePools' | 'acceptedPrices' | 'detectedLiquidation';

export interface ExecuteOptions {
  /** Reads answered for this command alone (the prover's detected liquidation). */
  reads?: Partial<StoreLookup>;
  /** The command starts the aggregate's stream: decided at once on the initial state (see HandleOptions.newStream). */
  newStream?: boolean;
}

@Injectable()
export class AggregateCommands {
  private readonly provided: Partial<Pick<StoreLookup, ProvidedRead>> = {};
  private readonly lookup: StoreLookup;

  constructor(
    private readonly handling: CommandHandling,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    // What decisions consult and never change (pools, feeds, the settings) is followed from the live
    // feed, so a decision reads it without a round trip; what a command changes is guarded by its own
    // stream's expected revision.
    for (const spec of [poolAggregate, feedAggregate, globalLiquidationCapAggregate] as AnyAggregateSpec[]) handling.follow(spec.streamOf(''), spec.decider, spec.codec);
    this.lookup = {
      pool: (poolId) => this.state(poolAggregate, poolId),
      feed: (feed) => this.state(feedAggregate, feed),
      position: (positionId) => this.state(positionAggregate, positionId),
      globalLiquidationCap: () => this.state(globalLiquidationCapAggregate, GLOBAL_LIQUIDATION_CAP_ID),
      activePools: () => this.providedRead('activePools')(),
      acceptedPrices: (feed) => this.providedRead('acceptedPrices')(feed),
      detectedLiquidation: (liquidationId) => this.providedRead('detectedLiquidation')(liquidationId),
    };
  }

  /** A module that keeps a read no stream answers provides it here (every active pool, a feed's accepted prices). */
  provide<K extends ProvidedRead>(name: K, answer: StoreLookup[K]): void {
    this.provided[name] = answer;
  }

  /** The state of an aggregate's stream: from the followed snapshots (pools, feeds, the settings) while the feed is live, read otherwise. */
  async state<S extends AnyAggregateSpec>(spec: S, id: string): Promise<StateOf<S>> {
    return (await this.handling.current(spec.streamOf(id), spec.decider, spec.codec)).state;
  }

  /** Reads the ledger now as a decision would (a position's view is shown in the context its next command would see). */
  read<T>(reads: (now: bigint) => Reads<T>): Promise<T> {
    return contextFromStore(reads(unixSeconds(this.clock.now())), this.lookup);
  }

  /** Runs a command on the aggregate `id`: decided against its context, appended under its stream's revision. */
  execute<S extends AnyAggregateSpec>(spec: S, id: string, commandId: string, request: RequestOf<S>, options: ExecuteOptions = {}): Promise<AggregateOutcome<S>> {
    const at = this.clock.now();
    const now = unixSeconds(at);
    const command = spec.issue(request, { now, salt: freshSalt });
    const lookup = options.reads ? { ...this.lookup, ...options.reads } : this.lookup;
    const contextOf = (state: StateOf<S>) => contextFromStore(spec.contextOf(command, state, { id, now }), lookup) as Promise<ContextOf<S>>;
    let context: ContextOf<S> | undefined;
    return this.metrics.observeCommand(request.type, async () => {
      const outcome = await this.handling.handle(spec.streamOf(id), spec.decider, spec.codec, command, {
        commandId,
        now: at,
        context: async (state) => (context = await contextOf(state)),
        newStream: options.newStream,
      });
      // A duplicate is answered without deciding, so without a context yet.
      return { ...outcome, context: context ?? (await contextOf(outcome.state)) } as AggregateOutcome<S>;
    });
  }

  /**
   * Decides a command on the aggregate's current state without appending: throws its refusal, or
   * answers the events it would append now (a claim checked before costly work, such as verifying a proof).
   */
  async check<S extends AnyAggregateSpec>(spec: S, id: string, request: RequestOf<S>): Promise<EventOf<S>[]> {
    const now = unixSeconds(this.clock.now());
    const command = spec.issue(request, { now, salt: freshSalt });
    const { state } = await this.handling.load(spec.streamOf(id), spec.decider, spec.codec);
    return spec.decider.decide(command, state, await contextFromStore(spec.contextOf(command, state, { id, now }), this.lookup));
  }

  private providedRead<K extends ProvidedRead>(name: K): StoreLookup[K] {
    const answer = this.provided[name];
    if (!answer) throw new Error(`no module provides the read ${name}`);
    return answer as StoreLookup[K];
  }
}

/** A command for the bus: any aggregate's, by its spec. */
export class ExecuteCommand<S extends AnyAggregateSpec = AnyAggregateSpec> extends Command<AggregateOutcome<S>> {
  constructor(
    readonly aggregate: S,
    readonly id: string,
    readonly commandId: string,
    readonly request: RequestOf<S>,
    readonly options: ExecuteOptions = {},
  ) {
    super();
  }
}

@CommandHandler(ExecuteCommand)
export class ExecuteCommandHandler implements ICommandHandler<ExecuteCommand, AggregateOutcome<AnyAggregateSpec>> {
  constructor(private readonly commands: AggregateCommands) {}

  execute({ aggregate, id, commandId, request, options }: ExecuteCommand): Promise<AggregateOutcome<AnyAggregateSpec>> {
    return this.commands.execute(aggregate, id, commandId, request, options);
  }
}

/** A uniformly drawn non-zero field element: the salt that makes each commitment unlinkable. */
export function freshSalt(): bigint {
  for (;;) {
    const salt = BigInt('0x' + randomBytes(32).toString('hex')) >> 2n;
    if (salt !== 0n && salt < FIELD_MODULUS) return salt;
  }
}
