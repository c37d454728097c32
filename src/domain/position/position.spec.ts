/**
 * A position's rules one by one, at their boundaries: a withdrawal takes out exactly what it names and
 * never above max LTV; nothing is drawn, withdrawn or closed during a liquidation; debt is zero or at
 * least the dust limit; every change needs a fresh non-zero field element as salt; no balance reaches
 * 2^88; a liquidator's proof, once the ledger holds its claim, puts the position in liquidation; and a
 * liquidation settles by what its auction sold and repaid (at the reservation's borrow index), writing
 * off what is left as bad debt once no collateral is.
 */
import { FIELD_MODULUS, idToField, loadCrypto, positionCommitment } from '../crypto/crypto';
import { LiquidationPublicSignals } from '../liquidation/public-signals';
import { RAY, WAD } from '../math/fixed-point';
import { FeedState } from '../oracle/feed';
import BTree from 'sorted-btree';
import { PoolState, Reservation } from '../pool/pool';
import { refusalCode, refusalOf } from '../testing';
import { ExistingPosition, PendingLiquidation, PositionCommand, PositionContext, positionDecider, PositionEvent, PositionState, positionStream } from './position';

const USDC = 10n ** 6n;
const T0 = 1_800_000_000n;

/** WETH / USDC at a fixed borrow index of 1.2 (no interest accrues), max LTV 75%, dust 10 USDC. */
function pool(reserved: Record<string, Reservation> = {}): PoolState {
  return {
    status: 'active', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F',
    parameters: {
      maxLtvBps: 7_500n, liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
      closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n * USDC, liquidationCollateralCap: 10n ** 30n, stabilityFeeYearly: 0n,
    },
    interest: { index: (RAY * 12n) / 10n, at: T0, ratePerSecond: RAY }, reserve: 0n, socializedLoss: 0n, collateralUnderAuction: 0n, reservations: new BTree(Object.entries(reserved)), liquidationsPaused: false,
  };
}

const context = (overrides: Partial<PositionContext> = {}): PositionContext => ({
  pool: pool(), price: { status: 'fresh', value: 1_000n * WAD, round: 1n }, feed: { status: 'absent' }, now: T0, ...overrides,
});

const detected: PendingLiquidation = { by: 'detection', feed: 'F', round: 1n, price: 1_000n * WAD };

/** An open position with these balances and salt 7 (its commitment is not checked by decide). */
function position(collateral: bigint, scaledDebt: bigint, liquidation?: PendingLiquidation): ExistingPosition {
  return { status: 'open', positionId: 'x', poolId: 'p', owner: 'o', salt: 7n, commitment: 0n, collateral, scaledDebt, nullifiers: [], ...(liquidation ? { liquidation } : {}) };
}

const decide = (command: PositionCommand, state: PositionState, ctx: PositionContext = context()) => positionDecider.decide(command, state, ctx);
const committed = (collateral: bigint, scaledDebt: bigint, salt: bigint) => ({ collateral, scaledDebt, salt, commitment: positionCommitment(collateral, scaledDebt, salt) });

beforeAll(() => loadCrypto());

describe('a withdrawal', () => {
  it('takes out exactly the amount named, and commits to the balances after it', () => {
    expect(decide({ type: 'WithdrawCollateral', amount: WAD / 4n, salt: 8n }, position(WAD, 0n))).toEqual([{ type: 'CollateralWithdrawn', amount: WAD / 4n, ...committed((3n * WAD) / 4n, 0n, 8n) }]);
    expect(decide({ type: 'WithdrawCollateral', amount: WAD, salt: 8n }, position(WAD, 0n))).toEqual([{ type: 'CollateralWithdrawn', amount: WAD, ...committed(0n, 0n, 8n) }]);
  });

  it('is refused beyond the collateral held, and above max LTV, but allowed at exactly max LTV', () => {
    expect(refusalCode(() => decide({ type: 'WithdrawCollateral', amount: WAD + 1n, salt: 8n }, position(WAD, 0n)))).toBe('INSUFFICIENT_COLLATERAL');
    // 500 scaled USDC at index 1.2 is 600 USDC: 0.8 WETH (800 USDC) is exactly 75%; a wei less is above it.
    const borrower = position(WAD, 500n * USDC);
    expect(refusalCode(() => decide({ type: 'WithdrawCollateral', amount: WAD / 5n, salt: 8n }, borrower))).toBeUndefined();
    expect(refusalCode(() => decide({ type: 'WithdrawCollateral', amount: WAD / 5n + 1n, salt: 8n }, borrower))).toBe('LTV_EXCEEDED');
    expect(refusalCode(() => decide({ type: 'WithdrawCollateral', amount: 0n, salt: 8n }, borrower))).toBe('AMOUNT_NOT_POSITIVE');
  });
});

