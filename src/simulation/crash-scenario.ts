/**
 * The market-crash scenario, driven against a running ledger over its HTTP API as its users would:
 * oracles sign a price path that falls by a given share in a few minutes (or less, compressed), a
 * pool holds thousands of positions borrowed at random loan-to-values, and keepers watch the auctions
 * and take collateral once it is offered below the market by their margin. The ledger detects,
 * auctions, settles and accounts on its own; the scenario only prices, borrows and bids.
 */
import { randomInt } from 'node:crypto';
import { ledgerApi, LedgerTarget } from '../cli/ledger-api';
import { generateOracleKey, OracleKeyPair, signReport } from '../oracle/report-signing';

export interface CrashOptions {
  url: string;
  /** An admin's key: the scenario registers its oracles, borrowers and keepers as principals. */
  adminKey: string;
  positions: number;
  /** The share the price falls over the path (0.4 = 40%). */
  drop: number;
  /** Price rounds along the path, and the seconds between them. */
  rounds: number;
  roundSeconds: number;
  /** Keepers take when the auction price is at least this share under the oracle price (0.02 = 2%). */
  keeperMargin: number;
  /** Ids are prefixed with it, so runs can share a store. */
  runId: string;
  log: (line: string) => void;
  /** Told after each price round and while the auctions clear: `step` of `steps` (the rounds, then the clearing). */
  progress?: (p: CrashProgress) => void;
}

export interface CrashProgress {
  step: number;
  steps: number;
  status: string;
}

/** How long the scenario waits at most, after the last round, for the auctions to clear. */
export const CLEARING_SECONDS = 120;

export const CRASH_START_PRICE = 2000;

interface AuctionJson {
  auctionId: string;
  status: string;
  lot: string;
  sold: string;
  price: string;
  needsReset: boolean;
}

