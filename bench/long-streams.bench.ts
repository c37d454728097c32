/**
 * Issue 19's flat cost as streams grow: a command on a stream with a long history against the same
 * command on a fresh one (target ≤ 1.2×). A draw on a position with 30,000 prior commands, and an
 * oracle's report on a feed with 100,000 rounds, through the ledger's command path on the embedded
 * store, pools and feeds followed as the ledger follows them. The store runs in this process, so the
 * CPU per command is the command path's and the store's together.
 *
 * The histories are written as the ledger writes them (each command's events with its metadata and
 * signed chain links, by chainedEvents), many commands to an append to save time; the command path
 * signs what it appends and checks every link it folds, as the live ledger does. The position's commands are
 * decided by its decider; the feed's rounds are written as events, each report carrying the first
 * round's signature, since signing 100,000 reports would take the bench about an hour and folding a
 * feed does not check signatures (its decider checks them as each report arrives).
 *
 * Also the cold start: the first command once a stream's state is no longer cached, which reads its
 * whole history. BENCH_LONG_COMMANDS and BENCH_LONG_ROUNDS size the histories down.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { unixSeconds } from '../src/clock/clock';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { Decider } from '../src/domain/decider';
import { EventCodec, ledgerEventCodec } from '../src/domain/events';
import { WAD } from '../src/domain/math/fixed-point';
import { FeedCommand, feedDecider, FeedEvent, FeedState, feedStream, priceAt } from '../src/domain/oracle/feed';
import { activePool, poolDecider, PoolParameters, PoolState, poolStream } from '../src/domain/pool/pool';
import { PositionCommand, PositionContext, positionDecider, PositionEvent, PositionState, positionStream } from '../src/domain/position/position';
import { startEmbeddedEventStore } from '../src/eventstore/embedded';
import { chainedEvents, CommandHandling } from '../src/eventstore/command-handling';
import { LedgerSigning } from '../src/eventstore/ledger-signing';
import { Quarantine } from '../src/eventstore/quarantine';
import { freshSalt } from '../src/eventstore/aggregate-commands';
import { signReport, testOracle } from '../src/zk/testing';
import { Benchmark, BenchRow, fmt } from './bench';
import { ownCpuSeconds } from './support/proc';

const PRIOR_COMMANDS = Number(process.env.BENCH_LONG_COMMANDS ?? 30_000);
const PRIOR_ROUNDS = Number(process.env.BENCH_LONG_ROUNDS ?? 100_000);
/** Commands measured on each stream, in alternating bursts so both see the same machine. */
const MEASURED = 400;
const BURST = 50;
/** Reports are signed ahead of the timing (about 30 ms each), so fewer of them. */
const MEASURED_REPORTS = 120;
const REPORT_BURST = 20;

const positionCodec = ledgerEventCodec as EventCodec<PositionEvent>;
const feedCodec = ledgerEventCodec as EventCodec<FeedEvent>;
const poolCodec = ledgerEventCodec as EventCodec<Parameters<typeof poolDecider.evolve>[1]>;
const OWNER = 'borrower';
const PARAMETERS: PoolParameters = {
  maxLtvBps: 7500n, liquidationThresholdBps: 8250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1000n,
  closeFactorBps: 5000n, fullCloseHealthFactor: 95n * 10n ** 16n, dustLimit: 0n, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 5n * 10n ** 16n,
};
const PRICE = 2_000n * WAD;

/** Appends commands' events to a stream as the command path would, `perAppend` commands at a time; answers where the stream ends. */
async function writeHistory<Event>(
  client: EventStoreDBClient,
  signing: LedgerSigning,
  stream: string,
  codec: EventCodec<Event>,
  after: { revision: bigint; lastHash: string },
  commands: number,
  eventsOf: (i: number) => Event[],
  perAppend: number,
): Promise<void> {
  let { revision, lastHash } = after;
  for (let first = 0; first < commands; first += perAppend) {
    const batch = [];
    const expected = revision;
    for (let i = first; i < Math.min(commands, first + perAppend); i++) {
      const events = eventsOf(i);
      const chained = await signing.signing(async (sign) => chainedEvents(stream, { revision, lastHash }, events, codec, { commandId: `${stream}-history-${i}`, at: new Date() }, sign));
      batch.push(...chained.toAppend);
      revision += BigInt(events.length);
      lastHash = chained.lastHash;
    }
    await client.appendToStream(stream, batch, { expectedRevision: expected });
  }
}

interface Sample {
  commands: number;
  seconds: number;
  cpuSeconds: number;
}

/**
 * Runs `command` on each of two streams in alternating bursts, after a first burst on each that is not
 * counted (both streams' states are read, the code is warm); answers the time and CPU each took. The
 * command gets how many commands its stream has had from here.
 */