describe('during a liquidation', () => {
  const liquidated = position(WAD, 500n * USDC, detected);

  it('nothing is drawn, withdrawn or closed', () => {
    for (const command of [
      { type: 'WithdrawCollateral', amount: 1n, salt: 8n },
      { type: 'DrawDebt', amount: USDC, salt: 8n },
      { type: 'ClosePosition', salt: 8n },
    ] as PositionCommand[]) {
      expect([command.type, refusalCode(() => decide(command, liquidated))]).toEqual([command.type, 'LIQUIDATION_IN_PROGRESS']);
    }
  });

  it('the borrower may still top up or repay', () => {
    expect(refusalCode(() => decide({ type: 'DepositCollateral', amount: WAD, salt: 8n }, liquidated))).toBeUndefined();
    expect(refusalCode(() => decide({ type: 'RepayDebt', amount: 100n * USDC, salt: 8n }, liquidated))).toBeUndefined();
  });

  it('the ledger does not detect it a second time', () => {
    expect(refusalOf(() => decide({ type: 'DetectLiquidation', round: 1n, salt: 8n }, liquidated))).toEqual({ code: 'LIQUIDATION_IN_PROGRESS', message: expect.stringMatching(/already being liquidated/) });
  });
});

describe('the dust limit', () => {
  it('refuses a draw that leaves debt below it, and takes one that reaches it exactly', () => {
    // 9.999998 USDC owes 9.999999 (rounded up) at index 1.2: below; 9.999999 owes exactly 10.
    expect(refusalCode(() => decide({ type: 'DrawDebt', amount: 10n * USDC - 2n, salt: 8n }, position(WAD, 0n)))).toBe('BELOW_DUST');
    expect(refusalCode(() => decide({ type: 'DrawDebt', amount: 10n * USDC - 1n, salt: 8n }, position(WAD, 0n)))).toBeUndefined();
    const [drawn] = decide({ type: 'DrawDebt', amount: 12n * USDC, salt: 8n }, position(WAD, 0n));
    // 12 USDC at index 1.2 is 10 scaled, rounded up.
    expect(drawn).toEqual({ type: 'DebtDrawn', amount: 12n * USDC, borrowIndex: (RAY * 12n) / 10n, ...committed(WAD, 10n * USDC, 8n) });
  });

  it('refuses a repayment that leaves debt below it, and takes one that repays it all', () => {
    // 20 scaled is 24 USDC: repaying 14.000002 would leave 9.999999, and 14.000001 leaves 10 (its scaled amount rounds down).
    const borrower = position(WAD, 20n * USDC);
    expect(refusalCode(() => decide({ type: 'RepayDebt', amount: 14n * USDC + 2n, salt: 8n }, borrower))).toBe('BELOW_DUST');
    expect(refusalCode(() => decide({ type: 'RepayDebt', amount: 14n * USDC + 1n, salt: 8n }, borrower))).toBeUndefined();
    expect(decide({ type: 'RepayDebt', amount: 14n * USDC, salt: 8n }, borrower)).toEqual([{ type: 'DebtRepaid', amount: 14n * USDC, borrowIndex: (RAY * 12n) / 10n, ...committed(WAD, 20n * USDC - 11_666_666n, 8n) }]);
    expect(decide({ type: 'RepayDebt', amount: 'all', salt: 8n }, borrower)).toEqual([{ type: 'DebtRepaid', amount: 24n * USDC, borrowIndex: (RAY * 12n) / 10n, ...committed(WAD, 0n, 8n) }]);
  });

  it('refuses repaying more than the debt, or repaying no debt at all', () => {
    expect(refusalCode(() => decide({ type: 'RepayDebt', amount: 24n * USDC + 1n, salt: 8n }, position(WAD, 20n * USDC)))).toBe('REPAY_EXCEEDS_DEBT');
    expect(refusalCode(() => decide({ type: 'RepayDebt', amount: 'all', salt: 8n }, position(WAD, 0n)))).toBe('NO_DEBT');
  });
});

