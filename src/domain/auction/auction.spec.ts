/**
 * The Dutch auction's rules (its terms fixed by the pool's reservation): prices only fall along each curve; a take never sells more than the lot
 * nor raises more than the tab; and over any sequence of takes, collateral and money are conserved:
 * what takers received plus what is left is the lot, what they paid is what was raised, and the
 * settlement splits it exactly into debt repaid, liquidator bonus, protocol fee and reserve.
 */
import fc from 'fast-check';
import { DomainError } from '../decider';
import { RAY, WAD } from '../math/fixed-point';
import { auctionPrice, AUCTION_CURVES, AuctionCurve } from '../liquidation/auction-curves';
import { AuctionParameters, DEFAULT_AUCTION, noReservations, poolDecider, PoolParameters, PoolState } from '../pool/pool';
import { ExistingPosition, PositionState } from '../position/position';
import { FeedState } from '../oracle/feed';
import { AuctionContext, auctionDecider, AuctionEvent, auctionQuote, AuctionState, auctionStream, RunningAuction } from './auction';
import { AUCTION_ROUTES, sellsAtOnce } from './auction-routes';
import { refusalCode, refusalOf } from '../testing';

const parameters: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n * 10n ** 6n, liquidationCollateralCap: 10n ** 30n, stabilityFeeYearly: 0n,
};
const T0 = 1_800_000_000n;

/** The WETH / USDC pool, or another collateral, parameters or auction terms where a rule needs them. */
type PoolChanges = { collateral?: { symbol: string; decimals: number }; parameters?: Partial<PoolParameters>; auction?: Partial<AuctionParameters> };

