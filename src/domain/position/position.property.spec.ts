/**
 * Properties of the position rules over random command sequences (fast-check): whatever a borrower
 * tries, what the ledger accepts never leaves the position above max LTV at the price it was checked
 * against, and every rounding is the pool's way.
 */
import fc from 'fast-check';
import { loadCrypto } from '../crypto/crypto';
import { DomainError } from '../decider';
import { indexAt } from '../interest/stability-fee';
import { RAY, WAD } from '../math/fixed-point';
import { PoolState, poolDecider, PoolParameters } from '../pool/pool';
import { collateralValueOf, debtOf, unitOf } from '../risk/liquidation-rule';
import { exceedsMaxLtv } from '../risk/position-risk';
import { PositionCommand, PositionContext, positionDecider, PositionState } from './position';

const parameters: PoolParameters = {
  maxLtvBps: 7500n,
  liquidationThresholdBps: 8250n,
  liquidationPenaltyBps: 500n,
  liquidatorBonusBps: 300n,
  protocolFeeBps: 1000n,
  closeFactorBps: 5000n,
  fullCloseHealthFactor: 95n * 10n ** 16n,
  dustLimit: 0n,
  liquidationCollateralCap: 10n ** 24n,
  stabilityFeeYearly: WAD / 5n, // 20% a year, so interest moves the index visibly over the run
};

function createdPool(collateralDecimals: number, debtDecimals: number): PoolState {
  const [created] = poolDecider.decide(
    { type: 'CreatePool', poolId: 'p', collateral: { symbol: 'C', decimals: collateralDecimals }, debt: { symbol: 'D', decimals: debtDecimals }, feed: 'F', parameters, now: 0n },
    poolDecider.initialState(),
    undefined,
  );
  return poolDecider.evolve(poolDecider.initialState(), created);
}

type Step = { kind: 'DepositCollateral' | 'WithdrawCollateral' | 'DrawDebt' | 'RepayDebt'; amount: bigint; price: bigint; dt: bigint };

const step = fc.record({
  kind: fc.constantFrom('DepositCollateral', 'WithdrawCollateral', 'DrawDebt', 'RepayDebt') as fc.Arbitrary<Step['kind']>,
  amount: fc.bigInt({ min: 1n, max: 10n ** 24n }),
  price: fc.bigInt({ min: 10n ** 15n, max: 10n ** 23n }),
  dt: fc.bigInt({ min: 0n, max: 30n * 86_400n }),
});

beforeAll(() => loadCrypto());

describe('position properties', () => {
  it('no sequence of accepted commands leaves a position above max LTV at the price it was checked against', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 18 }), fc.array(step, { minLength: 1, maxLength: 25 }), (cd, dd, steps) => {
        const pool = createdPool(cd, dd);
        if (pool.status !== 'active') throw new Error('pool not created');
        let now = 0n;
        let salt = 1n;
        const context = (price: bigint): PositionContext => ({ pool, price: { status: 'fresh', value: price, round: 1n }, feed: { status: 'absent' }, now });
        let state: PositionState = positionDecider.initialState();
        for (const e of positionDecider.decide({ type: 'OpenPosition', positionId: 'x', poolId: 'p', owner: 'o', salt: salt++ }, state, context(WAD))) state = positionDecider.evolve(state, e);

        for (const s of steps) {
          now += s.dt;
          const command = { type: s.kind, amount: s.amount, salt: salt++ } as PositionCommand;
          let events;
          try {
            events = positionDecider.decide(command, state, context(s.price));
          } catch (err) {
            if (err instanceof DomainError) continue; // refused: nothing changes
            throw err;
          }
          for (const e of events) state = positionDecider.evolve(state, e);
          if (state.status === 'absent') throw new Error('position vanished');
          if (s.kind === 'WithdrawCollateral' || s.kind === 'DrawDebt') {
            const debt = debtOf(state.scaledDebt, indexAt(pool.interest, now));
            const value = collateralValueOf(state.collateral, s.price, unitOf(cd), unitOf(dd));
            expect(exceedsMaxLtv(value, debt, parameters.maxLtvBps)).toBe(false);
            checked++;
          }
        }
      }),
      { numRuns: 150 },
    );
    // The property held over accepted withdrawals and draws, not only over refusals.
    expect(checked).toBeGreaterThan(100);
  });

  it('rounds the pool’s way: a draw owes at least the amount, a repayment clears at most what it pays, repay-all clears exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 24n }),
        fc.bigInt({ min: 1n, max: 10n ** 24n }),
        fc.bigInt({ min: 0n, max: 5n * 365n * 86_400n }),
        (drawn, repaid, elapsed) => {
          const pool = createdPool(18, 6);
          if (pool.status !== 'active') throw new Error('pool not created');
          const now = elapsed;
          const index = indexAt(pool.interest, now);
          // 1e24 collateral units at this price are worth 4e24 debt units: every draw here is within max LTV.
          const ctx: PositionContext = { pool, price: { status: 'fresh', value: 4n * 10n ** 30n, round: 1n }, feed: { status: 'absent' }, now };
          let state: PositionState = positionDecider.initialState();
          const apply = (c: PositionCommand) => {
            for (const e of positionDecider.decide(c, state, ctx)) state = positionDecider.evolve(state, e);
          };
          const balances = () => {
            const current = state as PositionState;
            if (current.status === 'absent') throw new Error('position vanished');
            return current;
          };
          apply({ type: 'OpenPosition', positionId: 'x', poolId: 'p', owner: 'o', salt: 1n });
          apply({ type: 'DepositCollateral', amount: 10n ** 24n, salt: 2n });
          apply({ type: 'DrawDebt', amount: drawn, salt: 3n });
          const owed = debtOf(balances().scaledDebt, index);
          expect(owed).toBeGreaterThanOrEqual(drawn);
          // The scaled debt rounds up: owing less than drawn would be a loss to the pool.
          expect(balances().scaledDebt * index).toBeGreaterThanOrEqual(drawn * RAY);

          const pay = repaid < owed ? repaid : owed - 1n;
          if (pay > 0n) {
            const before = balances().scaledDebt;
            apply({ type: 'RepayDebt', amount: pay, salt: 4n });
            // What a partial repayment clears is worth no more than what it paid.
            expect((before - balances().scaledDebt) * index).toBeLessThanOrEqual(pay * RAY);
            expect(debtOf(balances().scaledDebt, index)).toBeGreaterThanOrEqual(owed - pay);
          }
          apply({ type: 'RepayDebt', amount: 'all', salt: 5n });
          expect(balances().scaledDebt).toBe(0n);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('values collateral down and debt up against exact rational arithmetic', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 88n - 1n }), fc.bigInt({ min: 1n, max: 2n ** 88n - 1n }), fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 18 }), (amount, price, cd, dd) => {
        const value = collateralValueOf(amount, price, unitOf(cd), unitOf(dd));
        // value ≤ exact < value + 1, i.e. value is the floor of amount × price × du / (WAD × cu)
        const numerator = amount * price * unitOf(dd);
        const denominator = WAD * unitOf(cd);
        expect(value * denominator).toBeLessThanOrEqual(numerator);
        expect((value + 1n) * denominator).toBeGreaterThan(numerator);
        const index = RAY + price % RAY;
        const debt = debtOf(amount, index);
        expect(debt * RAY).toBeGreaterThanOrEqual(amount * index);
        expect((debt - 1n) * RAY < amount * index || debt === 0n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