describe('salts', () => {
  it('are non-zero field elements, fresh for every change', () => {
    const open = position(WAD, 0n);
    const deposit = (salt: bigint) => refusalCode(() => decide({ type: 'DepositCollateral', amount: 1n, salt }, open));
    expect([deposit(0n), deposit(FIELD_MODULUS), deposit(-1n)]).toEqual(['INVALID_SALT', 'INVALID_SALT', 'INVALID_SALT']);
    expect(deposit(7n)).toBe('SALT_REUSED');
    expect(deposit(FIELD_MODULUS - 1n)).toBeUndefined();
    expect(refusalCode(() => decide({ type: 'OpenPosition', positionId: 'y', poolId: 'p', owner: 'o', salt: 0n }, positionDecider.initialState()))).toBe('INVALID_SALT');
  });
});

describe('the 2^88 bound of the circuit', () => {
  const MAX = (1n << 88n) - 1n;

  it('refuses an amount or a balance above it, and takes one at it', () => {
    expect(refusalCode(() => decide({ type: 'DepositCollateral', amount: MAX + 1n, salt: 8n }, position(0n, 0n)))).toBe('AMOUNT_TOO_LARGE');
    expect(refusalCode(() => decide({ type: 'DepositCollateral', amount: MAX, salt: 8n }, position(1n, 0n)))).toBe('AMOUNT_TOO_LARGE');
    expect(decide({ type: 'DepositCollateral', amount: MAX - 1n, salt: 8n }, position(1n, 0n))).toEqual([{ type: 'CollateralDeposited', amount: MAX - 1n, ...committed(MAX, 0n, 8n) }]);
    // A draw whose scaled debt would pass the bound, with collateral to spare.
    const rich = position(MAX, MAX - 5n);
    expect(refusalCode(() => decide({ type: 'DrawDebt', amount: 12n, salt: 8n }, rich, context({ price: { status: 'fresh', value: 10n ** 24n, round: 1n } })))).toBe('AMOUNT_TOO_LARGE');
  });
});

describe('closing', () => {
  it('returns the collateral once no debt is owed, and is refused while some is', () => {
    expect(refusalCode(() => decide({ type: 'ClosePosition', salt: 8n }, position(WAD, 1n)))).toBe('DEBT_OUTSTANDING');
    const events = decide({ type: 'ClosePosition', salt: 8n }, position(WAD, 0n));
    expect(events).toEqual([{ type: 'PositionClosed', collateralReturned: WAD, ...committed(0n, 0n, 8n) }]);
    const closed = events.reduce(positionDecider.evolve, position(WAD, 0n) as PositionState);
    expect(closed).toMatchObject({ status: 'closed', collateral: 0n, scaledDebt: 0n, salt: 8n });
    expect(refusalCode(() => decide({ type: 'DepositCollateral', amount: 1n, salt: 9n }, closed))).toBe('POSITION_CLOSED');
  });

  it('needs a fresh price, as every change does', () => {
    expect(refusalCode(() => decide({ type: 'ClosePosition', salt: 8n }, position(WAD, 0n), context({ price: { status: 'stale' } })))).toBe('STALE_PRICE');
    expect(refusalCode(() => decide({ type: 'ClosePosition', salt: 8n }, position(WAD, 0n), context({ price: { status: 'none' } })))).toBe('NO_PRICE');
  });
});

