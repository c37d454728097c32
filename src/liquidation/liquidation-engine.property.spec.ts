/**
 * The liquidation engine as a whole, over random positions and random price paths, with the ledger's
 * own pieces and no I/O: the watch finds what is due, the deciders trigger, reserve, auction, settle and
 * account, as the detector and the saga do, and a keeper takes every auction at its price. After the
 * engine settles at each price:
 * - no position is below health factor 1 without a liquidation under way;
 * - no position is left with dust: its debt is nothing or at least the dust limit, though interest
 *   accrues while its auction runs;
 * - collateral is conserved: deposited = held by borrowers + bought by takers;
 * - money is conserved: what takers paid = debt repaid + the penalties collected, and the penalties
 *   land with liquidators, the reserve or nowhere else; bad debt = covered by the reserve + socialized;
 * - no debt vanished: drawn ≤ owed + repaid + written off.
 */
import fc from 'fast-check';
import { auctionDecider, AuctionEvent, AuctionState, auctionStream } from '../domain/auction/auction';
import { loadCrypto } from '../domain/crypto/crypto';
import { LedgerEvent } from '../domain/events';
import { indexAt } from '../domain/interest/stability-fee';
import { WAD } from '../domain/math/fixed-point';
import { FeedEvent, feedDecider, FeedState } from '../domain/oracle/feed';
import { PoolEvent, poolDecider, PoolState, poolStream } from '../domain/pool/pool';
import { PositionCommand, positionDecider, PositionEvent, PositionState, positionStream } from '../domain/position/position';
import { debtOf, isLiquidatable, unitOf } from '../domain/risk/liquidation-rule';
import { LiquidationStep, LiquidationWatch } from './liquidation-watch';

const T0 = 1_800_000_000n;
const USDC = 10n ** 6n;

beforeAll(() => loadCrypto());

/** The ledger in memory: streams as arrays, every append folded into the watch, as the detector would see it. */
class Ledger {
  readonly watch = new LiquidationWatch();
  readonly revisions = new Map<string, bigint>();
  pool: PoolState = poolDecider.initialState();
  feed: FeedState = feedDecider.initialState();
  readonly positions = new Map<string, PositionState>();
  readonly auctions = new Map<string, AuctionState>();
  readonly log: Array<{ stream: string; event: LedgerEvent }> = [];
  now = T0;
  /** How long a keeper waits before taking a running auction. */
  takeAfterSeconds = 0n;
  private salt = 1n;
  private round = 0n;

  constructor() {
    // Deviations up to 90% never pause it: the paths here are steep.
    this.append('oracle-F', [{ type: 'FeedRegistered', feed: 'F', quorum: 1, heartbeatSeconds: 3_600, deviationLimitBps: 9_000n, maxFutureSkewSeconds: 30 }]);
  }

  append(stream: string, events: LedgerEvent[]): void {
    for (const event of events) {
      const revision = (this.revisions.get(stream) ?? -1n) + 1n;
      this.revisions.set(stream, revision);
      this.log.push({ stream, event });
      if (stream.startsWith('oracle-')) this.feed = feedDecider.evolve(this.feed, event as FeedEvent);
      if (stream.startsWith('pool-')) this.pool = poolDecider.evolve(this.pool, event as PoolEvent);
      if (stream.startsWith('position-')) {
        const id = stream.slice('position-'.length);
        this.positions.set(id, positionDecider.evolve(this.positions.get(id) ?? positionDecider.initialState(), event as PositionEvent));
      }
      if (stream.startsWith('auction-')) {
        const id = stream.slice('auction-'.length);
        this.auctions.set(id, auctionDecider.evolve(this.auctions.get(id) ?? auctionDecider.initialState(), event as AuctionEvent));
      }
      this.watch.apply(stream, revision, event);
    }
  }

  price(price: bigint): void {
    this.append('oracle-F', [{ type: 'PriceUpdated', round: ++this.round, price, at: this.now, oracles: ['o'] }]);
  }

