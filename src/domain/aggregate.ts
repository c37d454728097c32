/**
 * An aggregate as one unit of change: its stream, its rules (the decider), how its events are stored,
 * what its decisions read beyond its own stream, and how recorded events turn back into the command
 * that caused them. The live command path and the auditor both run a command through these same
 * pieces, so a rule about what a decision reads is written once, here in the domain.
 *
 * What a decision reads is a generator of reads (`contextOf`): it yields each read it needs and gets
 * its answer back, so the same pure code runs against the auditor's history in memory (answered at
 * once) and against the live store (answered by a read), and a later read can depend on an earlier one
 * (a position's pool, then that pool's feed).
 */
import { Decider } from './decider';
import { EventCodec } from './events';
import type { DetectedTrigger } from './liquidation/detected-liquidation-proof';
import type { GlobalLiquidationCapState } from './liquidation/global-liquidation-cap';
import type { FeedState } from './oracle/feed';
import type { ActivePool, PoolState } from './pool/pool-state';
import type { AcceptedPrice } from './pool/risk-adjustment';
import type { PositionState } from './position/position';

/** Every read a decision may make of the ledger beyond its own stream. */
export interface ContextLookup {
  pool(poolId: string): PoolState;
  feed(feed: string): FeedState;
  position(positionId: string): PositionState;
  globalLiquidationCap(): GlobalLiquidationCapState;
  /** Every active pool (for what spans pools: the debt under auction under the global cap). */
  activePools(): readonly ActivePool[];
  /** A feed's latest accepted prices, oldest first (what a risk proposal's forecast reads). */
  acceptedPrices(feed: string): readonly AcceptedPrice[];
  /** The liquidation the ledger detected under this id, as its proof must state it. */
  detectedLiquidation(liquidationId: string): DetectedTrigger | undefined;
}

export type ReadName = keyof ContextLookup;
export type ReadArgs<K extends ReadName> = Parameters<ContextLookup[K]>;
export type ReadResult<K extends ReadName> = ReturnType<ContextLookup[K]>;

/** One read a context asks for. */
export type ContextRead = { [K in ReadName]: { name: K; args: ReadArgs<K> } }[ReadName];

/** A context being built: yields reads, receives their answers, returns the context. */
export type Reads<T> = Generator<ContextRead, T, unknown>;

/** Asks for one read: `const pool = yield* read('pool', poolId)`. */
export function* read<K extends ReadName>(name: K, ...args: ReadArgs<K>): Reads<ReadResult<K>> {
  return (yield { name, args } as ContextRead) as ReadResult<K>;
}

/** The same lookup answering by reading a store: each read may take a round trip. */
export type StoreLookup = { [K in ReadName]: (...args: ReadArgs<K>) => ReadResult<K> | Promise<ReadResult<K>> };

/** Builds a context from a lookup that answers at once (the auditor's history in memory). */
export function contextFrom<T>(reads: Reads<T>, lookup: ContextLookup): T {
  let step = reads.next();
  while (!step.done) step = reads.next(answer(lookup, step.value));
  return step.value;
}

/** Builds a context from a lookup that reads the store. */
export async function contextFromStore<T>(reads: Reads<T>, lookup: StoreLookup): Promise<T> {
  let step = reads.next();
  while (!step.done) step = reads.next(await answer(lookup, step.value));
  return step.value;
}

function answer(lookup: ContextLookup | StoreLookup, { name, args }: ContextRead): unknown {
  return (lookup[name] as (...a: unknown[]) => unknown)(...args);
}

/** What the ledger supplies to a command on its own: its time, and a fresh salt for a commitment. */
export interface Supplied {
  /** Ledger time, Unix seconds. */
  now: bigint;
  /** Draws a uniformly random non-zero field element; only position changes call it. */
  salt(): bigint;
}

export interface AggregateSpec<State, Command extends { type: string }, Event, Context, Request extends { type: string } = Command> {
  /** The stream name's prefix before its first dash: `pool` in `pool-eth`. */
  kind: string;
  streamOf(id: string): string;
  decider: Decider<State, Command, Event, Context>;
  codec: EventCodec<Event>;
  /** The command from what a caller asks and what the ledger supplies (its time, a salt). */
  issue(request: Request, supplied: Supplied): Command;
  /** What the decision of `command` on `state` reads beyond its own stream. */
  contextOf(command: Command, state: State, at: { id: string; now: bigint }): Reads<Context>;
  /**
   * The command that appended these events (one command's events on one stream), decided at `now`:
   * what the auditor decides again. Throws a DomainError for events no command appends together.
   * Every ledger aggregate has it (`LedgerAggregateSpec`); a principal's, which the audit does not
   * decide again, has none.
   */
  commandOf?(events: readonly Event[], now: bigint): Command;
}

/** An aggregate of the ledger's record: the auditor decides its commands again. */
export type LedgerAggregateSpec<State, Command extends { type: string }, Event, Context, Request extends { type: string } = Command> = AggregateSpec<State, Command, Event, Context, Request> &
  Required<Pick<AggregateSpec<State, Command, Event, Context, Request>, 'commandOf'>>;

// The table holds specs of every shape; each entry is typed where it is defined.
export type AnyAggregateSpec = AggregateSpec<any, any, any, any, any>;
export type AnyLedgerAggregateSpec = LedgerAggregateSpec<any, any, any, any, any>;

export type StateOf<S> = S extends AggregateSpec<infer State, infer _C, infer _E, infer _X, infer _R> ? State : never;
export type EventOf<S> = S extends AggregateSpec<infer _S, infer _C, infer Event, infer _X, infer _R> ? Event : never;
export type ContextOf<S> = S extends AggregateSpec<infer _S, infer _C, infer _E, infer Context, infer _R> ? Context : never;
export type RequestOf<S> = S extends AggregateSpec<infer _S, infer _C, infer _E, infer _X, infer Request> ? Request : never;

/** A command without the fields the ledger supplies. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A context that reads nothing. */
// Stryker disable next-line BlockStatement: an empty body is equivalent, a generator that ends at once returning undefined either way.
export function* nothingRead(): Reads<undefined> {
  return undefined;
}