async function alternate(count: number, burst: number, command: (which: 0 | 1, n: number) => Promise<unknown>): Promise<[Sample, Sample]> {
  const sent = [0, 0];
  const next = (which: 0 | 1) => command(which, sent[which]++);
  for (const which of [0, 1] as const) for (let i = 0; i < burst; i++) await next(which);
  const samples: [Sample, Sample] = [
    { commands: 0, seconds: 0, cpuSeconds: 0 },
    { commands: 0, seconds: 0, cpuSeconds: 0 },
  ];
  for (let done = 0; done < count; done += burst) {
    // Whichever goes first pays for the switch: they take turns at it.
    for (const which of (done / burst) % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const)) {
      const cpu = ownCpuSeconds();
      const started = performance.now();
      for (let i = done; i < Math.min(count, done + burst); i++) await next(which);
      samples[which].seconds += (performance.now() - started) / 1000;
      samples[which].cpuSeconds += ownCpuSeconds() - cpu;
      samples[which].commands += Math.min(count, done + burst) - done;
    }
  }
  return samples;
}

/** Times one call: its wall time and this process's CPU, in milliseconds. */
async function once(call: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  const cpu = ownCpuSeconds();
  const started = performance.now();
  await call();
  return { ms: performance.now() - started, cpuMs: (ownCpuSeconds() - cpu) * 1000 };
}

function compare(work: string, [long, fresh]: [Sample, Sample]): BenchRow {
  const cpuMicros = (s: Sample) => (s.cpuSeconds * 1e6) / s.commands;
  const rate = (s: Sample) => s.commands / s.seconds;
  const ratio = cpuMicros(long) / cpuMicros(fresh);
  return {
    work,
    value: `long ${fmt(rate(long), 0)}/s at ${fmt(cpuMicros(long), 0)} µs CPU each; fresh ${fmt(rate(fresh), 0)}/s at ${fmt(cpuMicros(fresh), 0)} µs CPU each; ${fmt(ratio, 2)}× the CPU, ${fmt(rate(fresh) / rate(long), 2)}× the time`,
    target: '≤ 1.2×',
    met: ratio <= 1.2 ? 'yes' : 'no',
  };
}