describe('the settlement of a liquidation', () => {
  // Reserved when the borrow index was 1.1; it is 1.2 now. 1,000 scaled USDC owed 1,100 then.
  const reserved: Reservation = { positionId: 'x', round: 1n, price: 1_000n * WAD, borrowIndex: (RAY * 11n) / 10n, debtToCover: 1_100n * USDC, penalty: 55n * USDC, tab: 1_155n * USDC, lot: WAD };
  const ctx = context({ pool: pool({ 'x.4': reserved }) });
  const liquidated = position(WAD, 1_000n * USDC, detected);
  const settle = (collateralSold: bigint, debtRepaid: bigint, state: PositionState = liquidated, auctionId = 'x.4') =>
    decide({ type: 'SettleLiquidation', auctionId, collateralSold, debtRepaid, salt: 8n }, state, ctx);
  const settled = (collateralSold: bigint, debtRepaid: bigint, badDebt: bigint, collateral: bigint, scaledDebt: bigint, auctionId = 'x.4'): PositionEvent => ({
    type: 'LiquidationSettled', auctionId, collateralSold, debtRepaid, badDebt, borrowIndex: (RAY * 12n) / 10n, ...committed(collateral, scaledDebt, 8n),
  });

  it('takes off what was sold, and the debt repaid at the reservation’s borrow index', () => {
    // 550 USDC at 1.1 clears 500 scaled.
    expect(settle((6n * WAD) / 10n, 550n * USDC)).toEqual([settled((6n * WAD) / 10n, 550n * USDC, 0n, (4n * WAD) / 10n, 500n * USDC)]);
  });

  it('repays at the borrow index now when the pool holds no reservation for the auction', () => {
    // 600 USDC at 1.2 clears 500 scaled.
    expect(settle(WAD / 2n, 600n * USDC, liquidated, 'x.9')).toEqual([settled(WAD / 2n, 600n * USDC, 0n, WAD / 2n, 500n * USDC, 'x.9')]);
  });

  it('repays at most the debt, which clears it exactly', () => {
    expect(settle(WAD, 2_000n * USDC)).toEqual([settled(WAD, 1_100n * USDC, 0n, 0n, 0n)]);
  });

  it('writes off what is left as bad debt, at the borrow index now, once no collateral is left', () => {
    // 770 USDC at 1.1 clears 700 scaled; the 300 scaled left is 360 USDC now.
    expect(settle(WAD, 770n * USDC)).toEqual([settled(WAD, 770n * USDC, 360n * USDC, 0n, 0n)]);
  });

  it('keeps the balances of an auction that sold nothing, and ends the liquidation', () => {
    const events = settle(0n, 0n);
    expect(events).toEqual([settled(0n, 0n, 0n, WAD, 1_000n * USDC)]);
    const after = events.reduce(positionDecider.evolve, liquidated as PositionState);
    expect(after).toEqual({ ...liquidated, liquidation: undefined, ...committed(WAD, 1_000n * USDC, 8n) });
    expect(after).not.toHaveProperty('liquidation');
  });

  it('is refused when the position is not in liquidation, when it would sell more than the collateral, or with a reused salt, saying why', () => {
    expect(refusalOf(() => settle(0n, 0n, position(WAD, 1_000n * USDC)))).toEqual({ code: 'NOT_IN_LIQUIDATION', message: expect.stringMatching(/not being liquidated/) });
    expect(refusalOf(() => settle(WAD + 1n, 0n))).toEqual({ code: 'INVALID_SETTLEMENT', message: expect.stringMatching(/more collateral than the position holds/) });
    expect(refusalCode(() => settle(-1n, 0n))).toBe('INVALID_SETTLEMENT');
    expect(refusalCode(() => decide({ type: 'SettleLiquidation', auctionId: 'x.4', collateralSold: 0n, debtRepaid: 0n, salt: 7n }, liquidated, ctx))).toBe('SALT_REUSED');
  });
});

describe('opening a position', () => {
  it('commits to empty balances, and the state it opens is that of the event', () => {
    const events = decide({ type: 'OpenPosition', positionId: 'y', poolId: 'p', owner: 'alice', salt: 5n }, positionDecider.initialState());
    expect(events).toEqual([{ type: 'PositionOpened', positionId: 'y', poolId: 'p', owner: 'alice', ...committed(0n, 0n, 5n) }]);
    expect(events.reduce(positionDecider.evolve, positionDecider.initialState())).toEqual({
      status: 'open', positionId: 'y', poolId: 'p', owner: 'alice', nullifiers: [], ...committed(0n, 0n, 5n),
    });
  });

  it('is refused for a position that exists, and without a price', () => {
    expect(refusalCode(() => decide({ type: 'OpenPosition', positionId: 'x', poolId: 'p', owner: 'o', salt: 5n }, position(0n, 0n)))).toBe('POSITION_EXISTS');
    expect(refusalCode(() => decide({ type: 'OpenPosition', positionId: 'y', poolId: 'p', owner: 'o', salt: 5n }, positionDecider.initialState(), context({ price: { status: 'none' } })))).toBe('NO_PRICE');
    expect(refusalCode(() => decide({ type: 'DepositCollateral', amount: 1n, salt: 5n }, positionDecider.initialState()))).toBe('POSITION_NOT_FOUND');
  });

  it('takes deposits into its collateral', () => {
    expect(decide({ type: 'DepositCollateral', amount: WAD, salt: 8n }, position(WAD, 0n))).toEqual([{ type: 'CollateralDeposited', amount: WAD, ...committed(2n * WAD, 0n, 8n) }]);
  });
});