  position(id: string, command: PositionCommand): void {
    const state = this.positions.get(id) ?? positionDecider.initialState();
    const context = { pool: this.pool, feed: this.feed, price: { status: 'fresh' as const, value: this.feed.status === 'active' ? this.feed.price!.value : 0n, round: this.round }, now: this.now };
    this.append(positionStream(id), positionDecider.decide({ ...command, salt: this.salt++ } as PositionCommand, state, context));
  }

  /** What the detector and the saga would do now, until nothing is left to do; a keeper takes every auction at its price. */
  settle(): void {
    for (let guard = 0; guard < 1_000; guard++) {
      const due = this.watch.due('p', this.now);
      const steps: LiquidationStep[] = this.watch.pendingSteps();
      const running = [...this.auctions.entries()].filter(([, a]) => a.status === 'running');
      if (!due.length && !steps.length && !running.length) return;
      for (const d of due) this.position(d.positionId, { type: 'DetectLiquidation', round: d.round, salt: 0n });
      for (const step of steps) this.take(step);
      if (running.length) this.now += this.takeAfterSeconds;
      for (const [id, auction] of running) {
        if (auction.status !== 'running') continue;
        // The keeper asks for the whole lot at any price: it gets what the tab needs.
        this.append(auctionStream(id), auctionDecider.decide({ type: 'TakeCollateral', taker: 'keeper', collateral: auction.lot, maxPrice: 10n ** 40n }, auction, this.auctionContext(auction.positionId)));
      }
    }
    throw new Error('the engine did not settle');
  }

  private auctionContext(positionId: string) {
    return { position: this.positions.get(positionId)!, pool: this.pool, feed: this.feed, now: this.now };
  }

  private take(step: LiquidationStep): void {
    switch (step.step) {
      case 'reserve':
        this.append(poolStream('p'), poolDecider.decide({ type: 'ReserveLiquidation', auctionId: step.auctionId, positionId: step.positionId, round: step.round, now: this.now }, this.pool, { position: this.positions.get(step.positionId)!, feed: this.feed }));
        return;
      case 'start':
        this.append(auctionStream(step.auctionId), auctionDecider.decide({ type: 'StartAuction', auctionId: step.auctionId, positionId: step.positionId }, auctionDecider.initialState(), this.auctionContext(step.positionId)));
        return;
      case 'settle':
        this.position(step.positionId, { type: 'SettleLiquidation', auctionId: step.auctionId, collateralSold: step.collateralSold, debtRepaid: step.debtRepaid, salt: 0n });
        return;
      case 'account':
        this.append(poolStream('p'), poolDecider.decide({ type: 'AccountLiquidation', auctionId: step.auctionId, reserveIn: step.reserveIn, keeperRewards: step.keeperRewards, badDebt: step.badDebt, now: this.now }, this.pool, undefined));
        return;
      default:
        throw new Error(`no ${step.step} in this pool`);
    }
  }
}

const borrower = fc.record({ collateral: fc.integer({ min: 1, max: 50 }), ltvBps: fc.integer({ min: 1_000, max: 7_400 }) });
const move = fc.record({ bps: fc.integer({ min: -2_500, max: 800 }), seconds: fc.integer({ min: 1, max: 3_000 }), takeAfterSeconds: fc.integer({ min: 0, max: 90 }) });

