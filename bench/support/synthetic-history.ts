/**
 * A ledger history made by the ledger's own deciders, without the HTTP layer, deterministically from a
 * seed: one oracle feed and one pool, positions opening, depositing, drawing and repaying in bursts
 * between price rounds, then a 20% price drop and a liquidation proof for each position that crossed
 * its threshold. Every event carries its metadata and hash-chain link exactly as the ledger writes
 * them, so the auditor must find it clean. Used by the audit benchmark and the generated-history tests.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { eventId } from '../../src/eventstore/command-handling';
import { chainHash, GENESIS_HASH, LedgerEventMetadata } from '../../src/eventstore/event-codec';
import { LedgerEvent, ledgerEventCodec } from '../../src/domain/events';
import { idToField, FIELD_MODULUS } from '../../src/domain/crypto/crypto';
import { Decider } from '../../src/domain/decider';
import { indexAt } from '../../src/domain/interest/stability-fee';
import { parsePublicSignals } from '../../src/domain/liquidation/public-signals';
import { WAD } from '../../src/domain/math/fixed-point';
import { activeFeed, feedDecider, FeedState, feedStream, priceAt } from '../../src/domain/oracle/feed';
import { activePool, poolDecider, PoolParameters, PoolState, poolStream } from '../../src/domain/pool/pool';
import { PositionCommand, positionDecider, PositionState, positionStream } from '../../src/domain/position/position';
import { LiquidationClaim } from '../../src/zk/witness';
import { signReport, testOracle } from '../../src/zk/testing';

export interface SyntheticOptions {
  /** Positions opened; each appends `eventsPerPosition` events in one burst. */
  positions: number;
  eventsPerPosition: number;
  /** Positions borrowing close to the limit, liquidated (with a proof each) after the price drop. */
  liquidations: number;
  /** Positions after those, also borrowing close to the limit, that the ledger's detection triggers after the drop. */
  detected?: number;
  /** A price round every this many position bursts. */
  positionsPerRound: number;
  seed?: number;
}

/** One append: events to one stream, as the ledger would store them. */
export interface SyntheticAppend {
  stream: string;
  events: { id: string; type: string; data: Record<string, unknown>; metadata: LedgerEventMetadata }[];
}

export type ProveClaim = (claim: LiquidationClaim) => Promise<{ proof: unknown; publicSignals: string[] }>;

/** Position bursts written at once between price rounds (their order among themselves is free). */
const IN_FLIGHT = 64;

