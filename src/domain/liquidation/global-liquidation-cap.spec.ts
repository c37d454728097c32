/**
 * The global liquidation cap: the debt under auction across pools, normalized to 18 decimals, refuses a
 * reservation that would pass the cap, allows one that reaches it exactly, and is decided by the pool's
 * ReserveLiquidation after its own cap. The cap is an admin's setting, kept as events: above zero, at
 * most 10^12, and setting the cap in force (or lifting none) records nothing.
 */
import { RAY, WAD } from '../math/fixed-point';
import { FeedState } from '../oracle/feed';
import BTree from 'sorted-btree';
import { DEFAULT_AUCTION, noReservations, PoolParameters, poolDecider, PoolState, Reservation } from '../pool/pool';
import { PositionState } from '../position/position';
import {
  checkGlobalLiquidationCap,
  debtInWad,
  debtUnderAuction,
  GLOBAL_LIQUIDATION_CAP_STREAM,
  GlobalLiquidationContext,
  globalLiquidationCapDecider,
  GlobalLiquidationCapState,
  MAX_GLOBAL_LIQUIDATION_CAP,
} from './global-liquidation-cap';
import { refusalCode, refusalOf } from '../testing';

const T0 = 1_800_000_000n;
const USDC = { symbol: 'USDC', decimals: 6 };
const DAI = { symbol: 'DAI', decimals: 18 };

const reservation = (tab: bigint): Reservation => ({ positionId: 'x', round: 1n, price: WAD, debtToCover: tab, penalty: 0n, tab, lot: 1n });

describe('the global liquidation cap', () => {
  it('normalizes debt amounts to 18 decimals: a 6-decimals pool and an 18-decimals pool add up', () => {
    expect(debtInWad(1_000_000n, 6)).toBe(WAD);
    expect(debtInWad(WAD, 18)).toBe(WAD);
    expect(debtInWad(1n, 0)).toBe(WAD);
    const usdcPool = { debt: USDC, reservations: new BTree([['a', reservation(1_500n * 10n ** 6n)], ['b', reservation(500n * 10n ** 6n)]]) };
    const daiPool = { debt: DAI, reservations: new BTree([['c', reservation(3_000n * WAD)]]) };
    expect(debtUnderAuction([usdcPool, daiPool])).toBe(5_000n * WAD);
    expect(debtUnderAuction([])).toBe(0n);
  });

  it('would round an amount of more than 18 decimals up, counting more under auction rather than less', () => {
    expect(debtInWad(100n, 20)).toBe(1n);
    expect(debtInWad(101n, 20)).toBe(2n);
    expect(debtInWad(1n, 24)).toBe(1n);
    expect(debtInWad(0n, 24)).toBe(0n);
  });

  it('refuses a tab that would pass the cap, allows one that reaches it exactly, in either decimals', () => {
    const global: GlobalLiquidationContext = { debtUnderAuction: 4_000n * WAD, cap: 5_000n * WAD };
    expect(refusalCode(() => checkGlobalLiquidationCap(global, 1_000n * 10n ** 6n, 6))).toBeUndefined();
    expect(refusalCode(() => checkGlobalLiquidationCap(global, 1_000n * WAD, 18))).toBeUndefined();
    expect(refusalCode(() => checkGlobalLiquidationCap(global, 1_000n * 10n ** 6n + 1n, 6))).toBe('GLOBAL_LIQUIDATION_CAP_REACHED');
    expect(refusalOf(() => checkGlobalLiquidationCap(global, 1_000n * WAD + 1n, 18))).toEqual({
      code: 'GLOBAL_LIQUIDATION_CAP_REACHED',
      message: 'the debt under auction across all pools is as much as the global liquidation cap allows; this liquidation waits for room',
    });
  });

  it('holds nothing back without a cap', () => {
    expect(refusalCode(() => checkGlobalLiquidationCap(undefined, 10n ** 30n, 6))).toBeUndefined();
    expect(refusalCode(() => checkGlobalLiquidationCap({ debtUnderAuction: 10n ** 40n }, 10n ** 30n, 6))).toBeUndefined();
  });
});