function pool(curve: AuctionCurve, changes: PoolChanges = {}): PoolState {
  return {
    status: 'active', poolId: 'p', collateral: changes.collateral ?? { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F',
    parameters: { ...parameters, ...changes.parameters, auction: { ...DEFAULT_AUCTION, curve, cutBps: 500n, stepSeconds: 10n, ...changes.auction } },
    interest: { index: RAY, at: T0, ratePerSecond: RAY }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: noReservations(), liquidationsPaused: false,
  };
}

function inLiquidation(collateral: bigint, scaledDebt: bigint, liquidator?: string): PositionState {
  return {
    status: 'open', positionId: 'x', poolId: 'p', owner: 'o', salt: 1n, commitment: 2n, collateral, scaledDebt, nullifiers: [],
    liquidation: liquidator ? { by: 'proof', feed: 'F', round: 1n, price: 1_000n * WAD, liquidator, nullifier: 3n } : { by: 'detection', feed: 'F', round: 1n, price: 1_000n * WAD },
  };
}

/** The pool after it reserved room for auction x.4 of this position, at 1,000. */
/** The pool's feed, whose round 1 priced WETH at 1,000 at T0. */
const feed: FeedState = {
  status: 'active', feed: 'F', quorum: 1, heartbeatSeconds: 3_600, deviationLimitBps: 5_000n, maxFutureSkewSeconds: 30, oracles: {}, pending: {},
  price: { value: 1_000n * WAD, round: 1n, at: T0 }, rounds: [{ round: 1n, price: 1_000n * WAD, at: T0, reports: [] }], liquidationsPaused: false,
};

function reserved(position: PositionState, curve: AuctionCurve, changes: PoolChanges = {}): PoolState {
  const before = pool(curve, changes);
  const events = poolDecider.decide({ type: 'ReserveLiquidation', auctionId: 'x.4', positionId: 'x', round: 1n, now: T0 }, before, { position, feed });
  return events.reduce(poolDecider.evolve, before);
}

const context = (position: PositionState, curve: AuctionCurve, now: bigint, feedNow: FeedState = feed, changes: PoolChanges = {}): AuctionContext => ({
  position, pool: reserved(position, curve, changes), feed: feedNow, now,
});

/** The feed after round `round` priced WETH at `price` at `at`. */
function priced(round: bigint, price: bigint, at: bigint): FeedState {
  if (feed.status !== 'active') throw new Error('feed');
  return { ...feed, price: { value: price, round, at }, rounds: [...feed.rounds, { round, price, at, reports: [] }] };
}

function run(state: AuctionState, events: AuctionEvent[]): AuctionState {
  return events.reduce(auctionDecider.evolve, state);
}

describe('auction curves', () => {
  it('start at the top and never rise, whatever the curve', () => {
    fc.assert(
      fc.property(fc.constantFrom(...AUCTION_CURVES), fc.bigInt({ min: 1n, max: 10n ** 24n }), fc.bigInt({ min: 1n, max: 9_999n }), fc.bigInt({ min: 1n, max: 600n }), fc.array(fc.bigInt({ min: 0n, max: 100_000n }), { minLength: 2, maxLength: 8 }), (curve, top, cutBps, stepSeconds, times) => {
        const sorted = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const prices = sorted.map((t) => auctionPrice(top, t, { curve, cutBps, stepSeconds }));
        expect(auctionPrice(top, 0n, { curve, cutBps, stepSeconds })).toBe(top);
        for (let i = 1; i < prices.length; i++) expect(prices[i] <= prices[i - 1]).toBe(true);
      }),
    );
  });

  it('fall as each is defined: linearly to zero, in steps, smoothly', () => {
    const c = { cutBps: 1_000n, stepSeconds: 10n };
    expect(auctionPrice(1_000n, 50n, { curve: 'linear', ...c })).toBe(500n);
    expect(auctionPrice(1_000n, 100n, { curve: 'linear', ...c })).toBe(0n);
    expect(auctionPrice(1_000n, 19n, { curve: 'stairstep', ...c })).toBe(900n);
    expect(auctionPrice(1_000n, 20n, { curve: 'stairstep', ...c })).toBe(810n);
    const smooth = auctionPrice(10n ** 18n, 10n, { curve: 'exponential', ...c });
    expect(smooth < 10n ** 18n && smooth > 89n * 10n ** 16n).toBe(true);
  });
});

describe('a Dutch auction', () => {
  it('conserves collateral and money over any sequence of takes, and settles once the tab is raised or the lot sold', () => {
    let settledRuns = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...AUCTION_CURVES),
        fc.bigInt({ min: 10n ** 16n, max: 100n * WAD }),
        fc.integer({ min: 5_000, max: 12_000 }),
        fc.boolean(),
        fc.array(fc.record({ wait: fc.bigInt({ min: 0n, max: 120n }), collateral: fc.bigInt({ min: 1n, max: 50n * WAD }) }), { maxLength: 12 }),
        (curve, collateral, ltvBps, byProof, takes) => {
          // Debt at ltvBps of the collateral's value at 1,000 (6-decimal debt asset): some healthy enough for a partial close, some deep.
          const debt = (((collateral * 1_000n) / 10n ** 12n) * BigInt(ltvBps)) / 10_000n;
          if (debt === 0n) return;
          const position = inLiquidation(collateral, debt, byProof ? 'liq' : undefined);
          let state = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), context(position, curve, T0)));
          if (state.status === 'absent') throw new Error('not started');
          expect(state.lot <= collateral).toBe(true);
          let now = T0;
          let received = 0n;
          let paid = 0n;
          let settlement: Extract<AuctionEvent, { type: 'AuctionSettled' }> | undefined;
          for (const take of takes) {
            now += take.wait;
            try {
              const events = auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: take.collateral, maxPrice: 10n ** 30n }, state, context(position, curve, now));
              for (const e of events) {
                if (e.type === 'CollateralTaken') {
                  expect(e.collateral <= take.collateral).toBe(true);
                  received += e.collateral;
                  paid += e.paid;
                }
                if (e.type === 'AuctionSettled') settlement = e;
              }
              state = run(state, events);
            } catch (err) {
              if (!(err instanceof DomainError)) throw err;
              expect(['AUCTION_NEEDS_RESET', 'TAKE_WOULD_LEAVE_DUST', 'TAKE_TOO_SMALL', 'AUCTION_SETTLED']).toContain(err.code);
            }
          }
          if (state.status === 'absent') throw new Error('lost');
          // Collateral: what takers got is what was sold, never more than the lot; money: what they paid is what was raised, never more than the tab.
          expect(state.sold).toBe(received);
          expect(state.raised).toBe(paid);
          expect(state.sold <= state.lot && state.raised <= state.tab).toBe(true);
          if (settlement) {
            settledRuns++;
            expect(state.status).toBe('settled');
            expect(state.raised === state.tab || state.sold === state.lot).toBe(true);
            expect(settlement.collateralLeft + settlement.sold).toBe(state.lot);
            // Every unit raised lands somewhere: the debt, the liquidator (bonus less fee), the reserve (the rest, with the fee).
            expect(settlement.debtRepaid + (settlement.liquidatorBonus - settlement.protocolFee) + settlement.reserveIn).toBe(settlement.raised);
            expect(settlement.shortfall).toBe(state.debtToCover - settlement.debtRepaid);
            if (!byProof) expect(settlement.liquidatorBonus).toBe(0n);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(settledRuns).toBeGreaterThan(30);
  });

  it('covers all the debt below the full-close health factor, the close factor’s share above it', () => {
    const start = (scaledDebt: bigint) => {
      const [started] = auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), context(inLiquidation(WAD, scaledDebt), 'linear', T0));
      if (started.type !== 'AuctionStarted') throw new Error(started.type);
      return started;
    };
    // 1 WETH at 1,000 and an 82.5% threshold: debt 850 is health factor 0.97 (half covered), debt 900 is 0.917 (all of it).
    expect(start(850n * 10n ** 6n)).toMatchObject({ debtToCover: 425n * 10n ** 6n, lot: WAD / 2n, penalty: 21_250_000n, top: 1_100n * WAD });
    expect(start(900n * 10n ** 6n)).toMatchObject({ debtToCover: 900n * 10n ** 6n, lot: WAD, tab: 945n * 10n ** 6n });
  });

  it('refuses a take above the taker’s limit, and a reset before the auction is stale; resets it after, at the fresh price', () => {
    const position = inLiquidation(WAD, 900n * 10n ** 6n);
    const state = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), context(position, 'stairstep', T0)));
    expect(refusalOf(() => auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD, maxPrice: 1_000n * WAD }, state, context(position, 'stairstep', T0)))).toEqual({
      code: 'PRICE_ABOVE_LIMIT', message: expect.stringMatching(/above the most the taker would pay/), details: { price: '1100' },
    });
    expect(refusalCode(() => auctionDecider.decide({ type: 'ResetAuction', keeper: 'k', round: 1n }, state, context(position, 'stairstep', T0 + 10n)))).toBe('AUCTION_NOT_RESETTABLE');
    const late = T0 + DEFAULT_AUCTION.resetAfterSeconds + 1n;
    expect(refusalOf(() => auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD, maxPrice: 10n ** 30n }, state, context(position, 'stairstep', late)))).toEqual({
      code: 'AUCTION_NEEDS_RESET', message: expect.stringMatching(/a keeper must reset it/),
    });
    // Round 1 is stale by now: a reset cites a fresh round, and restarts above its price.
    const fresh = priced(2n, 800n * WAD, late - 5n);
    expect(refusalCode(() => auctionDecider.decide({ type: 'ResetAuction', keeper: 'k', round: 1n }, state, context(position, 'stairstep', late, fresh)))).toBe('STALE_ROUND');
    const [reset] = auctionDecider.decide({ type: 'ResetAuction', keeper: 'k', round: 2n }, state, context(position, 'stairstep', late, fresh));
    expect(reset).toMatchObject({ type: 'AuctionReset', round: 2n, top: 880n * WAD, at: late });
  });
});

