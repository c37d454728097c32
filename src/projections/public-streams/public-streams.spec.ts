/**
 * The public views over generated histories (made by the ledger's own deciders, several seeds): no
 * amount of any position appears in any public event, raw or as a decimal, and no field names one;
 * no sum of a pool appears either (total collateral, total debt, reserve, socialized loss: with few
 * positions, a pool's totals are one position's amounts), and a pool's public state carries only its
 * size-free fields; every position event the views publish names the position by id and commitment only.
 */
import { loadCrypto } from '../../domain/crypto/crypto';
import { unixSeconds } from '../../clock/clock';
import { decodeStored } from '../../eventstore/event-codec';
import { ledgerEventCodec } from '../../domain/events';
import { indexAt } from '../../domain/interest/stability-fee';
import { formatDecimal } from '../../domain/math/decimal';
import { poolDecider, PoolEvent, PoolState } from '../../domain/pool/pool';
import { PositionEvent } from '../../domain/position/position';
import { debtOf } from '../../domain/risk/liquidation-rule';
import { syntheticHistory, SYNTHETIC_POOL } from '../../../bench/support/synthetic-history';
import { PublicEvent, PublicStreams } from './public-streams';
import { poolStateStream } from './public-stream-protocol';

/** Amount fields of position events, and the decimals each is shown with (collateral WETH 18, debt USDC 6). */
const AMOUNT_FIELDS: Record<string, number[]> = {
  amount: [18, 6],
  collateral: [18],
  scaledDebt: [27, 6],
  collateralReturned: [18],
  collateralSold: [18],
  debtRepaid: [6],
  badDebt: [6],
};
/**
 * Public counters, times, the borrow index (1 at the start), a feed's quorum and heartbeat, and the pool's
 * parameters a proof states (threshold, token decimals): a whole amount ("1" WETH, "6" USDC) may equal
 * one by chance.
 */
const COUNTERS = ['round', 'priceRound', 'openPositions', 'at', 'deadline', 'borrowIndex', 'quorum', 'heartbeatSeconds', 'thresholdBps', 'collateralDecimals', 'debtDecimals'];
const POOL_SUMS = ['totalCollateral', 'totalDebt', 'reserve', 'socializedLoss'];
const FORBIDDEN_FIELDS = ['amount', 'collateral', 'scaledDebt', 'debt', 'lot', 'tab', 'raised', 'sold', 'paid', 'bid', 'debtToCover', 'penalty', ...POOL_SUMS];
/** All a pool's public state may carry; `price` and `priceRound` only once the feed has a price. */
const POOL_STATE_FIELDS = ['poolId', 'price', 'priceRound', 'liquidationsPaused', 'borrowIndex', 'openPositions', 'at'];
/** Amounts worth hiding are not small (a round, a count, a reserve still at 0 are everywhere). */
const SMALL = 1_000n;

beforeAll(() => loadCrypto());

describe('the public views over a generated history', () => {
  it.each([3, 17, 29])('never carry a position’s amount, nor a pool’s sum (seed %i)', async (seed) => {
    const views = new PublicStreams();
    const published: PublicEvent[] = [];
    const amounts = new Set<string>();
    /** Every value the pool's sums took when a state was published, raw and as decimals. */
    const sums = new Set<string>();
    const addSum = (value: bigint, decimals: number[]) => {
      if (value < SMALL) return;
      sums.add(value.toString());
      for (const d of decimals) sums.add(formatDecimal(value, d));
    };
    // The pool as the ledger knows it, and its positions' running totals, alongside the views.
    let pool: PoolState = poolDecider.initialState();
    const balances = new Map<string, { collateral: bigint; scaledDebt: bigint; open: boolean }>();
    const noProofs = async () => {
      throw new Error('this history has no proof-triggered liquidations');
    };
    for await (const append of syntheticHistory({ positions: 150, eventsPerPosition: 5, liquidations: 0, detected: 6, positionsPerRound: 20, seed }, noProofs)) {
      for (const e of append.events) {
        const event = decodeStored(ledgerEventCodec, e);
        const at = unixSeconds(new Date(e.metadata.at));
        const derived = views.apply(append.stream, event, at);
        published.push(...derived);
        if (append.stream.startsWith('pool-')) pool = poolDecider.evolve(pool, event as PoolEvent);
        if (append.stream.startsWith('position-')) {
          const p = event as PositionEvent;
          balances.set(append.stream, { collateral: p.collateral, scaledDebt: p.scaledDebt, open: p.type !== 'PositionClosed' });
          for (const [field, decimals] of Object.entries(AMOUNT_FIELDS)) {
            const value = (event as unknown as Record<string, unknown>)[field];
            if (typeof value !== 'bigint' || value < SMALL) continue;
            amounts.add(value.toString());
            for (const d of decimals) amounts.add(formatDecimal(value, d));
          }
        }
        // What the pool's sums were whenever its state was published (the total debt with interest to then).
        if (pool.status !== 'active') continue;
        for (const state of derived.filter((d) => d.type === 'PoolStateChanged')) {
          const all = [...balances.values()];
          const collateral = all.reduce((sum, b) => sum + b.collateral, 0n);
          const scaledDebt = all.reduce((sum, b) => sum + b.scaledDebt, 0n);
          const when = BigInt(state.data.at as number);
          addSum(collateral, [18]);
          addSum(scaledDebt, [27]);
          addSum(debtOf(scaledDebt, indexAt(pool.interest, when > pool.interest.at ? when : pool.interest.at)), [6]);
          addSum(pool.reserve, [6]);
          addSum(pool.socializedLoss, [6]);
        }
      }
    }
    expect(amounts.size).toBeGreaterThan(500);
    expect(sums.size).toBeGreaterThan(20);
    expect(published.filter((e) => e.type === 'LiquidationTriggered')).toHaveLength(6);
    const states = published.filter((e) => e.type === 'PoolStateChanged');
    expect(states.length).toBeGreaterThan(5);
    const values = new Set(published.flatMap((e) => Object.entries(e.data).filter(([k]) => !COUNTERS.includes(k)).map(([, v]) => String(v))));
    expect([...amounts].filter((a) => values.has(a))).toEqual([]);
    expect([...sums].filter((s) => values.has(s))).toEqual([]);
    expect(published.flatMap((e) => Object.keys(e.data)).filter((k) => FORBIDDEN_FIELDS.includes(k))).toEqual([]);
    for (const e of published.filter((p) => 'positionId' in p.data)) {
      expect(Object.keys(e.data).sort()).toEqual(expect.arrayContaining(['positionId', 'commitment', 'healthBand']));
    }
    // A pool's state is its size-free fields, and they are right.
    for (const e of states) {
      expect(e.stream).toBe(poolStateStream(SYNTHETIC_POOL));
      expect(POOL_STATE_FIELDS).toEqual(expect.arrayContaining(Object.keys(e.data)));
      expect(e.data).toMatchObject({ poolId: SYNTHETIC_POOL, liquidationsPaused: expect.any(Boolean), borrowIndex: expect.stringMatching(/^\d+(\.\d+)?$/), openPositions: expect.any(Number), at: expect.any(Number) });
    }
    expect(states.filter((e) => 'price' in e.data).length).toBeGreaterThan(5);
    const last = states[states.length - 1].data;
    expect(last.openPositions).toBe([...balances.values()].filter((b) => b.open).length);
    expect(Number(last.borrowIndex)).toBeGreaterThan(1);
  });
});
