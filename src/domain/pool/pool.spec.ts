/**
 * The pool's own rules: its assets' decimals, its borrow index checkpointed at the old rate before a
 * change, the reservation of a liquidation (its refusals, its terms at the cited round and the index now,
 * the pool's cap reached exactly), an admin's pause, and the accounting of a settled liquidation: the
 * reserve pays the keepers first, then covers bad debt, and what it cannot pay the lenders bear.
 */
import fc from 'fast-check';
import { RAY, WAD } from '../math/fixed-point';
import { FeedState } from '../oracle/feed';
import { PositionState } from '../position/position';
import { perSecondRate, SECONDS_PER_YEAR } from '../interest/stability-fee';
import { refusalOf } from '../testing';
import { noReservations, PoolCommand, PoolContext, poolDecider, PoolParameters, PoolState, poolStream } from './pool';

const T0 = 1_800_000_000n;
const WETH = { symbol: 'WETH', decimals: 18 };
const USDC = { symbol: 'USDC', decimals: 6 };
const parameters: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n, liquidationCollateralCap: 10n * WAD, stabilityFeeYearly: 0n,
};
const create = (changes: Partial<Extract<PoolCommand, { type: 'CreatePool' }>> = {}): PoolCommand => ({
  type: 'CreatePool', poolId: 'p', collateral: WETH, debt: USDC, feed: 'F', parameters, now: T0, ...changes,
});

function run(state: PoolState, command: PoolCommand, context?: PoolContext) {
  const events = poolDecider.decide(command, state, context);
  return { events, state: events.reduce(poolDecider.evolve, state) };
}
const created = (p: PoolParameters = parameters) => run(poolDecider.initialState(), create({ parameters: p })).state;
const active = (state: PoolState) => {
  if (state.status !== 'active') throw new Error('no pool');
  return state;
};

const feed: FeedState = {
  status: 'active', feed: 'F', quorum: 1, heartbeatSeconds: 3_600, deviationLimitBps: 5_000n, maxFutureSkewSeconds: 30, oracles: {}, pending: {},
  price: { value: 1_000n * WAD, round: 1n, at: T0 }, rounds: [{ round: 1n, price: 1_000n * WAD, at: T0, reports: [] }], liquidationsPaused: false,
};
// 1 WETH at 1,000 against 900 USDC: health factor 0.917, under the full close at 0.95: all the debt is
// covered, the tab is 900 + 5% = 945, and the lot is the whole WETH.
const position: PositionState = {
  status: 'open', positionId: 'x', poolId: 'p', owner: 'o', salt: 1n, commitment: 2n, collateral: WAD, scaledDebt: 900n * 10n ** 6n, nullifiers: [],
  liquidation: { by: 'detection', feed: 'F', round: 1n, price: 1_000n * WAD },
};
const reserve = (auctionId = 'x.4', now = T0): PoolCommand => ({ type: 'ReserveLiquidation', auctionId, positionId: 'x', round: 1n, now });

describe('creating a pool', () => {
  it('lives on the stream pool-<id>, and starts with an index of one at the yearly fee’s rate, nothing reserved and nothing lost', () => {
    expect(poolStream('WETH-USDC')).toBe('pool-WETH-USDC');
    const { events, state } = run(poolDecider.initialState(), create({ parameters: { ...parameters, stabilityFeeYearly: WAD / 20n } }));
    expect(events).toEqual([{ type: 'PoolCreated', poolId: 'p', collateral: WETH, debt: USDC, feed: 'F', parameters: { ...parameters, stabilityFeeYearly: WAD / 20n }, ratePerSecond: perSecondRate(WAD / 20n), at: T0 }]);
    expect(state).toEqual({
      status: 'active', poolId: 'p', collateral: WETH, debt: USDC, feed: 'F', parameters: { ...parameters, stabilityFeeYearly: WAD / 20n },
      interest: { index: RAY, at: T0, ratePerSecond: perSecondRate(WAD / 20n) }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: noReservations(), liquidationsPaused: false,
    });
  });

  it('refuses a pool that exists, and asset decimals outside 0..18 or not whole', () => {
    expect(refusalOf(() => run(created(), create()))).toEqual({ code: 'POOL_EXISTS', message: 'pool p already exists' });
    for (const decimals of [-1, 19, 1.5]) {
      for (const assets of [{ collateral: { symbol: 'X', decimals } }, { debt: { symbol: 'X', decimals } }]) {
        expect(refusalOf(() => run(poolDecider.initialState(), create(assets)))).toEqual({ code: 'INVALID_PARAMETERS', message: 'asset decimals must be 0..18', details: { parameter: 'decimals' } });
      }
    }
    for (const decimals of [0, 18]) expect(refusalOf(() => run(poolDecider.initialState(), create({ collateral: { symbol: 'X', decimals }, debt: { symbol: 'Y', decimals } })))).toBeUndefined();
  });
});