describe("the pool's circuit breakers", () => {
  const capped = (cap: bigint): PoolState => {
    const p = pool('linear');
    return p.status === 'active' ? { ...p, parameters: { ...p.parameters, liquidationCollateralCap: cap } } : p;
  };
  const reserve = (state: PoolState, auctionId: string, position: PositionState) =>
    poolDecider.decide({ type: 'ReserveLiquidation', auctionId, positionId: 'x', round: 1n, now: T0 }, state, { position, feed });

  it('reserves room up to the cap on collateral under auction, and frees it when the liquidation is accounted for', () => {
    const position = inLiquidation(WAD, 900n * 10n ** 6n);
    let state = capped(WAD + WAD / 2n);
    state = reserve(state, 'x.4', position).reduce(poolDecider.evolve, state);
    expect(state.status === 'active' && state.collateralUnderAuction).toBe(WAD);
    // A second whole WETH would pass the cap of 1.5: it waits.
    expect(refusalCode(() => reserve(state, 'x.9', position))).toBe('LIQUIDATION_CAP_REACHED');
    state = poolDecider.decide({ type: 'AccountLiquidation', auctionId: 'x.4', reserveIn: 0n, keeperRewards: 0n, badDebt: 0n, now: T0 }, state, undefined).reduce(poolDecider.evolve, state);
    expect(state.status === 'active' && state.collateralUnderAuction).toBe(0n);
    expect(refusalCode(() => reserve(state, 'x.9', position))).toBeUndefined();
  });

  it('starts no auction while an admin has paused the pool', () => {
    let state = capped(10n * WAD);
    state = poolDecider.decide({ type: 'PauseLiquidations', now: T0 }, state, undefined).reduce(poolDecider.evolve, state);
    expect(refusalCode(() => reserve(state, 'x.4', inLiquidation(WAD, 900n * 10n ** 6n)))).toBe('LIQUIDATIONS_PAUSED');
    expect(refusalCode(() => poolDecider.decide({ type: 'PauseLiquidations', now: T0 }, state, undefined))).toBe('ALREADY_PAUSED');
    state = poolDecider.decide({ type: 'ResumeLiquidations', now: T0 }, state, undefined).reduce(poolDecider.evolve, state);
    expect(refusalCode(() => reserve(state, 'x.4', inLiquidation(WAD, 900n * 10n ** 6n)))).toBeUndefined();
  });
});

describe('an English auction', () => {
  const englishPool = (position: PositionState): PoolState => {
    const p = reserved(position, 'linear');
    if (p.status !== 'active') throw new Error('pool');
    return { ...p, parameters: { ...p.parameters, auction: { ...DEFAULT_AUCTION, route: 'english', bidIncrementBps: 500n, biddingSeconds: 100n, extendSeconds: 30n } } };
  };
  // Deep under water at 1,000: the whole debt is covered, a tab of 1,092 USDC for the whole WETH. The
  // reserve is the WETH at 1,000 less the 5% penalty: 950.
  const position = inLiquidation(WAD, 1_040n * 10n ** 6n);
  const ctx = (now: bigint, feedNow: FeedState = feed): AuctionContext => ({ position, pool: englishPool(position), feed: feedNow, now });
  const started = () => run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), ctx(T0)));
  const usdc = (n: bigint) => n * 10n ** 6n;

  it('takes bids that beat the best by the increment, refunds the outbid, and pushes back a close that a late bid nears', () => {
    let state = started();
    const bid = (bidder: string, amount: bigint, at: bigint) => auctionDecider.decide({ type: 'PlaceBid', bidder, amount }, state, ctx(at));
    expect(refusalOf(() => auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD, maxPrice: 10n ** 30n }, state, ctx(T0)))).toEqual({ code: 'NOT_A_DUTCH_AUCTION', message: expect.stringMatching(/takes bids, not takes/) });
    const first = bid('alice', usdc(950n), T0 + 10n);
    expect(first).toEqual([{ type: 'BidPlaced', bidder: 'alice', amount: usdc(950n), deadline: T0 + 100n, at: T0 + 10n }]);
    state = run(state, first);
    // 5% over 950 is 997.5: 990 is too low, and says what would do.
    expect(refusalCode(() => bid('bob', usdc(990n), T0 + 20n))).toBe('BID_TOO_LOW');
    // Twenty seconds before the close: the close moves to thirty seconds after the bid.
    const second = bid('bob', usdc(1_000n), T0 + 80n);
    expect(second).toEqual([
      { type: 'BidRefunded', bidder: 'alice', amount: usdc(950n) },
      { type: 'BidPlaced', bidder: 'bob', amount: usdc(1_000n), deadline: T0 + 110n, at: T0 + 80n },
    ]);
    state = run(state, second);
    expect(refusalCode(() => bid('carol', usdc(1_050n), T0 + 111n))).toBe('AUCTION_ENDED');
    expect(refusalOf(() => auctionDecider.decide({ type: 'CloseAuction' }, state, ctx(T0 + 110n)))).toEqual({ code: 'AUCTION_NOT_ENDED', message: expect.stringMatching(/still open/), details: { deadline: '1800000110' } });
    const closed = auctionDecider.decide({ type: 'CloseAuction' }, state, ctx(T0 + 111n));
    expect(closed[0]).toEqual({ type: 'AuctionWon', bidder: 'bob', collateral: WAD, paid: usdc(1_000n), at: T0 + 111n });
    // 1,000 covers less than the 1,040 of debt: the shortfall stays with the position, which keeps no collateral.
    expect(closed[1]).toMatchObject({ type: 'AuctionSettled', raised: usdc(1_000n), debtRepaid: usdc(1_000n), shortfall: usdc(40n), collateralLeft: 0n });
    // The winner's lot and bid are what the auction sold and raised; then it is over.
    const over = run(state, closed);
    expect(over).toMatchObject({ status: 'settled', sold: WAD, raised: usdc(1_000n) });
    expect(refusalCode(() => auctionDecider.decide({ type: 'CloseAuction' }, over, ctx(T0 + 112n)))).toBe('AUCTION_SETTLED');
  });

  it('refuses a bid below the reserve (the lot at the oracle price less the penalty), saying the reserve, and takes one at it', () => {
    const state = started();
    const bid = (amount: bigint) => () => auctionDecider.decide({ type: 'PlaceBid', bidder: 'alice', amount }, state, ctx(T0 + 1n));
    expect(refusalCode(bid(usdc(950n) - 1n))).toBe('BID_BELOW_RESERVE');
    expect(() => bid(usdc(950n) - 1n)()).toThrow(expect.objectContaining({ details: { reserve: '950' } }));
    // The case: far below the oracle's price, a bid cannot win.
    expect(refusalCode(bid(usdc(650n)))).toBe('BID_BELOW_RESERVE');
    expect(bid(usdc(950n))()).toEqual([expect.objectContaining({ type: 'BidPlaced', amount: usdc(950n) })]);
  });

  it('never asks more than what is left of the tab: a lot worth more than the tab at the reserve takes only the tab', () => {
    // 1 WETH against 900 of debt: a tab of 945, while the lot at the reserve price is worth 950.
    const rich = inLiquidation(WAD, 900n * 10n ** 6n);
    const richCtx = (now: bigint): AuctionContext => ({ position: rich, pool: englishPool(rich), feed, now });
    const state = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), richCtx(T0)));
    expect(() => auctionDecider.decide({ type: 'PlaceBid', bidder: 'alice', amount: usdc(944n) }, state, richCtx(T0 + 1n))).toThrow(expect.objectContaining({ code: 'BID_BELOW_RESERVE', details: { reserve: '945' } }));
    expect(auctionDecider.decide({ type: 'PlaceBid', bidder: 'alice', amount: usdc(945n) }, state, richCtx(T0 + 1n)).map((e) => e.type)).toEqual(['BidPlaced', 'AuctionWon', 'AuctionSettled']);
  });

  it('falls back to a Dutch auction when bidding closed without a bid: a reset restarts it on the curve, at the fresh price', () => {
    const state = started();
    const late = T0 + 101n;
    const fresh = priced(2n, 900n * WAD, late - 1n);
    const [reset] = auctionDecider.decide({ type: 'ResetAuction', keeper: 'k', round: 2n }, state, ctx(late, fresh));
    expect(reset).toMatchObject({ type: 'AuctionReset', route: 'dutch', price: 900n * WAD, top: 990n * WAD });
    const dutch = run(state, [reset]);
    expect(dutch).toMatchObject({ status: 'running', auction: { route: 'dutch' } });
    expect(dutch).not.toHaveProperty('deadline');
    expect(refusalOf(() => auctionDecider.decide({ type: 'PlaceBid', bidder: 'alice', amount: usdc(1_000n) }, dutch, ctx(late + 1n, fresh)))).toEqual({ code: 'NOT_AN_ENGLISH_AUCTION', message: expect.stringMatching(/takes takes, not bids/) });
    const taken = auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD, maxPrice: 990n * WAD }, dutch, ctx(late + 1n, fresh));
    expect(taken[0]).toMatchObject({ type: 'CollateralTaken', price: 990n * WAD });
  });

  it('ends at once on a bid of the whole tab, and needs a reset when bidding closed without a bid', () => {
    const state = started();
    const [placed, won, settled] = auctionDecider.decide({ type: 'PlaceBid', bidder: 'alice', amount: usdc(1_092n) }, state, ctx(T0 + 1n));
    expect([placed.type, won.type, settled.type]).toEqual(['BidPlaced', 'AuctionWon', 'AuctionSettled']);
    expect(refusalCode(() => auctionDecider.decide({ type: 'PlaceBid', bidder: 'bob', amount: usdc(1_093n) }, state, ctx(T0 + 1n)))).toBe('BID_ABOVE_TAB');
    expect(refusalOf(() => auctionDecider.decide({ type: 'CloseAuction' }, state, ctx(T0 + 101n)))).toEqual({ code: 'AUCTION_NEEDS_RESET', message: expect.stringMatching(/closed without a bid/) });
  });
});