/** Appends a history to a store in its order: price and pool commands alone, position bursts between them concurrently. */
export async function writeHistory(client: EventStoreDBClient, appends: AsyncIterable<SyntheticAppend>): Promise<number> {
  let inFlight: Promise<unknown>[] = [];
  let events = 0;
  const append = (a: SyntheticAppend) => client.appendToStream(a.stream, a.events.map((e) => jsonEvent(e)));
  for await (const a of appends) {
    events += a.events.length;
    if (!a.stream.startsWith('position-')) {
      await Promise.all(inFlight);
      inFlight = [];
      await append(a);
      continue;
    }
    inFlight.push(append(a));
    if (inFlight.length >= IN_FLIGHT) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  return events;
}

export const SYNTHETIC_FEED = 'ETH-USD';
export const SYNTHETIC_POOL = 'weth-usdc';
const T0 = 1_790_000_000n;
const PARAMETERS: PoolParameters = {
  maxLtvBps: 7500n, liquidationThresholdBps: 8250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1000n,
  closeFactorBps: 5000n, fullCloseHealthFactor: 95n * 10n ** 16n, dustLimit: 10n * 10n ** 6n, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 5n * 10n ** 16n,
};

/** mulberry32: small, fast, and the same sequence on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function* syntheticHistory(o: SyntheticOptions, prove: ProveClaim): AsyncGenerator<SyntheticAppend> {
  const rnd = random(o.seed ?? 7);
  const salt = () => (BigInt(Math.floor(rnd() * 2 ** 52)) * BigInt(Math.floor(rnd() * 2 ** 52)) * BigInt(Math.floor(rnd() * 2 ** 52)) + 1n) % FIELD_MODULUS;
  const oracle = testOracle('synthetic');
  const chains = new Map<string, { revision: bigint; hash: string }>();
  let now = T0;
  let commandSeq = 0;

  /** Decides a command, folds its events into `state`, and encodes them as the ledger stores them. */
  function run<S, C, E extends LedgerEvent, X>(stream: string, decider: Decider<S, C, E, X>, state: S, command: C, context: X, into: SyntheticAppend['events']): S {
    const commandId = `synthetic-${++commandSeq}`;
    const events = decider.decide(command, state, context);
    for (const [i, event] of events.entries()) {
      const chain = chains.get(stream) ?? { revision: -1n, hash: GENESIS_HASH };
      const { type, schemaVersion, data } = ledgerEventCodec.encode(event);
      const meta = { schemaVersion, commandId, at: new Date(Number(now) * 1000).toISOString() };
      const hash = chainHash(chain.hash, stream, chain.revision + 1n, type, data, meta);
      into.push({ id: eventId(commandId, i, type, data), type, data, metadata: { ...meta, prevHash: chain.hash, hash } });
      chains.set(stream, { revision: chain.revision + 1n, hash });
    }
    return events.reduce(decider.evolve, state);
  }

  let feed: FeedState = feedDecider.initialState();
  let pool: PoolState = poolDecider.initialState();
  const positions = new Map<string, PositionState>();
  const feedAppend = (build: (into: SyntheticAppend['events']) => void): SyntheticAppend => {
    const events: SyntheticAppend['events'] = [];
    build(events);
    return { stream: feedStream(SYNTHETIC_FEED), events };
  };
  let round = 0n;
  let price = 2_000n * WAD;
  const publish = (p: bigint) =>
    feedAppend((into) => {
      round++;
      const report = signReport(oracle, { feed: SYNTHETIC_FEED, round, price: p, timestamp: now });
      feed = run(feedStream(SYNTHETIC_FEED), feedDecider, feed, { type: 'SubmitPriceReport', oracle: 'o1', round, price: p, timestamp: now, signature: report.signature, now }, undefined, into);
    });

  yield feedAppend((into) => {
    feed = run(feedStream(SYNTHETIC_FEED), feedDecider, feed, { type: 'RegisterFeed', feed: SYNTHETIC_FEED, quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 5000n, maxFutureSkewSeconds: 30 }, undefined, into);
    feed = run(feedStream(SYNTHETIC_FEED), feedDecider, feed, { type: 'RegisterOracleKey', oracle: 'o1', publicKey: oracle.key }, undefined, into);
  });
  yield publish(price);
  const poolEvents: SyntheticAppend['events'] = [];
  pool = run(poolStream(SYNTHETIC_POOL), poolDecider, pool, { type: 'CreatePool', poolId: SYNTHETIC_POOL, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: SYNTHETIC_FEED, parameters: PARAMETERS, now }, undefined, poolEvents);
  yield { stream: poolStream(SYNTHETIC_POOL), events: poolEvents };

  for (let p = 0; p < o.positions; p++) {
    if (p > 0 && p % o.positionsPerRound === 0) {
      now += 1n;
      // A random walk of ±0.5% per round, kept near 2,000.
      price = (price * BigInt(995 + Math.floor(rnd() * 11))) / 1000n;
      price = price < 1_950n * WAD ? 1_950n * WAD : price > 2_050n * WAD ? 2_050n * WAD : price;
      yield publish(price);
    }
    now += 1n;
    const positionId = `s${p}`;
    const stream = positionStream(positionId);
    const events: SyntheticAppend['events'] = [];
    const context = { pool, feed, price: priceAt(feed, now), now };
    const command = (c: PositionCommand) => positions.set(positionId, run(stream, positionDecider, positions.get(positionId) ?? positionDecider.initialState(), c, context, events));
    const collateral = BigInt(1 + Math.floor(rnd() * 10)) * WAD;
    // Near the limit for those to be liquidated (72% LTV), comfortable for the rest (20-50%).
    const ltvBps = p < o.liquidations + (o.detected ?? 0) ? 7_200n : BigInt(2_000 + Math.floor(rnd() * 3_000));
    const draw = (((collateral * price) / WAD / 10n ** 12n) * ltvBps) / 10_000n;
    command({ type: 'OpenPosition', positionId, poolId: SYNTHETIC_POOL, owner: `owner-${p}`, salt: salt() });
    command({ type: 'DepositCollateral', amount: collateral, salt: salt() });
    command({ type: 'DrawDebt', amount: draw, salt: salt() });
    for (let k = 3; k < o.eventsPerPosition; k++) {
      command(k % 2 ? { type: 'RepayDebt', amount: 10n ** 6n, salt: salt() } : { type: 'DepositCollateral', amount: 10n ** 15n, salt: salt() });
    }
    yield { stream, events };
  }

  // ETH falls 20%: the positions near the limit cross their threshold, and a keeper proves each.
  now += 1n;
  price = (price * 4n) / 5n;
  yield publish(price);
  now += 1n;
  for (let p = 0; p < o.liquidations; p++) {
    const positionId = `s${p}`;
    const position = positions.get(positionId)!;
    if (position.status !== 'open') throw new Error(`${positionId} is not open`);
    const active = activePool(pool);
    const claim: LiquidationClaim = {
      opening: { collateral: position.collateral, scaledDebt: position.scaledDebt, salt: position.salt },
      roundPrice: { feed: SYNTHETIC_FEED, round, price },
      pool: { thresholdBps: active.parameters.liquidationThresholdBps, collateralDecimals: 18, debtDecimals: 6, borrowIndex: indexAt(active.interest, now) },
      positionId,
      liquidator: 'keeper',
    };
    const { proof, publicSignals } = await prove(claim);
    const signals = parsePublicSignals(publicSignals);
    if (signals.positionId !== idToField(positionId)) throw new Error('the prover answered for another position');
    const events: SyntheticAppend['events'] = [];
    const context = { pool, feed, price: priceAt(activeFeed(feed), now), now };
    positions.set(positionId, run(positionStream(positionId), positionDecider, position, { type: 'TriggerLiquidation', liquidator: 'keeper', proof, publicSignals, signals, proofVerified: true, salt: salt() }, context, events));
    yield { stream: positionStream(positionId), events };
  }
  for (let p = o.liquidations; p < o.liquidations + (o.detected ?? 0); p++) {
    const positionId = `s${p}`;
    const events: SyntheticAppend['events'] = [];
    const context = { pool, feed, price: priceAt(activeFeed(feed), now), now };
    positions.set(positionId, run(positionStream(positionId), positionDecider, positions.get(positionId)!, { type: 'DetectLiquidation', round, salt: salt() }, context, events));
    yield { stream: positionStream(positionId), events };
  }
}