/** The pool's feed, whose round 1 priced 1 WETH at 1,000 USDC at T0. */
const feed: FeedState = {
  status: 'active', feed: 'F', quorum: 1, heartbeatSeconds: 3_600, deviationLimitBps: 5_000n, maxFutureSkewSeconds: 30, oracles: {}, pending: {},
  price: { value: 1_000n * WAD, round: 1n, at: T0 }, rounds: [{ round: 1n, price: 1_000n * WAD, at: T0, reports: [] }], liquidationsPaused: false,
};

describe('a liquidation the ledger detects', () => {
  // Round 1 priced 1 WETH at 1,000 USDC: at an 80% threshold it supports 800 USDC; 700 scaled at 1.2 is 840.
  const detect = (scaledDebt: bigint) => decide({ type: 'DetectLiquidation', round: 1n, salt: 8n }, position(WAD, scaledDebt), context({ feed }));

  it('records the round’s price and the borrow index, leaves the balances as they are, and puts the position in liquidation', () => {
    const events = detect(700n * USDC);
    expect(events).toEqual([
      { type: 'LiquidationTriggered', by: 'detection', positionId: 'x', poolId: 'p', feed: 'F', round: 1n, price: 1_000n * WAD, borrowIndex: (RAY * 12n) / 10n, collateral: WAD, scaledDebt: 700n * USDC, salt: 7n, commitment: 0n },
    ]);
    expect(events.reduce(positionDecider.evolve, position(WAD, 700n * USDC) as PositionState)).toEqual({ ...position(WAD, 700n * USDC), liquidation: detected });
  });

  it('is refused for a position within its threshold', () => {
    expect(refusalCode(() => detect(600n * USDC))).toBe('NOT_LIQUIDATABLE');
  });
});