describe('a Dutch auction’s takes and settlement, in numbers', () => {
  // 1 WETH for a tab of 945 USDC (900 of debt, all of it covered), starting at 1,100 and falling 0.5% of that a second (linear).
  const usdc = (n: bigint) => n * 10n ** 6n;
  const start = (liquidator?: string) => {
    const position = inLiquidation(WAD, usdc(900n), liquidator);
    const state = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), context(position, 'linear', T0)));
    const take = (collateral: bigint, at: bigint, from: AuctionState = state) =>
      auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral, maxPrice: 10n ** 30n }, from, context(position, 'linear', at));
    return { state, take, position };
  };

  it('charges a take the value of what it takes at the current price, rounded up, and leaves the auction running', () => {
    const { take } = start();
    // 0.1 WETH at 1,100 is 110 USDC; 20 s later the price is 990, and 0.1 WETH + 1 wei is 99.000000000000000990 → 99.000001 USDC.
    expect(take(WAD / 10n, T0)).toEqual([{ type: 'CollateralTaken', taker: 't', asked: WAD / 10n, maxPrice: 10n ** 30n, collateral: WAD / 10n, paid: usdc(110n), price: 1_100n * WAD, at: T0 }]);
    expect(take(WAD / 10n + 1n, T0 + 20n)).toMatchObject([{ collateral: WAD / 10n + 1n, paid: usdc(99n) + 1n, price: 990n * WAD }]);
  });

  it('sells a take worth more than the rest of the tab only what the tab buys, and settles: debt first, then the penalty', () => {
    const { take } = start('liq');
    // 945 USDC buys 945 / 1,100 WETH, rounded down; the rest of the lot goes back to the borrower.
    const sold = 859_090_909_090_909_090n;
    expect(take(WAD, T0)).toEqual([
      { type: 'CollateralTaken', taker: 't', asked: WAD, maxPrice: 10n ** 30n, collateral: sold, paid: usdc(945n), price: 1_100n * WAD, at: T0 },
      {
        type: 'AuctionSettled', sold, raised: usdc(945n), collateralLeft: WAD - sold, shortfall: 0n, at: T0,
        debtRepaid: usdc(900n), penaltyPaid: usdc(45n), liquidatorBonus: usdc(27n), protocolFee: 2_700_000n, reserveIn: 20_700_000n,
      },
    ]);
  });

  it('settles a take that pays exactly the rest of the tab', () => {
    const { take } = start();
    // 0.859090909090909090 WETH at 1,100 is 944.9999999999… USDC → exactly 945 rounded up.
    const [taken, settled] = take(859_090_909_090_909_090n, T0);
    expect(taken).toMatchObject({ collateral: 859_090_909_090_909_090n, paid: usdc(945n) });
    expect(settled).toMatchObject({ type: 'AuctionSettled', raised: usdc(945n), debtRepaid: usdc(900n), penaltyPaid: usdc(45n), liquidatorBonus: 0n, reserveIn: usdc(45n) });
  });

  it('lets a take of the whole rest of the lot leave less than the dust limit of the tab, and settles: the debt, then the penalty shared', () => {
    const { take } = start('liq');
    // 29 s in, the price is 1,100 × (1 − 0.145) = 940.5: the whole WETH raises 940.5 of the 945 tab, 4.5 short, below the dust limit of 10.
    // The 900 of debt is repaid, 40.5 of penalty: a bonus of 3/5 of it (24.3), a fee of 10% of the bonus (2.43), the reserve the rest (18.63).
    expect(take(WAD, T0 + 29n)).toEqual([
      { type: 'CollateralTaken', taker: 't', asked: WAD, maxPrice: 10n ** 30n, collateral: WAD, paid: 940_500_000n, price: 9_405n * 10n ** 17n, at: T0 + 29n },
      {
        type: 'AuctionSettled', sold: WAD, raised: 940_500_000n, collateralLeft: 0n, shortfall: 0n, at: T0 + 29n,
        debtRepaid: usdc(900n), penaltyPaid: 40_500_000n, liquidatorBonus: 24_300_000n, protocolFee: 2_430_000n, reserveIn: 18_630_000n,
      },
    ]);
  });

  it('gives a take worth more than the rest of the tab what it asked for when the tab would buy more (a wei is worth less than a cent)', () => {
    const { state, take } = start();
    // 0.85 WETH leaves 10 USDC of the tab. 0.009090909 WETH at 1,100 is 9.9999999 USDC: it pays the 10 left, which would buy
    // 0.009090909090909090 WETH, but the taker asked for less and gets what it asked.
    const after = run(state, take((85n * WAD) / 100n, T0));
    expect(take(9_090_909n * 10n ** 9n, T0, after)[0]).toMatchObject({ type: 'CollateralTaken', collateral: 9_090_909n * 10n ** 9n, paid: usdc(10n) });
  });

  it('refuses a take that buys nothing: at a price of zero, or when the rest of the tab is worth less than the smallest unit of collateral', () => {
    // A pool that resets auctions only by age lets the linear price reach zero, 200 s in.
    const position = inLiquidation(WAD, usdc(900n));
    const ageOnly: PoolChanges = { auction: { resetBelowBps: 0n } };
    const started = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), context(position, 'linear', T0, feed, ageOnly)));
    const atZero = () => auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD / 10n, maxPrice: 10n ** 30n }, started, context(position, 'linear', T0 + 200n, feed, ageOnly));
    expect(refusalOf(atZero)).toEqual({ code: 'TAKE_TOO_SMALL', message: expect.stringMatching(/buys nothing/) });

    // An 8-decimal coin at 1,100: a satoshi costs 11 units of USDC. With no dust limit, 85,909,090 satoshis pay 944.99999 and leave
    // 10 units of the 945 tab, which buy no satoshi at 1,100; at 995.5 (19 s in) a satoshi is 9.955 units, and they buy one.
    const coin: PoolChanges = { collateral: { symbol: 'WBTC', decimals: 8 }, parameters: { dustLimit: 0n } };
    const holder = inLiquidation(10n ** 8n, usdc(900n));
    const take = (collateral: bigint, at: bigint, from: AuctionState) =>
      auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral, maxPrice: 10n ** 30n }, from, context(holder, 'linear', at, feed, coin));
    const running = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), context(holder, 'linear', T0, feed, coin)));
    const first = take(85_909_090n, T0, running);
    expect(first).toMatchObject([{ collateral: 85_909_090n, paid: 944_999_990n }]);
    const tenLeft = run(running, first);
    expect(refusalCode(() => take(1n, T0, tenLeft))).toBe('TAKE_TOO_SMALL');
    expect(refusalCode(() => take(10n ** 8n, T0, tenLeft))).toBe('TAKE_TOO_SMALL');
    expect(take(10n ** 8n, T0 + 19n, tenLeft)).toMatchObject([{ collateral: 1n, paid: 10n, price: 9_955n * 10n ** 17n }, { type: 'AuctionSettled', sold: 85_909_091n, raised: usdc(945n) }]);
  });

  it('refuses a take that leaves less than the dust limit of the tab, and takes one that leaves exactly it, or far more', () => {
    const { take } = start();
    // 0.85 WETH at 1,100 pays 935, leaving 10 USDC of the tab; 10^10 wei more pays 935.000011, leaving 9.999989.
    expect(take((85n * WAD) / 100n, T0)).toMatchObject([{ paid: usdc(935n) }]);
    expect(refusalOf(() => take((85n * WAD) / 100n + 10n ** 10n, T0))).toEqual({ code: 'TAKE_WOULD_LEAVE_DUST', message: expect.stringMatching(/leave at least the dust limit/) });
    expect(refusalCode(() => take(1n, T0))).toBeUndefined();
    expect(refusalOf(() => take(0n, T0))).toEqual({ code: 'AMOUNT_NOT_POSITIVE', message: expect.stringMatching(/must be positive/) });
  });

  it('settles when the lot is sold before the tab is raised, the shortfall staying with the position', () => {
    const { take } = start();
    // 100 s in, the price is half the top: 550. The whole lot raises 550 of the 900 of debt.
    expect(take(2n * WAD, T0 + 100n)).toEqual([
      { type: 'CollateralTaken', taker: 't', asked: 2n * WAD, maxPrice: 10n ** 30n, collateral: WAD, paid: usdc(550n), price: 550n * WAD, at: T0 + 100n },
      { type: 'AuctionSettled', sold: WAD, raised: usdc(550n), collateralLeft: 0n, shortfall: usdc(350n), at: T0 + 100n, debtRepaid: usdc(550n), penaltyPaid: 0n, liquidatorBonus: 0n, protocolFee: 0n, reserveIn: 0n },
    ]);
  });

  it('adds every take to what was sold and raised, and settles on the take that completes the tab', () => {
    const { state, take } = start();
    const first = take(WAD / 2n, T0);
    const after = run(state, first);
    expect(after).toMatchObject({ status: 'running', sold: WAD / 2n, raised: usdc(550n) });
    const second = take(WAD, T0, after);
    // The rest of the tab is 395 USDC: 395 / 1,100 WETH.
    expect(second[1]).toMatchObject({ type: 'AuctionSettled', sold: WAD / 2n + 359_090_909_090_909_090n, raised: usdc(945n), shortfall: 0n });
    expect(run(after, second)).toMatchObject({ status: 'settled', raised: usdc(945n) });
  });

  it('sells to the market only what is left of the lot for at most what is left of the tab, once the auction needs a reset', () => {
    const { state, position } = start();
    const sell = (collateral: bigint, paid: bigint, at: bigint) => auctionDecider.decide({ type: 'SellToMarket', collateral, paid, price: 500n * WAD }, state, context(position, 'linear', at));
    expect(refusalOf(() => sell(WAD, usdc(500n), T0))).toEqual({ code: 'AUCTION_RUNNING', message: expect.stringMatching(/only once it needs a reset/) });
    const late = T0 + 101n;
    expect(refusalOf(() => sell(WAD + 1n, usdc(500n), late))).toEqual({ code: 'INVALID_SETTLEMENT', message: expect.stringMatching(/does not fit what is left of the lot and the tab/) });
    expect(refusalCode(() => sell(0n, usdc(500n), late))).toBe('INVALID_SETTLEMENT');
    expect(refusalCode(() => sell(WAD, usdc(945n) + 1n, late))).toBe('INVALID_SETTLEMENT');
    expect(sell(WAD, usdc(945n), late)[1]).toMatchObject({ type: 'AuctionSettled', sold: WAD, raised: usdc(945n), collateralLeft: 0n, shortfall: 0n });
    expect(sell(WAD / 2n, usdc(300n), late)[1]).toMatchObject({ type: 'AuctionSettled', sold: WAD / 2n, collateralLeft: WAD / 2n, shortfall: usdc(600n) });
  });

  it('sells to the market what the takes left of the lot, for at most what they left of the tab', () => {
    const { state, take, position } = start();
    // Half the WETH taken at 1,100 raised 550: left are half a WETH and 395 of the tab.
    const after = run(state, take(WAD / 2n, T0));
    const sell = (collateral: bigint, paid: bigint) => auctionDecider.decide({ type: 'SellToMarket', collateral, paid, price: 500n * WAD }, after, context(position, 'linear', T0 + 101n));
    expect(refusalCode(() => sell(WAD / 2n + 1n, usdc(200n)))).toBe('INVALID_SETTLEMENT');
    expect(refusalCode(() => sell(WAD / 2n, usdc(395n) + 1n))).toBe('INVALID_SETTLEMENT');
    expect(sell(WAD / 2n, usdc(395n))).toEqual([
      { type: 'SoldToMarket', collateral: WAD / 2n, paid: usdc(395n), price: 500n * WAD, at: T0 + 101n },
      { type: 'AuctionSettled', sold: WAD, raised: usdc(945n), collateralLeft: 0n, shortfall: 0n, at: T0 + 101n, debtRepaid: usdc(900n), penaltyPaid: usdc(45n), liquidatorBonus: 0n, protocolFee: 0n, reserveIn: usdc(45n) },
    ]);
    // 200 for the rest: 750 of the 900 of debt repaid, 150 short.
    expect(run(after, sell(WAD / 2n, usdc(200n)))).toMatchObject({ status: 'settled', sold: WAD, raised: usdc(750n) });
  });

  it('sells a liquidation routed to the market at once, without waiting for the auction to need a reset', () => {
    const position = inLiquidation(WAD, usdc(900n));
    const marketPool = (): PoolState => {
      const p = reserved(position, 'linear');
      if (p.status !== 'active') throw new Error('pool');
      return { ...p, parameters: { ...p.parameters, auction: { ...DEFAULT_AUCTION, route: 'market' } } };
    };
    const ctx = (now: bigint): AuctionContext => ({ position, pool: marketPool(), feed, now });
    const state = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), ctx(T0)));
    // The market paid 940 for the WETH the moment the auction started: 900 repays the debt, 40 of penalty goes to the reserve.
    expect(auctionDecider.decide({ type: 'SellToMarket', collateral: WAD, paid: usdc(940n), price: 940n * WAD }, state, ctx(T0))).toEqual([
      { type: 'SoldToMarket', collateral: WAD, paid: usdc(940n), price: 940n * WAD, at: T0 },
      { type: 'AuctionSettled', sold: WAD, raised: usdc(940n), collateralLeft: 0n, shortfall: 0n, at: T0, debtRepaid: usdc(900n), penaltyPaid: usdc(40n), liquidatorBonus: 0n, protocolFee: 0n, reserveIn: usdc(40n) },
    ]);
  });
});