export async function runCrash(o: CrashOptions): Promise<{ poolId: string; feed: string }> {
  const feed = `ETH-USD-${o.runId}`;
  const poolId = `crash-${o.runId}`;
  const admin: LedgerTarget = { url: o.url, apiKey: o.adminKey };
  const post = <T = unknown>(as: LedgerTarget, path: string, body: unknown) => ledgerApi<T>(as, 'POST', path, body);
  /** Registers a principal of the run and answers how to call as it. */
  const principal = async (id: string, role: string, feeds: string[] = []): Promise<LedgerTarget & { id: string }> => {
    const { apiKey } = await post<{ apiKey: string }>(admin, '/principals', { commandId: `${id}-principal`, principalId: id, role, feeds });
    return { url: o.url, apiKey, id };
  };
  const oracles = await Promise.all(['a', 'b', 'c'].map(async (name) => ({ ...(await principal(`${o.runId}-oracle-${name}`, 'oracle', [feed])), ...generateOracleKey() })));
  let oraclePrice = CRASH_START_PRICE;
  const publish = async (round: number, price: number) => {
    const text = price.toFixed(2);
    // A quorum of two: the median of their reports is the price.
    for (const oracle of oracles.slice(0, 2)) await post(oracle, `/feeds/${feed}/reports`, { commandId: `${feed}-${oracle.id}-${round}`, oracle: oracle.id, ...sign(oracle, feed, round, text) });
    oraclePrice = price;
  };

  o.log(`feed ${feed}, pool ${poolId}: ${o.positions} positions`);
  // The deviation limit is wide: a crash must not pause liquidations.
  await post(admin, '/feeds', { commandId: `${feed}-feed`, feed, quorum: 2, heartbeatSeconds: 3600, deviationLimitBps: 5000, maxFutureSkewSeconds: 30 });
  for (const oracle of oracles) await post(admin, `/feeds/${feed}/oracles`, { commandId: `${feed}-${oracle.id}`, oracle: oracle.id, publicKey: oracle.publicKey });
  await publish(1, CRASH_START_PRICE);
  await post(admin, '/pools', {
    commandId: `${poolId}-pool`, poolId, collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed,
    parameters: {
      maxLtvBps: 7500, liquidationThresholdBps: 8250, liquidationPenaltyBps: 500, liquidatorBonusBps: 300, protocolFeeBps: 1000, closeFactorBps: 5000,
      fullCloseHealthFactor: '0.95', dustLimit: '10', liquidationCollateralCap: '100000', stabilityFeeYearly: '0.05',
      // A crash wants quick auctions: 1% a second, smoothly, from 5% above the oracle.
      auction: { curve: 'exponential', cutBps: 100, stepSeconds: 1, bufferBps: 10500, resetAfterSeconds: 120, resetBelowBps: 5000 },
    },
  });

  // Borrowers, one per lane: 0.5 to 5 WETH a position, drawn to 40-74% loan-to-value at the starting price.
  const lanes = 16;
  const borrowers = await Promise.all(Array.from({ length: lanes }, (_, lane) => principal(`${o.runId}-borrower-${lane}`, 'borrower')));
  let opened = 0;
  await inParallel(o.positions, lanes, async (i, lane) => {
    const id = `${o.runId}-p${i}`;
    const borrower = borrowers[lane];
    const collateral = randomInt(50, 501) / 100;
    const debt = Math.floor(collateral * CRASH_START_PRICE * (randomInt(4000, 7401) / 10_000));
    await post(borrower, '/positions', { commandId: `${id}-open`, positionId: id, poolId });
    await post(borrower, `/positions/${id}/collateral/deposit`, { commandId: `${id}-deposit`, amount: collateral.toFixed(2) });
    await post(borrower, `/positions/${id}/debt/draw`, { commandId: `${id}-draw`, amount: String(debt) });
    if (++opened % 500 === 0) o.log(`${opened} positions open`);
  });

  // Keepers: each round of theirs takes what is offered under the market by their margin, and resets what went stale.
  let keeping = true;
  const keeper = async (keeper: LedgerTarget & { id: string }) => {
    const name = keeper.id;
    while (keeping) {
      const auctions = await ledgerApi<AuctionJson[]>(keeper, 'GET', `/auctions?poolId=${poolId}`);
      for (const a of auctions.filter((x) => x.status === 'running')) {
        try {
          if (a.needsReset) await post(keeper, `/auctions/${a.auctionId}/reset`, { commandId: `${name}-reset-${a.auctionId}-${Date.now()}`, keeper: name });
          // Asking for the whole lot buys what is left of it, up to what is left of the tab.
          else if (Number(a.price) <= oraclePrice * (1 - o.keeperMargin)) await post(keeper, `/auctions/${a.auctionId}/take`, { commandId: `${name}-take-${a.auctionId}-${a.sold}`, taker: name, collateral: a.lot, maxPrice: a.price });
        } catch {
          // Another keeper was first, or the price moved: look again next round.
        }
      }
      await sleep(100);
    }
  };
  const keepers = (await Promise.all([principal(`${o.runId}-keeper-1`, 'liquidator'), principal(`${o.runId}-keeper-2`, 'liquidator')])).map(keeper);

  for (let r = 1; r <= o.rounds; r++) {
    await sleep(o.roundSeconds * 1000);
    const price = CRASH_START_PRICE * (1 - (o.drop * r) / o.rounds);
    await publish(r + 1, price);
    const under = await ledgerApi<unknown[]>(admin, 'GET', `/liquidations?poolId=${poolId}`);
    const status = `round ${r + 1}: ${price.toFixed(2)}, ${under.length} liquidations under way`;
    if (o.progress) o.progress({ step: r, steps: o.rounds + 1, status });
    else o.log(status);
  }
  // Let the auctions clear: until nothing is under way, or two minutes.
  const deadline = Date.now() + CLEARING_SECONDS * 1000;
  let told = 0;
  let left: number | undefined;
  while (Date.now() < deadline) {
    const under = await ledgerApi<unknown[]>(admin, 'GET', `/liquidations?poolId=${poolId}`);
    left = under.length;
    const status = `clearing: ${under.length} liquidations under way (at most ${Math.ceil((deadline - Date.now()) / 1000)} s more)`;
    // Never silent while it waits: the bar moves, or a line every ten seconds.
    if (o.progress) o.progress({ step: o.rounds, steps: o.rounds + 1, status });
    else if (Date.now() - told >= 10_000) {
      o.log(status);
      told = Date.now();
    }
    if (under.length === 0) break;
    await sleep(500);
  }
  o.progress?.({ step: o.rounds + 1, steps: o.rounds + 1, status: left === 0 ? 'cleared' : `stopped waiting: ${left ?? 'some'} liquidations still under way` });
  keeping = false;
  await Promise.all(keepers);
  return { poolId, feed };
}

function sign(oracle: OracleKeyPair, feed: string, round: number, price: string) {
  return signReport(oracle.privateKey, feed, BigInt(round), price, BigInt(Math.floor(Date.now() / 1000)));
}

/** Runs work(i) for i < n on `width` lanes at once; each call is told its lane. */
async function inParallel(n: number, width: number, work: (i: number, lane: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async (_, lane) => {
    for (let i = next++; i < n; i = next++) await work(i, lane);
  }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