describe('the borrow index', () => {
  it('accrues at the pool’s rate, and a change of fee checkpoints it at the old rate before the new one applies', () => {
    const pool = created({ ...parameters, stabilityFeeYearly: WAD / 20n });
    const aYear = T0 + SECONDS_PER_YEAR;
    const accrued = run(pool, { type: 'AccrueInterest', now: aYear });
    const [checkpoint] = accrued.events;
    if (checkpoint.type !== 'InterestAccrued') throw new Error(checkpoint.type);
    // A year at 5%: at most 1.05, and not short of it by more than a billionth.
    expect(checkpoint.index <= (RAY * 105n) / 100n && checkpoint.index > (RAY * 105n) / 100n - RAY / 10n ** 9n).toBe(true);
    expect(active(accrued.state).interest).toEqual({ index: checkpoint.index, at: aYear, ratePerSecond: perSecondRate(WAD / 20n) });

    const changed = run(pool, { type: 'ChangePoolParameters', changes: { stabilityFeeYearly: WAD / 10n, dustLimit: undefined }, now: aYear });
    expect(changed.events).toEqual([
      { type: 'InterestAccrued', index: checkpoint.index, at: aYear },
      // An undefined change is no change: the dust limit stays.
      { type: 'PoolParametersChanged', changes: { stabilityFeeYearly: WAD / 10n }, parameters: { ...parameters, stabilityFeeYearly: WAD / 10n }, ratePerSecond: perSecondRate(WAD / 10n), at: aYear },
    ]);
    expect(active(changed.state).interest).toEqual({ index: checkpoint.index, at: aYear, ratePerSecond: perSecondRate(WAD / 10n) });
    expect(active(changed.state).parameters).toEqual({ ...parameters, stabilityFeeYearly: WAD / 10n });
  });

  it('refuses parameters that break their rules, and a pool that does not exist', () => {
    expect(refusalOf(() => run(created(), { type: 'ChangePoolParameters', changes: { maxLtvBps: 9_000n }, now: T0 }))?.code).toBe('INVALID_PARAMETERS');
    expect(refusalOf(() => run(poolDecider.initialState(), { type: 'AccrueInterest', now: T0 }))).toEqual({ code: 'POOL_NOT_FOUND', message: 'no such pool' });
  });
});