describe('an auction’s start, reset and keeper, in numbers', () => {
  // 1 WETH for a tab of 945 USDC (900 of debt), linear from 1,100; a keeper earns 5 USDC plus 1% of what is still to raise.
  const usdc = (n: bigint) => n * 10n ** 6n;
  const paid: PoolChanges = { auction: { keeperTip: usdc(5n), keeperChipBps: 100n } };
  const start = (position: PositionState, keeper?: string, changes: PoolChanges = paid) =>
    auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x', ...(keeper !== undefined ? { keeper } : {}) }, auctionDecider.initialState(), context(position, 'linear', T0, feed, changes));

  it('lives on the stream auction-<id>', () => {
    expect(auctionStream('x.4')).toBe('auction-x.4');
  });

  it('pays the keeper who starts it the tip plus its share of the tab, and a start by no keeper nothing', () => {
    const position = inLiquidation(WAD, usdc(900n));
    const [byKeeper] = start(position, 'k');
    // 5 + 1% of 945 = 14.45 USDC.
    expect(byKeeper).toMatchObject({ type: 'AuctionStarted', keeper: 'k', keeperReward: 14_450_000n, tab: usdc(945n) });
    const [byNone] = start(position);
    expect(byNone).toMatchObject({ type: 'AuctionStarted', keeperReward: 0n });
    expect('keeper' in byNone).toBe(false);
  });

  it('names a proof’s liquidator, who earns the bonus, and no liquidator for the ledger’s own detection, in the event and in the auction', () => {
    const [byProof] = start(inLiquidation(WAD, usdc(900n), 'liq'));
    expect(byProof).toMatchObject({ liquidator: 'liq' });
    expect(run(auctionDecider.initialState(), [byProof])).toMatchObject({ liquidator: 'liq' });
    const [detected] = start(inLiquidation(WAD, usdc(900n)));
    expect('liquidator' in detected).toBe(false);
    expect('liquidator' in run(auctionDecider.initialState(), [detected])).toBe(false);
  });

  it('starts once, only for the position being liquidated, and only where the pool reserved room for that position', () => {
    const position = inLiquidation(WAD, usdc(900n)) as ExistingPosition;
    const state = run(auctionDecider.initialState(), start(position));
    expect(refusalOf(() => auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, state, context(position, 'linear', T0)))).toEqual({
      code: 'AUCTION_EXISTS', message: 'auction x.4 already exists',
    });
    const startFor = (p: PositionState, positionId = 'x', ctx: AuctionContext = context(position, 'linear', T0)) =>
      refusalOf(() => auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId }, auctionDecider.initialState(), { ...ctx, position: p }));
    const notLiquidated = { code: 'NOT_IN_LIQUIDATION', message: 'the position is not being liquidated' };
    // A closed position is not liquidated, whatever it records; nor is another position, or one without a pending liquidation.
    expect(startFor({ ...position, status: 'closed' })).toEqual(notLiquidated);
    expect(startFor(position, 'y')).toEqual(notLiquidated);
    const { liquidation: _none, ...unliquidated } = position;
    expect(startFor(unliquidated)).toEqual(notLiquidated);
    // The pool reserved auction x.4 for position x: position y, in liquidation too, may not start it.
    const other: ExistingPosition = { ...position, positionId: 'y' };
    expect(startFor(other, 'y')).toEqual({ code: 'NOT_RESERVED', message: 'the pool holds no room for auction x.4' });
    expect(refusalCode(() => startFor(position))).toBeUndefined();
  });

  it('pays the keeper who resets it the tip plus its share of what is still to raise, and keeps a Dutch auction Dutch', () => {
    const position = inLiquidation(WAD, usdc(900n));
    const ctx = (now: bigint, feedNow: FeedState = feed) => context(position, 'linear', now, feedNow, paid);
    let state = run(auctionDecider.initialState(), start(position));
    // Half the WETH at 1,100 raises 550: 395 of the tab is left.
    state = run(state, auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD / 2n, maxPrice: 10n ** 30n }, state, ctx(T0)));
    // 101 s in the price (544.5) is below half the top: a keeper may reset at round 2's 800. 5 + 1% of 395 = 8.95 USDC.
    const fresh = priced(2n, 800n * WAD, T0 + 100n);
    expect(refusalOf(() => auctionDecider.decide({ type: 'ResetAuction', keeper: 'k', round: 2n }, state, ctx(T0 + 99n, fresh)))).toEqual({
      code: 'AUCTION_NOT_RESETTABLE', message: 'the auction is neither too old nor too far down to reset',
    });
    const reset = auctionDecider.decide({ type: 'ResetAuction', keeper: 'k', round: 2n }, state, ctx(T0 + 101n, fresh));
    expect(reset).toEqual([{ type: 'AuctionReset', keeper: 'k', keeperReward: 8_950_000n, round: 2n, price: 800n * WAD, top: 880n * WAD, at: T0 + 101n }]);
    expect(run(state, reset)).toMatchObject({ status: 'running', oracle: 800n * WAD, top: 880n * WAD, startedAt: T0 + 101n, sold: WAD / 2n, raised: usdc(550n), auction: { route: 'dutch' } });
  });

  it('needs a reset once older than its reset age, and not at exactly that age, however high its price', () => {
    // A stair of 1% an hour and no reset by price: only age makes the run over.
    const slow: PoolChanges = { auction: { curve: 'stairstep', cutBps: 100n, stepSeconds: 3_600n, resetBelowBps: 0n, resetAfterSeconds: 3_600n } };
    const position = inLiquidation(WAD, usdc(900n));
    const state = run(auctionDecider.initialState(), start(position, undefined, slow));
    if (state.status !== 'running') throw new Error(state.status);
    expect(auctionQuote(state, T0 + 3_600n)).toEqual({ price: 1_089n * WAD, needsReset: false });
    expect(auctionQuote(state, T0 + 3_601n)).toEqual({ price: 1_089n * WAD, needsReset: true });
    const take = (at: bigint) => refusalCode(() => auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD / 10n, maxPrice: 10n ** 30n }, state, context(position, 'linear', at, feed, slow)));
    expect(take(T0 + 3_600n)).toBeUndefined();
    expect(take(T0 + 3_601n)).toBe('AUCTION_NEEDS_RESET');
  });

  it('is refused by name when there is none, and once it is over', () => {
    const position = inLiquidation(WAD, usdc(900n));
    const take = (state: AuctionState) => refusalOf(() => auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD, maxPrice: 10n ** 30n }, state, context(position, 'linear', T0)));
    expect(take(auctionDecider.initialState())).toEqual({ code: 'AUCTION_NOT_FOUND', message: 'no such auction' });
    const state = run(auctionDecider.initialState(), start(position));
    const over = run(state, auctionDecider.decide({ type: 'TakeCollateral', taker: 't', collateral: WAD, maxPrice: 10n ** 30n }, state, context(position, 'linear', T0)));
    expect(take(over)).toEqual({ code: 'AUCTION_SETTLED', message: 'the auction is over' });
  });

  it('goes to the pool’s market at once only on the market route', () => {
    expect([sellsAtOnce('dutch'), sellsAtOnce('english'), sellsAtOnce('market')]).toEqual([false, false, true]);
  });
});