describe('a liquidation triggered by proof', () => {
  // A claim about position x as it stands (commitment 0 in these specs), at round 1's accepted price and the index of now.
  const signals = (overrides: Partial<LiquidationPublicSignals> = {}): LiquidationPublicSignals => ({
    commitment: 0n, feed: idToField('F'), round: 1n, price: 1_000n * WAD, threshold: 8_000n, positionId: idToField('x'), liquidator: idToField('liq'),
    nullifier: 42n, borrowIndex: (RAY * 12n) / 10n, collateralUnit: 10n ** 18n, debtUnit: USDC, ...overrides,
  });
  const claim = (overrides: Partial<LiquidationPublicSignals> = {}, proofVerified = true): PositionCommand => ({
    type: 'TriggerLiquidation', liquidator: 'liq', signals: signals(overrides), proof: { pi_a: [] }, publicSignals: ['s'], proofVerified, salt: 8n,
  });
  const trigger = (command: PositionCommand, state: PositionState = position(WAD, 700n * USDC)) => decide(command, state, context({ feed }));

  it('records the proof, its liquidator, round, price and nullifier, leaves the balances as they are, and puts the position in liquidation', () => {
    const events = trigger(claim());
    expect(events).toEqual([
      {
        type: 'LiquidationTriggered', by: 'proof', positionId: 'x', poolId: 'p', feed: 'F', round: 1n, price: 1_000n * WAD, liquidator: 'liq', nullifier: 42n,
        proof: { pi_a: [] }, publicSignals: ['s'], collateral: WAD, scaledDebt: 700n * USDC, salt: 7n, commitment: 0n,
      },
    ]);
    const after = events.reduce(positionDecider.evolve, position(WAD, 700n * USDC) as PositionState);
    expect(after).toEqual({ ...position(WAD, 700n * USDC), nullifiers: [42n], liquidation: { by: 'proof', feed: 'F', round: 1n, liquidator: 'liq', nullifier: 42n, price: 1_000n * WAD } });
  });

  it('is refused for a proof that does not verify, a claim the ledger does not hold, or a position already in liquidation', () => {
    expect(refusalOf(() => trigger(claim({}, false)))).toEqual({ code: 'INVALID_PROOF', message: expect.stringMatching(/proof does not verify/) });
    expect(refusalCode(() => trigger(claim({ commitment: 1n })))).toBe('COMMITMENT_MISMATCH');
    expect(refusalOf(() => trigger(claim(), position(WAD, 700n * USDC, detected)))).toEqual({ code: 'LIQUIDATION_IN_PROGRESS', message: expect.stringMatching(/already being liquidated/) });
    expect(refusalCode(() => trigger(claim(), { ...position(WAD, 700n * USDC), nullifiers: [42n] }))).toBe('NULLIFIER_USED');
  });

  it('records the nullifier, so no proof is accepted twice', () => {
    const triggered: PositionEvent = {
      type: 'LiquidationTriggered', by: 'proof', positionId: 'x', poolId: 'p', feed: 'F', round: 3n, liquidator: 'liq', price: 1_000n * WAD, nullifier: 42n, proof: {}, publicSignals: [],
      collateral: WAD, scaledDebt: 700n * USDC, salt: 7n, commitment: 0n,
    };
    const before = { ...position(WAD, 700n * USDC), nullifiers: [41n] };
    expect(positionDecider.evolve(before, triggered)).toEqual({ ...before, nullifiers: [41n, 42n], liquidation: { by: 'proof', feed: 'F', round: 3n, liquidator: 'liq', nullifier: 42n, price: 1_000n * WAD } });
  });

  it('leaves the price out of a liquidation by a proof of the retired circuit, which cited no round price', () => {
    const retired: PositionEvent = {
      type: 'LiquidationTriggered', by: 'proof', positionId: 'x', poolId: 'p', feed: 'F', round: 3n, liquidator: 'liq', nullifier: 42n, proof: {}, publicSignals: [],
      collateral: WAD, scaledDebt: 700n * USDC, salt: 7n, commitment: 0n,
    };
    const after = positionDecider.evolve(position(WAD, 700n * USDC), retired);
    expect(after).toMatchObject({ liquidation: { by: 'proof', round: 3n, nullifier: 42n } });
    expect(after.status === 'open' && after.liquidation).not.toHaveProperty('price');
  });
});