describe('reserving a liquidation', () => {
  it('fixes the terms at the cited round’s price and the index now, and holds the lot under the pool’s cap', () => {
    // A year at 5% makes the 900 of scaled debt 945 (rounded up); at 1,000 that is still under the full close.
    const pool = created({ ...parameters, stabilityFeeYearly: WAD / 20n });
    const later = T0 + SECONDS_PER_YEAR;
    const fresh: FeedState = { ...feed, price: { value: 1_000n * WAD, round: 1n, at: later }, rounds: [{ round: 1n, price: 1_000n * WAD, at: later, reports: [] }] };
    const { events, state } = run(pool, reserve('x.4', later), { position, feed: fresh });
    const [reserved] = events;
    if (reserved.type !== 'LiquidationReserved') throw new Error(reserved.type);
    const index = active(run(pool, { type: 'AccrueInterest', now: later }).state).interest.index;
    const debt = (900n * 10n ** 6n * index + RAY - 1n) / RAY;
    expect(debt).toBe(945n * 10n ** 6n);
    expect(reserved).toEqual({
      type: 'LiquidationReserved', auctionId: 'x.4', positionId: 'x', round: 1n, price: 1_000n * WAD, borrowIndex: index,
      debtToCover: debt, penalty: debt / 20n, tab: debt + debt / 20n, lot: WAD, at: later,
    });
    expect(active(state).collateralUnderAuction).toBe(WAD);
    expect([...active(state).reservations.entries()]).toEqual([['x.4', { positionId: 'x', round: 1n, price: 1_000n * WAD, borrowIndex: index, debtToCover: debt, penalty: debt / 20n, tab: debt + debt / 20n, lot: WAD }]]);
  });

  it('allows reaching the pool’s cap on collateral under auction exactly, and refuses passing it', () => {
    const room = (cap: bigint) => refusalOf(() => run(created({ ...parameters, liquidationCollateralCap: cap }), reserve(), { position, feed }));
    expect(room(WAD)).toBeUndefined();
    expect(room(WAD - 1n)).toEqual({ code: 'LIQUIDATION_CAP_REACHED', message: 'pool p has as much collateral under auction as its cap allows; this liquidation waits for room' });
    // With one WETH already reserved, a second reaches a cap of two exactly.
    const first = run(created({ ...parameters, liquidationCollateralCap: 2n * WAD }), reserve('x.4'), { position, feed }).state;
    expect(refusalOf(() => run(first, reserve('x.5'), { position, feed }))).toBeUndefined();
    const once = run(created({ ...parameters, liquidationCollateralCap: 2n * WAD - 1n }), reserve('x.4'), { position, feed }).state;
    expect(refusalOf(() => run(once, reserve('x.5'), { position, feed }))?.code).toBe('LIQUIDATION_CAP_REACHED');
  });

  it('leaves every state before it as it was: each reservation and each release answers a pool of its own', () => {
    // 200 reservations: past the size of one node of the reservations' tree, so paths are shared and split.
    const ids = Array.from({ length: 200 }, (_, i) => `x.${i}`);
    const states = [created({ ...parameters, liquidationCollateralCap: 1_000n * WAD })];
    for (const id of ids) states.push(run(states.at(-1)!, reserve(id), { position, feed }).state);
    const released = run(states.at(-1)!, { type: 'AccountLiquidation', auctionId: 'x.7', reserveIn: 0n, keeperRewards: 0n, badDebt: 0n, now: T0 }).state;
    states.forEach((state, n) => {
      expect([...active(state).reservations.keys()].sort()).toEqual(ids.slice(0, n).sort());
      expect(active(state).collateralUnderAuction).toBe(BigInt(n) * WAD);
    });
    expect([...active(released).reservations.keys()].sort()).toEqual(ids.filter((id) => id !== 'x.7').sort());
    expect(active(released).reservations.get('x.8')).toEqual(active(states.at(-1)!).reservations.get('x.8'));
    expect(active(released).collateralUnderAuction).toBe(199n * WAD);
  });

  it('refuses without the position, while paused, twice for one auction, and for a position not in liquidation here', () => {
    const pool = created();
    const needsPosition = { code: 'NOT_IN_LIQUIDATION', message: 'reserving a liquidation needs its position' };
    expect(refusalOf(() => run(pool, reserve()))).toEqual(needsPosition);
    expect(refusalOf(() => poolDecider.decide(reserve(), pool, { prices: [] } as never))).toEqual(needsPosition);
    const paused = run(pool, { type: 'PauseLiquidations', now: T0 }).state;
    expect(refusalOf(() => run(paused, reserve(), { position, feed }))).toEqual({ code: 'LIQUIDATIONS_PAUSED', message: 'liquidations in pool p are paused by an admin' });
    const once = run(pool, reserve(), { position, feed }).state;
    expect(refusalOf(() => run(once, reserve(), { position, feed }))).toEqual({ code: 'AUCTION_EXISTS', message: 'auction x.4 is already reserved' });
    const notLiquidated = { code: 'NOT_IN_LIQUIDATION', message: 'the position is not being liquidated' };
    for (const other of [{ status: 'closed' as const }, { positionId: 'y' }, { poolId: 'q' }, { liquidation: undefined }]) {
      expect(refusalOf(() => run(pool, reserve(), { position: { ...position, ...other }, feed }))).toEqual(notLiquidated);
    }
    expect(refusalOf(() => run(pool, reserve(), { position: { ...position, scaledDebt: 0n }, feed }))).toEqual({ code: 'NOTHING_TO_LIQUIDATE', message: 'the position has no debt to cover' });
  });
});

describe('an admin’s pause', () => {
  it('pauses and resumes new auctions, and refuses to do either twice', () => {
    const paused = run(created(), { type: 'PauseLiquidations', now: T0 });
    expect(paused.events).toEqual([{ type: 'PoolLiquidationsPaused', at: T0 }]);
    expect(active(paused.state).liquidationsPaused).toBe(true);
    expect(refusalOf(() => run(paused.state, { type: 'PauseLiquidations', now: T0 }))).toEqual({ code: 'ALREADY_PAUSED', message: 'liquidations in pool p are already paused' });
    const resumed = run(paused.state, { type: 'ResumeLiquidations', now: T0 + 1n });
    expect(resumed.events).toEqual([{ type: 'PoolLiquidationsResumed', at: T0 + 1n }]);
    expect(active(resumed.state).liquidationsPaused).toBe(false);
    expect(refusalOf(() => run(resumed.state, { type: 'ResumeLiquidations', now: T0 }))).toEqual({ code: 'NOT_PAUSED', message: 'liquidations in pool p are not paused' });
  });
});