describe('an English auction’s bids, at their bounds', () => {
  // Deep under water at 1,000: a tab of 1,092 USDC for the whole WETH, a reserve of 950; bids beat the best by 5%; bidding
  // closes 100 s in, and a bid in its last 30 s moves the close to 30 s after it.
  const usdc = (n: bigint) => n * 10n ** 6n;
  const english: PoolChanges = { auction: { route: 'english', bidIncrementBps: 500n, biddingSeconds: 100n, extendSeconds: 30n } };
  const position = inLiquidation(WAD, usdc(1_040n));
  const ctx = (now: bigint, feedNow: FeedState = feed): AuctionContext => context(position, 'linear', now, feedNow, english);
  const opened = (): RunningAuction => {
    const state = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), ctx(T0)));
    if (state.status !== 'running') throw new Error(state.status);
    return state;
  };
  const bid = (state: AuctionState, bidder: string, amount: bigint, at: bigint) => auctionDecider.decide({ type: 'PlaceBid', bidder, amount }, state, ctx(at));
  const close = T0 + 100n;

  it('takes a bid at the very close, and refuses one after it, saying when bidding closed', () => {
    const state = opened();
    expect(bid(state, 'alice', usdc(950n), close)).toEqual([{ type: 'BidPlaced', bidder: 'alice', amount: usdc(950n), deadline: close + 30n, at: close }]);
    expect(refusalOf(() => bid(state, 'alice', usdc(950n), close + 1n))).toEqual({ code: 'AUCTION_ENDED', message: 'bidding has closed', details: { deadline: String(close) } });
  });

  it('refuses a bid of nothing, one above the tab, and one below the reserve, each saying why', () => {
    const state = opened();
    expect(refusalOf(() => bid(state, 'alice', 0n, T0 + 1n))).toEqual({ code: 'AMOUNT_NOT_POSITIVE', message: 'the bid must be positive' });
    expect(refusalCode(() => bid(state, 'alice', -1n, T0 + 1n))).toBe('AMOUNT_NOT_POSITIVE');
    expect(refusalOf(() => bid(state, 'alice', usdc(1_092n) + 1n, T0 + 1n))).toEqual({ code: 'BID_ABOVE_TAB', message: 'no bid may offer more than the tab', details: { tab: '1092' } });
    expect(refusalOf(() => bid(state, 'alice', usdc(949n), T0 + 1n))).toEqual({
      code: 'BID_BELOW_RESERVE', message: "the bid is below the auction's reserve: the lot at the oracle price less the liquidation penalty", details: { reserve: '950' },
    });
  });

  it('takes a bid of exactly the increment over the best, refuses a unit less saying the least bid, and lets the whole tab win over any best bid', () => {
    let state: AuctionState = opened();
    state = run(state, bid(state, 'alice', usdc(950n), T0 + 1n));
    // 5% over 950 is 997.5.
    expect(refusalOf(() => bid(state, 'bob', 997_499_999n, T0 + 2n))).toEqual({ code: 'BID_TOO_LOW', message: 'the bid does not beat the best bid by the increment', details: { minBid: '997.5' } });
    expect(bid(state, 'bob', 997_500_000n, T0 + 2n)).toEqual([
      { type: 'BidRefunded', bidder: 'alice', amount: usdc(950n) },
      { type: 'BidPlaced', bidder: 'bob', amount: 997_500_000n, deadline: close, at: T0 + 2n },
    ]);
    state = run(state, bid(state, 'bob', usdc(1_050n), T0 + 2n));
    // 5% over 1,050 is 1,102.5, above the 1,092 tab: the whole tab still beats it, and wins at once.
    expect(bid(state, 'carol', usdc(1_092n), T0 + 3n).map((e) => e.type)).toEqual(['BidRefunded', 'BidPlaced', 'AuctionWon', 'AuctionSettled']);
    expect(refusalCode(() => bid(state, 'carol', usdc(1_091n), T0 + 3n))).toBe('BID_TOO_LOW');
  });

  it('never takes a bid that does not beat the best, even where the increment were nothing (validateParameters requires at least 1 bps)', () => {
    const base = opened();
    let state: AuctionState = { ...base, auction: { ...base.auction, bidIncrementBps: 0n } };
    state = run(state, bid(state, 'alice', usdc(950n), T0 + 1n));
    expect(refusalOf(() => bid(state, 'bob', usdc(950n), T0 + 2n))).toEqual({ code: 'BID_TOO_LOW', message: 'the bid does not beat the best bid', details: { minBid: '950' } });
    expect(refusalCode(() => bid(state, 'bob', usdc(950n) + 1n, T0 + 2n))).toBeUndefined();
  });

  it('needs a reset only once bidding closed without a bid; with a bid, the close is a keeper’s step instead', () => {
    const state = opened();
    const fresh = priced(2n, 900n * WAD, close);
    const reset = (s: AuctionState, at: bigint) => refusalCode(() => auctionDecider.decide({ type: 'ResetAuction', keeper: 'k', round: 2n }, s, ctx(at, fresh)));
    const sell = (s: AuctionState, at: bigint) => refusalCode(() => auctionDecider.decide({ type: 'SellToMarket', collateral: WAD, paid: usdc(900n), price: 900n * WAD }, s, ctx(at, fresh)));
    const dueStep = AUCTION_ROUTES.english.dueStep!;
    // No bid: at the close it is not over yet; a second later it is.
    expect([auctionQuote(state, close).needsReset, reset(state, close), sell(state, close), dueStep(state, close + 1n)]).toEqual([false, 'AUCTION_NOT_RESETTABLE', 'AUCTION_RUNNING', undefined]);
    expect([auctionQuote(state, close + 1n).needsReset, reset(state, close + 1n), sell(state, close + 1n)]).toEqual([true, undefined, undefined]);
    // A bid: after the close the best bid wins, by a keeper's close; no reset, no market sale.
    const bidden = run(state, bid(state, 'alice', usdc(950n), T0 + 1n));
    if (bidden.status !== 'running') throw new Error(bidden.status);
    expect([auctionQuote(bidden, close + 1n).needsReset, reset(bidden, close + 1n), sell(bidden, close + 1n)]).toEqual([false, 'AUCTION_NOT_RESETTABLE', 'AUCTION_RUNNING']);
    expect([dueStep(bidden, close), dueStep(bidden, close + 1n)]).toEqual([undefined, 'close']);
  });

  it('has no close of bidding on a Dutch run, and says so', () => {
    const dutch = run(auctionDecider.initialState(), auctionDecider.decide({ type: 'StartAuction', auctionId: 'x.4', positionId: 'x' }, auctionDecider.initialState(), context(position, 'linear', T0)));
    if (dutch.status !== 'running') throw new Error(dutch.status);
    expect(refusalOf(() => AUCTION_ROUTES.english.dueStep!({ ...dutch, bid: { bidder: 'alice', amount: usdc(950n) } }, T0))).toEqual({
      code: 'NOT_AN_ENGLISH_AUCTION', message: 'a Dutch auction takes takes, not bids',
    });
  });
});