export const longStreamsBenchmark: Benchmark = {
  name: 'long-streams',
  title: `a draw on a position with ${fmt(PRIOR_COMMANDS, 0)} prior commands and a report on a feed with ${fmt(PRIOR_ROUNDS, 0)} rounds, each against a fresh stream (issue 19 targets)`,
  async run(): Promise<BenchRow[]> {
    await loadCrypto();
    const oracle = testOracle('long-streams');
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-long-streams-'));
    const store = await startEmbeddedEventStore({ dataDir: dir, insecure: true });
    const client = EventStoreDBClient.connectionString(store.connectionString);
    const signing = await LedgerSigning.open(client, path.join(dir, 'ledger-key.pem'));
    const ledger = () => {
      const handling = new CommandHandling(client, undefined, new Quarantine(signing.keys), signing);
      handling.follow('pool-', poolDecider, poolCodec);
      handling.follow('oracle-', feedDecider, feedCodec);
      return handling;
    };
    let handling = ledger();
    try {
      await handling.startFollowing();
      let seq = 0;
      const at = () => new Date();
      const run = <S, C, E, X>(h: CommandHandling, stream: string, decider: Decider<S, C, E, X>, codec: EventCodec<E>, command: C, context: (s: S) => Promise<X> | X) =>
        h.handle(stream, decider, codec, command, { commandId: `c-${++seq}`, now: at(), context });
      const feedCommand = (h: CommandHandling, feed: string, command: FeedCommand) => run(h, feedStream(feed), feedDecider, feedCodec, command, () => undefined);
      const signed = (feed: string, round: bigint, timestamp: bigint) => {
        const { signature } = signReport(oracle, { feed, round, price: PRICE, timestamp });
        return { type: 'SubmitPriceReport' as const, oracle: 'o1', round, price: PRICE, timestamp, signature, now: timestamp };
      };

      // Two feeds: one with PRIOR_ROUNDS rounds of history, one priced once.
      const now = unixSeconds(at());
      for (const feed of ['LONG-USD', 'FRESH-USD']) {
        await feedCommand(handling, feed, { type: 'RegisterFeed', feed, quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 2000n, maxFutureSkewSeconds: 30 });
        await feedCommand(handling, feed, { type: 'RegisterOracleKey', oracle: 'o1', publicKey: oracle.key });
      }
      const historyStart = now - BigInt(PRIOR_ROUNDS) - 10n;
      const first = signed('LONG-USD', 1n, historyStart + 1n);
      const longFeed = await handling.load(feedStream('LONG-USD'), feedDecider, feedCodec);
      await writeHistory(client, signing, feedStream('LONG-USD'), feedCodec, longFeed, PRIOR_ROUNDS, (i): FeedEvent[] => {
        const round = BigInt(i + 1);
        const timestamp = historyStart + round;
        return [
          { type: 'PriceReportAccepted', oracle: 'o1', round, price: PRICE, timestamp, signature: first.signature, publicKey: oracle.key },
          { type: 'PriceUpdated', round, price: PRICE, at: timestamp, oracles: ['o1'] },
        ];
      }, 250);
      await feedCommand(handling, 'FRESH-USD', signed('FRESH-USD', 1n, now));

      // A pool on the fresh feed, and two positions in it: one with PRIOR_COMMANDS draws and repays behind it.
      await run(handling, poolStream('pool'), poolDecider, poolCodec, { type: 'CreatePool', poolId: 'pool', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'FRESH-USD', parameters: PARAMETERS, now }, () => undefined);
      const contextNow = async (h: CommandHandling): Promise<PositionContext> => {
        const pool: PoolState = (await h.current(poolStream('pool'), poolDecider, poolCodec)).state;
        const feed: FeedState = (await h.current(feedStream(activePool(pool).feed), feedDecider, feedCodec)).state;
        const t = unixSeconds(at());
        return { pool, feed, price: priceAt(feed, t), now: t };
      };
      const position = (h: CommandHandling, id: string, command: PositionCommand) => run(h, positionStream(id), positionDecider, positionCodec, command, () => contextNow(h));
      for (const id of ['long', 'fresh']) {
        await position(handling, id, { type: 'OpenPosition', positionId: id, poolId: 'pool', owner: OWNER, salt: freshSalt() });
        await position(handling, id, { type: 'DepositCollateral', amount: 1_000n * WAD, salt: freshSalt(), by: OWNER });
      }
      const drawOrRepay = (i: number): PositionCommand =>
        i % 2 === 0 ? { type: 'DrawDebt', amount: 10n ** 6n, salt: freshSalt(), by: OWNER } : { type: 'RepayDebt', amount: 10n ** 6n, salt: freshSalt(), by: OWNER };
      const longPosition = await handling.load(positionStream('long'), positionDecider, positionCodec);
      let state: PositionState = longPosition.state;
      const context = await contextNow(handling);
      await writeHistory(client, signing, positionStream('long'), positionCodec, longPosition, PRIOR_COMMANDS, (i) => {
        const events = positionDecider.decide(drawOrRepay(i), state, context);
        state = events.reduce(positionDecider.evolve, state);
        return events;
      }, 500);

      const rows: BenchRow[] = [];
      const ids = ['long', 'fresh'] as const;
      rows.push(compare(`draw or repay, one client: position with ${fmt(PRIOR_COMMANDS, 0)} prior commands vs a fresh one`, await alternate(MEASURED, BURST, (which, i) => position(handling, ids[which], drawOrRepay(i)))));

      const feeds = ['LONG-USD', 'FRESH-USD'] as const;
      const nextRound = [BigInt(PRIOR_ROUNDS) + 1n, 2n];
      const reports = feeds.map((feed, which) => Array.from({ length: MEASURED_REPORTS + REPORT_BURST + 1 }, (_, i) => signed(feed, nextRound[which] + BigInt(i), unixSeconds(at()))));
      rows.push(compare(`oracle report, one client: feed with ${fmt(PRIOR_ROUNDS, 0)} rounds vs a fresh one`, await alternate(MEASURED_REPORTS, REPORT_BURST, (which, i) => feedCommand(handling, feeds[which], reports[which][i]))));

      // Cold again: a ledger that has not yet read these streams (as after a restart).
      await handling.stopFollowing();
      handling = ledger();
      await handling.startFollowing();
      const coldReport = [];
      for (const [which, feed] of feeds.entries()) coldReport.push(await once(() => feedCommand(handling, feed, reports[which][MEASURED_REPORTS + REPORT_BURST])));
      const coldDrawAfterRestart = [];
      for (const id of ids) coldDrawAfterRestart.push(await once(() => position(handling, id, drawOrRepay(MEASURED + BURST))));
      const cold = (work: string, [long, fresh]: { ms: number; cpuMs: number }[]) => ({
        work,
        value: `long ${fmt(long.ms, 0)} ms (${fmt(long.cpuMs, 0)} ms CPU); fresh ${fmt(fresh.ms, 0)} ms (${fmt(fresh.cpuMs, 0)} ms CPU)`,
        target: 'not targeted: reads the whole stream once',
        met: '',
      });
      rows.push(cold(`first report after a restart (stream not cached)`, coldReport));
      rows.push(cold(`first draw after a restart (stream not cached)`, coldDrawAfterRestart));
      return rows;
    } finally {
      await handling.stopFollowing();
      await client.dispose();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
