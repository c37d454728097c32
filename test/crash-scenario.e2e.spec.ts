/**
 * The market-crash scenario, small: a pool of positions, a signed price path falling 40%, keepers
 * taking at the auctions. After the engine settles, no position stays below health factor 1 without
 * a liquidation under way; the summary, recomputed from the history alone, balances (collateral sold
 * is what takers got, bad debt is what the reserve covered plus what was socialized); and the history
 * passes a full audit, liquidations, reservations, settlements and accounting re-decided.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { Auditor } from '../src/audit/auditor';
import { HistoryEvent, readStore } from '../src/audit/history';
import { CrashProgress, runCrash } from '../src/simulation/crash-scenario';
import { summarizeCrash } from '../src/simulation/crash-summary';
import { chainHash } from '../src/eventstore/event-codec';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';

let ledger: RunningLedger;
/** Who checks the outcome: an auditor reads pools, liquidations and auctions. */
let auditor: Actor;
let history: HistoryEvent[];
let run: { poolId: string; feed: string };
/** What the scenario told of its progress. */
const progress: CrashProgress[] = [];

beforeAll(async () => {
  ledger = await startLedger();
  run = await runCrash({ url: ledger.url, adminKey: ledger.admin.apiKey, positions: 60, drop: 0.4, rounds: 4, roundSeconds: 1, keeperMargin: 0.02, runId: 'test', log: () => undefined, progress: (p) => void progress.push(p) });
  // Let the last accounting land before reading the history.
  await new Promise((resolve) => setTimeout(resolve, 500));
  history = [];
  for await (const e of readStore(ledger.app.get(EventStoreDBClient))) history.push(e);
  auditor = await ledger.principal('auditor-1', 'auditor');
}, 180_000);

afterAll(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('a market crash', () => {
  it('leaves no position below the line without a liquidation under way, and no auction unfinished', async () => {
    const pool = await ledger.as(auditor)('GET', `/pools/${run.poolId}`);
    const under = await ledger.as(auditor)('GET', `/liquidations?poolId=${run.poolId}`);
    expect(pool.status).toBe(200);
    expect(under.status).toBe(200);
    expect(pool.body.healthBands.liquidatable).toBe(under.body.length);
    const auctions = await ledger.as(auditor)('GET', `/auctions?poolId=${run.poolId}`);
    expect(auctions.status).toBe(200);
    expect(Array.isArray(auctions.body)).toBe(true);
    expect(auctions.body.filter((a: { status: string }) => a.status === 'running')).toEqual([]);
  });

  it('tells its progress: each round, then the clearing, to the end', () => {
    expect(progress.map((p) => p.steps)).toEqual(progress.map(() => 5));
    expect(progress.slice(0, 4).map((p) => [p.step, p.status.split(':')[0]])).toEqual([[1, 'round 2'], [2, 'round 3'], [3, 'round 4'], [4, 'round 5']]);
    expect(progress.slice(4, -1).every((p) => p.step === 4 && p.status.startsWith('clearing: '))).toBe(true);
    expect(progress.at(-1)).toEqual({ step: 5, steps: 5, status: 'cleared' });
  });

  it('is summarized from its history, and the numbers balance', () => {
    const s = summarizeCrash(history, run.poolId, run.feed);
    expect(s.positions).toBe(60);
    expect(s.positionsLiquidated).toBeGreaterThan(10);
    expect(s.auctionsSettled).toBe(s.liquidations);
    expect(s.recovered).toBe(s.debtRepaid + s.penaltiesCollected);
    // Every settlement is accounted for once the engine has settled: the bad debt is what the reserve covered and the lenders bore.
    expect(s.badDebtNotYetAccounted).toBe(0n);
    expect(s.badDebt).toBe(s.coveredByReserve + s.socializedBadDebt);
    expect(s.socialized).toBe(s.socializedBadDebt + s.unpaidKeeperRewards);
    expect(s.priceToTriggerMs).toHaveLength(s.liquidations);
  });

  it('passes a full audit of its history', async () => {
    const report = await new Auditor().run((async function* () { yield* history; })());
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.pools.find((p) => p.poolId === run.poolId)?.liquidations).toBe(summarizeCrash(history, run.poolId, run.feed).liquidations);
  });

  it('names a take whose price was bent, even with its own link recomputed', async () => {
    const copy = structuredClone(history);
    const i = copy.findIndex((e) => e.type === 'CollateralTaken');
    const data = copy[i].data as { paid: string };
    // The taker paid less than the curve's price asked for.
    data.paid = (BigInt(data.paid) - 1_000_000n).toString();
    const meta = copy[i].metadata as { schemaVersion: number; commandId: string; at: string; prevHash: string; hash: string };
    meta.hash = chainHash(meta.prevHash, copy[i].stream, copy[i].revision, copy[i].type, copy[i].data, meta);
    const report = await new Auditor().run((async function* () { yield* copy; })());
    expect(report.ok).toBe(false);
    expect(report.failures).toContainEqual(expect.objectContaining({ code: 'RESULT_DIFFERS', stream: copy[i].stream, revision: copy[i].revision.toString() }));
  });
});