describe('accounting for a settled liquidation', () => {
  /** A pool with `reserve` in its reserve and the liquidation x.4 reserved. */
  const withReserve = (reserveBefore: bigint, socializedLoss = 0n): PoolState => ({ ...active(run(created(), reserve(), { position, feed }).state), reserve: reserveBefore, socializedLoss });
  const account = (state: PoolState, reserveIn: bigint, keeperRewards: bigint, badDebt: bigint, auctionId = 'x.4') =>
    run(state, { type: 'AccountLiquidation', auctionId, reserveIn, keeperRewards, badDebt, now: T0 });

  it('pays the keepers first, then covers bad debt from the reserve; the lenders bear the rest, and nothing is lost or made', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (reserveBefore, reserveIn, keeperRewards, badDebt) => {
          const [accounted] = account(withReserve(reserveBefore), reserveIn, keeperRewards, badDebt).events;
          if (accounted.type !== 'LiquidationAccounted') throw new Error(accounted.type);
          const { coveredByReserve, socialized, reserve: after } = accounted;
          // Every unit is accounted for: what the reserve had and took in, less what it paid, is what it keeps; what it could not pay is socialized.
          expect(reserveBefore + reserveIn - keeperRewards - badDebt).toBe(after - socialized);
          expect(after >= 0n && socialized >= 0n).toBe(true);
          // The keepers are paid before bad debt is covered: what is left after them covers it, as far as it goes.
          const leftAfterKeepers = reserveBefore + reserveIn > keeperRewards ? reserveBefore + reserveIn - keeperRewards : 0n;
          expect(coveredByReserve).toBe(badDebt < leftAfterKeepers ? badDebt : leftAfterKeepers);
          // The lenders bear a loss only when the reserve is empty.
          if (socialized > 0n) expect(after).toBe(0n);
        },
      ),
    );
  });

  it('in numbers: the reserve of 100 takes in 10, pays 30 to keepers and covers 50 of bad debt; or runs dry', () => {
    const covered = account(withReserve(100n), 10n, 30n, 50n).events[0];
    expect(covered).toEqual({ type: 'LiquidationAccounted', auctionId: 'x.4', reserveIn: 10n, keeperRewards: 30n, badDebt: 50n, coveredByReserve: 50n, socialized: 0n, reserve: 30n });
    // 80 left after the keepers covers 80 of a 100 bad debt: 20 socialized.
    expect(account(withReserve(100n), 10n, 30n, 100n).events[0]).toMatchObject({ coveredByReserve: 80n, socialized: 20n, reserve: 0n });
    // The keepers are owed 130 against 110: the 20 unpaid are socialized with all the bad debt.
    expect(account(withReserve(100n), 10n, 130n, 50n).events[0]).toMatchObject({ coveredByReserve: 0n, socialized: 70n, reserve: 0n });
  });

  it('releases the reservation and its lot, keeps the reserve it leaves and adds to the lenders’ loss', () => {
    const { state } = account(withReserve(100n, 7n), 10n, 130n, 50n);
    expect(active(state)).toMatchObject({ reserve: 0n, socializedLoss: 77n, collateralUnderAuction: 0n });
    expect(active(state).reservations.size).toBe(0);
  });

  it('refuses an auction with no reservation here, and negative amounts', () => {
    expect(refusalOf(() => account(withReserve(0n), 0n, 0n, 0n, 'y.1'))).toEqual({ code: 'AUCTION_NOT_FOUND', message: 'auction y.1 holds no reservation in this pool' });
    for (const [reserveIn, keeperRewards, badDebt] of [[-1n, 0n, 0n], [0n, -1n, 0n], [0n, 0n, -1n]]) {
      expect(refusalOf(() => account(withReserve(0n), reserveIn, keeperRewards, badDebt))).toEqual({ code: 'INVALID_SETTLEMENT', message: 'liquidation amounts are never negative' });
    }
    expect(refusalOf(() => account(withReserve(0n), 0n, 0n, 0n))).toBeUndefined();
  });
});