describe('ReserveLiquidation under the global cap', () => {
  const parameters: PoolParameters = {
    maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
    closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n, liquidationCollateralCap: 10n ** 30n, stabilityFeeYearly: 0n,
  };
  const pool = (debt: { symbol: string; decimals: number }): PoolState => ({
    status: 'active', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt, feed: 'F', parameters: { ...parameters, auction: DEFAULT_AUCTION },
    interest: { index: RAY, at: T0, ratePerSecond: RAY }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: noReservations(), liquidationsPaused: false,
  });
  const feed: FeedState = {
    status: 'active', feed: 'F', quorum: 1, heartbeatSeconds: 3_600, deviationLimitBps: 5_000n, maxFutureSkewSeconds: 30, oracles: {}, pending: {},
    price: { value: 1_000n * WAD, round: 1n, at: T0 }, rounds: [{ round: 1n, price: 1_000n * WAD, at: T0, reports: [] }], liquidationsPaused: false,
  };
  // 1 WETH at 1,000 against 900 of debt: health factor 0.917, below the full close at 0.95: the whole
  // debt is covered, and the tab is 900 + 5% = 945.
  const position = (debtUnit: bigint): PositionState => ({
    status: 'open', positionId: 'x', poolId: 'p', owner: 'o', salt: 1n, commitment: 2n, collateral: WAD, scaledDebt: 900n * debtUnit, nullifiers: [],
    liquidation: { by: 'detection', feed: 'F', round: 1n, price: 1_000n * WAD },
  });
  const reserve = (state: PoolState, debtUnit: bigint, global?: GlobalLiquidationContext) =>
    poolDecider.decide({ type: 'ReserveLiquidation', auctionId: 'x.4', positionId: 'x', round: 1n, now: T0 }, state, { position: position(debtUnit), feed, global });

  for (const debt of [USDC, DAI]) {
    const unit = 10n ** BigInt(debt.decimals);
    it(`counts a ${debt.decimals}-decimals pool's tab in 18 decimals against the cap`, () => {
      // 4,055 already under auction elsewhere: 945 more reaches 5,000 exactly.
      const [reserved] = reserve(pool(debt), unit, { debtUnderAuction: 4_055n * WAD, cap: 5_000n * WAD });
      expect(reserved).toMatchObject({ type: 'LiquidationReserved', tab: 945n * unit });
      expect(refusalCode(() => reserve(pool(debt), unit, { debtUnderAuction: 4_055n * WAD + 1n, cap: 5_000n * WAD }))).toBe('GLOBAL_LIQUIDATION_CAP_REACHED');
      expect(refusalCode(() => reserve(pool(debt), unit))).toBeUndefined();
    });
  }

  it("is decided after the pool's own cap and pause: those refusals keep their codes", () => {
    const full = { debtUnderAuction: 10n ** 40n, cap: WAD };
    const base = pool(USDC);
    if (base.status !== 'active') throw new Error('pool');
    expect(refusalCode(() => reserve({ ...base, parameters: { ...base.parameters, liquidationCollateralCap: 1n } }, 10n ** 6n, full))).toBe('LIQUIDATION_CAP_REACHED');
    expect(refusalCode(() => reserve({ ...base, liquidationsPaused: true }, 10n ** 6n, full))).toBe('LIQUIDATIONS_PAUSED');
  });
});

describe('setting the global cap', () => {
  const set = (cap: bigint | undefined, state: GlobalLiquidationCapState = {}) =>
    globalLiquidationCapDecider.decide({ type: 'SetGlobalLiquidationCap', ...(cap !== undefined ? { cap } : {}), now: T0 }, state, undefined);
  const fold = (state: GlobalLiquidationCapState, cap: bigint | undefined) => set(cap, state).reduce(globalLiquidationCapDecider.evolve, state);

  it('is kept on the stream settings-liquidation-cap', () => {
    expect(GLOBAL_LIQUIDATION_CAP_STREAM).toBe('settings-liquidation-cap');
  });

  it('starts with no cap, and sets one above zero up to 10^12 whole units', () => {
    expect(globalLiquidationCapDecider.initialState()).toEqual({});
    expect(MAX_GLOBAL_LIQUIDATION_CAP).toBe(1_000_000_000_000n * WAD);
    expect(set(1n)).toEqual([{ type: 'GlobalLiquidationCapSet', cap: 1n, at: T0 }]);
    expect(set(MAX_GLOBAL_LIQUIDATION_CAP)).toEqual([{ type: 'GlobalLiquidationCapSet', cap: MAX_GLOBAL_LIQUIDATION_CAP, at: T0 }]);
    expect(fold({}, 3_200n * WAD)).toEqual({ cap: 3_200n * WAD });
  });

  it('refuses zero, a negative cap and one past 10^12', () => {
    for (const cap of [0n, -1n, MAX_GLOBAL_LIQUIDATION_CAP + 1n]) {
      expect(refusalOf(() => set(cap))).toEqual({
        code: 'GLOBAL_CAP_OUT_OF_RANGE',
        message: 'the global liquidation cap must be above zero and at most 10^12 (lift it instead of setting zero)',
      });
    }
  });

  it('records nothing for the cap in force, and lifts a cap with an event that carries none', () => {
    expect(set(3_200n * WAD, { cap: 3_200n * WAD })).toEqual([]);
    expect(set(undefined, {})).toEqual([]);
    // No cap key at all, not one that is undefined: the event and the state say "no cap" the same way everywhere.
    expect(set(undefined, { cap: 3_200n * WAD })).toStrictEqual([{ type: 'GlobalLiquidationCapSet', at: T0 }]);
    expect(fold({ cap: 3_200n * WAD }, undefined)).toStrictEqual({});
    expect(fold({ cap: 3_200n * WAD }, 5_000n * WAD)).toEqual({ cap: 5_000n * WAD });
  });
});