describe('the liquidation engine', () => {
  it('leaves no position below the line without a liquidation under way, and conserves collateral and money', () => {
    let liquidated = 0;
    fc.assert(
      fc.property(fc.array(borrower, { minLength: 1, maxLength: 12 }), fc.array(move, { minLength: 1, maxLength: 8 }), (borrowers, path) => {
        const ledger = new Ledger();
        ledger.price(2_000n * WAD);
        ledger.append(poolStream('p'), poolDecider.decide({
          type: 'CreatePool', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F', now: T0,
          parameters: {
            maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n, closeFactorBps: 5_000n,
            fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n * USDC, liquidationCollateralCap: 10n ** 26n, stabilityFeeYearly: WAD / 10n,
          },
        }, ledger.pool, undefined));
        let deposited = 0n;
        let drawn = 0n;
        for (const [i, b] of borrowers.entries()) {
          const collateral = BigInt(b.collateral) * (WAD / 10n);
          const debt = (((collateral * 2_000n) / 10n ** 12n) * BigInt(b.ltvBps)) / 10_000n;
          ledger.position(`x${i}`, { type: 'OpenPosition', positionId: `x${i}`, poolId: 'p', owner: 'o', salt: 0n });
          ledger.position(`x${i}`, { type: 'DepositCollateral', amount: collateral, salt: 0n });
          deposited += collateral;
          if (debt >= 10n * USDC) {
            ledger.position(`x${i}`, { type: 'DrawDebt', amount: debt, salt: 0n });
            drawn += debt;
          }
        }
        let price = 2_000n * WAD;
        for (const m of path) {
          ledger.now += BigInt(m.seconds);
          price = (price * BigInt(10_000 + m.bps)) / 10_000n;
          ledger.takeAfterSeconds = BigInt(m.takeAfterSeconds);
          ledger.price(price);
          ledger.settle();

          const pool = ledger.pool;
          if (pool.status !== 'active') throw new Error('pool');
          const index = indexAt(pool.interest, ledger.now);
          const units = { collateralUnit: unitOf(18), debtUnit: unitOf(6) };
          let held = 0n;
          let owed = 0n;
          for (const p of ledger.positions.values()) {
            if (p.status !== 'open') continue;
            held += p.collateral;
            owed += debtOf(p.scaledDebt, index);
            const below = p.scaledDebt > 0n && isLiquidatable({ collateral: p.collateral, scaledDebt: p.scaledDebt, price, thresholdBps: pool.parameters.liquidationThresholdBps, borrowIndex: index, ...units });
            expect(below && !p.liquidation).toBe(false);
            const debt = debtOf(p.scaledDebt, index);
            expect(debt === 0n || debt >= pool.parameters.dustLimit).toBe(true);
          }
          const events = ledger.log.map((l) => l.event);
          const sum = <E extends LedgerEvent>(type: E['type'], f: (e: E) => bigint) => events.filter((e): e is E => e.type === type).reduce((a, e) => a + f(e), 0n);
          const bought = sum<Extract<AuctionEvent, { type: 'CollateralTaken' }>>('CollateralTaken', (e) => e.collateral);
          const paid = sum<Extract<AuctionEvent, { type: 'CollateralTaken' }>>('CollateralTaken', (e) => e.paid);
          const settled = events.filter((e): e is Extract<AuctionEvent, { type: 'AuctionSettled' }> => e.type === 'AuctionSettled');
          const repaidByPositions = sum<Extract<PositionEvent, { type: 'LiquidationSettled' }>>('LiquidationSettled', (e) => e.debtRepaid);
          const badDebt = sum<Extract<PositionEvent, { type: 'LiquidationSettled' }>>('LiquidationSettled', (e) => e.badDebt);
          const accounted = events.filter((e): e is Extract<PoolEvent, { type: 'LiquidationAccounted' }> => e.type === 'LiquidationAccounted');
          // Collateral: deposited = held + bought by takers.
          expect(held + bought).toBe(deposited);
          // Money: every unit takers paid is debt repaid or penalty, and every penalty lands with a liquidator or the reserve.
          expect(paid).toBe(settled.reduce((a, s) => a + s.debtRepaid + s.penaltyPaid, 0n));
          for (const s of settled) expect(s.liquidatorBonus - s.protocolFee + s.reserveIn).toBe(s.penaltyPaid);
          // Bad debt: what positions wrote off is what the pool covered or socialized.
          expect(accounted.reduce((a, e) => a + e.coveredByReserve + e.socialized, 0n)).toBe(badDebt);
          expect(pool.reserve).toBe(accounted.reduce((a, e) => a + e.reserveIn, 0n) - accounted.reduce((a, e) => a + e.coveredByReserve, 0n));
          // No debt vanished: drawn ≤ owed + repaid + written off.
          expect(drawn <= owed + repaidByPositions + badDebt).toBe(true);
          liquidated += settled.length;
        }
      }),
      { numRuns: 60 },
    );
    expect(liquidated).toBeGreaterThan(20);
  });
});