describe('whose position it is, and what each refusal says', () => {
  it('lives on the stream position-<id>', () => {
    expect(positionStream('x')).toBe('position-x');
  });

  it('takes an owner’s command only from its owner, and the ledger’s own re-decision from no one', () => {
    const deposit = (by?: string) => decide({ type: 'DepositCollateral', amount: WAD, salt: 8n, ...(by !== undefined ? { by } : {}) }, position(WAD, 0n));
    expect(refusalOf(() => deposit('mallory'))).toEqual({ code: 'NOT_POSITION_OWNER', message: 'the position is not yours' });
    expect(deposit('o')).toEqual([{ type: 'CollateralDeposited', amount: WAD, ...committed(2n * WAD, 0n, 8n) }]);
    expect(deposit()).toEqual(deposit('o'));
    // A re-decision may name no one outright.
    expect(decide({ type: 'DepositCollateral', amount: WAD, salt: 8n, by: undefined }, position(WAD, 0n))).toEqual(deposit('o'));
  });

  it('says what is missing: the position, an open one, a price, a fresh one', () => {
    const deposit = (state: PositionState, ctx: PositionContext = context()) => refusalOf(() => decide({ type: 'DepositCollateral', amount: 1n, salt: 8n }, state, ctx));
    expect(refusalOf(() => decide({ type: 'OpenPosition', positionId: 'x', poolId: 'p', owner: 'o', salt: 5n }, position(0n, 0n)))).toEqual({ code: 'POSITION_EXISTS', message: 'position x already exists' });
    expect(deposit(positionDecider.initialState())).toEqual({ code: 'POSITION_NOT_FOUND', message: 'no such position' });
    expect(deposit({ ...position(0n, 0n), status: 'closed' })).toEqual({ code: 'POSITION_CLOSED', message: 'the position is closed' });
    expect(deposit(position(WAD, 0n), context({ price: { status: 'none' } }))).toEqual({ code: 'NO_PRICE', message: "the pool's feed has no price yet" });
    expect(deposit(position(WAD, 0n), context({ price: { status: 'stale' } }))).toEqual({ code: 'STALE_PRICE', message: "the pool's price is older than its feed's heartbeat" });
  });

  it('says why an amount or a salt is refused', () => {
    const deposit = (amount: bigint, salt = 8n) => refusalOf(() => decide({ type: 'DepositCollateral', amount, salt }, position(WAD, 0n)));
    expect(deposit(0n)).toEqual({ code: 'AMOUNT_NOT_POSITIVE', message: 'the amount must be positive' });
    expect(deposit(1n << 88n)).toEqual({ code: 'AMOUNT_TOO_LARGE', message: 'amounts and balances must stay below 2^88 smallest units' });
    expect(deposit(1n, 0n)).toEqual({ code: 'INVALID_SALT', message: 'a salt is a non-zero field element' });
    expect(deposit(1n, 7n)).toEqual({ code: 'SALT_REUSED', message: 'every change needs a fresh salt' });
  });

  it('says why a withdrawal, a repayment or a close is refused', () => {
    // 500 scaled USDC at index 1.2 is 600 USDC against 1 WETH at 1,000.
    const borrower = position(WAD, 500n * USDC);
    expect(refusalOf(() => decide({ type: 'WithdrawCollateral', amount: WAD + 1n, salt: 8n }, borrower))).toEqual({ code: 'INSUFFICIENT_COLLATERAL', message: 'cannot withdraw more collateral than the position holds' });
    expect(refusalOf(() => decide({ type: 'WithdrawCollateral', amount: WAD / 2n, salt: 8n }, borrower))).toEqual({
      code: 'LTV_EXCEEDED', message: "this would take the position above the pool's maximum loan-to-value of 7500 bps",
    });
    expect(refusalOf(() => decide({ type: 'RepayDebt', amount: 'all', salt: 8n }, position(WAD, 0n)))).toEqual({ code: 'NO_DEBT', message: 'the position has no debt to repay' });
    expect(refusalOf(() => decide({ type: 'RepayDebt', amount: 600n * USDC + 1n, salt: 8n }, borrower))).toEqual({ code: 'REPAY_EXCEEDS_DEBT', message: 'cannot repay more than the debt' });
    expect(refusalOf(() => decide({ type: 'ClosePosition', salt: 8n }, borrower))).toEqual({ code: 'DEBT_OUTSTANDING', message: 'repay the whole debt before closing the position' });
    expect(refusalOf(() => decide({ type: 'ClosePosition', salt: 8n }, position(WAD, 500n * USDC, detected)))).toEqual({ code: 'LIQUIDATION_IN_PROGRESS', message: 'the position is being liquidated' });
    expect(refusalOf(() => decide({ type: 'DrawDebt', amount: 5n * USDC, salt: 8n }, position(WAD, 0n)))).toEqual({ code: 'BELOW_DUST', message: "a position's debt must be zero or at least the pool's dust limit" });
  });

  it('tells a draw above max LTV the most it can draw now, in whole debt tokens', () => {
    // 1 WETH at 1,000 allows 750 USDC of debt at 75%: 625 scaled at index 1.2. 500 scaled are owed, so 125 scaled more, 150 USDC.
    const draw = (amount: bigint) => decide({ type: 'DrawDebt', amount, salt: 8n }, position(WAD, 500n * USDC));
    expect(refusalOf(() => draw(150n * USDC + 1n))).toEqual({
      code: 'LTV_EXCEEDED',
      message:
        "this would take the position above the pool's maximum loan-to-value of 7500 bps; the most it can draw now is 150 USDC " +
        "(the debt a draw records is its amount at the borrow index, rounded up in the pool's favour, so drawing exactly up to the limit ends a unit above it)",
      details: { maxDraw: '150' },
    });
    expect(draw(150n * USDC)).toEqual([{ type: 'DebtDrawn', amount: 150n * USDC, borrowIndex: (RAY * 12n) / 10n, ...committed(WAD, 625n * USDC, 8n) }]);
  });
});
