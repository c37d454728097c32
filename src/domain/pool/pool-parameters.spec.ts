/**
 * Every rule a pool's parameters must keep, at its bounds: the least and the most each parameter may
 * be pass, a unit beyond either is refused with the parameter named, and so are the rules that tie
 * parameters together (the threshold above max LTV, the bonus within the penalty, room for the penalty).
 */
import { BPS, WAD } from '../math/fixed-point';
import { refusalOf } from '../testing';
import { AuctionParameters, DEFAULT_AUCTION, LIQUIDATION_ROUTES, PoolParameters, validateParameters } from './pool-parameters';

const valid: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 0n,
};
const MAX_AMOUNT = (1n << 88n) - 1n;
const check = (changes: Partial<PoolParameters>) => refusalOf(() => validateParameters({ ...valid, ...changes }));
const outOfRange = (parameter: string, lo: bigint, hi: bigint) => ({ code: 'INVALID_PARAMETERS', message: `${parameter} must be within ${lo}..${hi}`, details: { parameter } });

describe('a pool’s parameters', () => {
  // Each parameter with its bounds, and what else must change for its bounds to be reachable alone.
  const ranges: [keyof PoolParameters, bigint, bigint, Partial<PoolParameters>][] = [
    // Max LTV of 99.99% needs a threshold of 100%, and so no penalty.
    ['maxLtvBps', 1n, 9_999n, { liquidationThresholdBps: 10_000n, liquidationPenaltyBps: 0n, liquidatorBonusBps: 0n }],
    ['liquidationThresholdBps', 2n, 10_000n, { maxLtvBps: 1n, liquidationPenaltyBps: 0n, liquidatorBonusBps: 0n }],
    // A penalty of 50% leaves room only for a threshold of two thirds.
    ['liquidationPenaltyBps', 0n, 5_000n, { maxLtvBps: 5_000n, liquidationThresholdBps: 6_666n, liquidatorBonusBps: 0n }],
    ['liquidatorBonusBps', 0n, 500n, {}],
    ['protocolFeeBps', 0n, 10_000n, {}],
    ['closeFactorBps', 1n, 10_000n, {}],
    ['fullCloseHealthFactor', 1n, WAD, {}],
    ['dustLimit', 0n, MAX_AMOUNT, {}],
    ['liquidationCollateralCap', 1n, MAX_AMOUNT, {}],
    ['stabilityFeeYearly', 0n, 10n * WAD, {}],
  ];

  it.each(ranges)('%s passes at its least and its most, and is refused a unit beyond either', (parameter, lo, hi, context) => {
    const base = { ...valid, ...context };
    const at = (v: bigint) => refusalOf(() => validateParameters({ ...base, [parameter]: v }));
    expect(at(lo)).toBeUndefined();
    expect(at(hi)).toBeUndefined();
    expect(at(hi + 1n)).toEqual(outOfRange(parameter, rangeLo(parameter), hi));
    // A threshold of 1 is within its range but not above max LTV (below).
    if (parameter !== 'liquidationThresholdBps') expect(at(lo - 1n)).toEqual(outOfRange(parameter, lo, hi));
  });

  /** The lower bound the refusal names (the threshold's is 1, though above max LTV it is at least 2). */
  const rangeLo = (parameter: keyof PoolParameters) => (parameter === 'liquidationThresholdBps' ? 1n : ranges.find(([p]) => p === parameter)![1]);

  it('refuses a threshold of 0 as out of range, and one at max LTV as not above it', () => {
    expect(check({ liquidationThresholdBps: 0n })).toEqual(outOfRange('liquidationThresholdBps', 1n, 10_000n));
    const notAbove = { code: 'INVALID_PARAMETERS', message: 'liquidationThresholdBps must be above maxLtvBps', details: { parameter: 'liquidationThresholdBps' } };
    expect(check({ maxLtvBps: 1n, liquidationThresholdBps: 1n })).toEqual(notAbove);
    expect(check({ maxLtvBps: 8_000n })).toEqual(notAbove);
    expect(check({ maxLtvBps: 7_999n })).toBeUndefined();
  });

  it('leaves room for the penalty when liquidating at the threshold: 80% with a 25% penalty is exactly 100%', () => {
    const noRoom = { code: 'INVALID_PARAMETERS', message: 'liquidationPenaltyBps with the threshold would exceed 100% of the collateral', details: { parameter: 'liquidationPenaltyBps' } };
    expect(check({ liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 2_500n })).toBeUndefined();
    expect(check({ liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 2_600n })).toEqual(noRoom);
    expect(check({ liquidationThresholdBps: 8_100n, liquidationPenaltyBps: 2_500n })).toEqual(noRoom);
    // A threshold of 100% leaves room for no penalty at all.
    expect(check({ liquidationThresholdBps: BPS, liquidationPenaltyBps: 0n, liquidatorBonusBps: 0n })).toBeUndefined();
    expect(check({ liquidationThresholdBps: BPS, liquidationPenaltyBps: 1n, liquidatorBonusBps: 0n })).toEqual(noRoom);
  });

  it.failing('leaves room for the penalty to the last fraction of a bps (80% with a 25.01% penalty is 100.008%)', () => {
    // Bug: the product is divided (rounded down) by 10,000 before it is compared with 100%, so up to a bps
    // over 100% passes. riskTargets' own room for the penalty (10,000² / (10,000 + penalty), rounded down) does not.
    expect(check({ liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 2_501n })).toMatchObject({ code: 'INVALID_PARAMETERS', details: { parameter: 'liquidationPenaltyBps' } });
  });
});

describe('a pool’s auction parameters', () => {
  const checkAuction = (changes: Partial<AuctionParameters>) => refusalOf(() => validateParameters({ ...valid, auction: { ...DEFAULT_AUCTION, ...changes } }));

  it('are a Dutch stairstep auction by default, and the defaults keep every rule', () => {
    expect(DEFAULT_AUCTION).toMatchObject({ route: 'dutch', curve: 'stairstep' });
    expect(checkAuction({})).toBeUndefined();
  });

  it('take each route and curve there is, and refuse any other, naming them', () => {
    for (const route of LIQUIDATION_ROUTES) expect(checkAuction({ route })).toBeUndefined();
    for (const curve of ['linear', 'stairstep', 'exponential'] as const) expect(checkAuction({ curve })).toBeUndefined();
    expect(checkAuction({ route: 'sealed' as never })).toEqual({ code: 'INVALID_PARAMETERS', message: 'auction.route must be one of dutch, english, market', details: { parameter: 'auction.route' } });
    expect(checkAuction({ curve: 'cubic' as never })).toEqual({ code: 'INVALID_PARAMETERS', message: 'auction.curve must be one of linear, stairstep, exponential', details: { parameter: 'auction.curve' } });
  });

  const ranges: [Exclude<keyof AuctionParameters, 'route' | 'curve'>, bigint, bigint][] = [
    ['cutBps', 1n, 9_999n],
    ['stepSeconds', 1n, 86_400n],
    ['bufferBps', 10_000n, 30_000n],
    ['resetAfterSeconds', 1n, 7n * 86_400n],
    ['resetBelowBps', 0n, 9_999n],
    ['keeperTip', 0n, MAX_AMOUNT],
    ['keeperChipBps', 0n, 1_000n],
    ['bidIncrementBps', 1n, 5_000n],
    ['biddingSeconds', 1n, 7n * 86_400n],
    ['extendSeconds', 0n, 86_400n],
  ];

  it.each(ranges)('auction.%s passes at its least and its most, and is refused a unit beyond either', (parameter, lo, hi) => {
    const refused = { code: 'INVALID_PARAMETERS', message: `auction.${parameter} must be within ${lo}..${hi}`, details: { parameter: `auction.${parameter}` } };
    expect(checkAuction({ [parameter]: lo })).toBeUndefined();
    expect(checkAuction({ [parameter]: hi })).toBeUndefined();
    expect(checkAuction({ [parameter]: lo - 1n })).toEqual(refused);
    expect(checkAuction({ [parameter]: hi + 1n })).toEqual(refused);
  });

  it('are checked only when the pool sets them', () => {
    const { auction: _, ...withoutAuction } = { ...valid, auction: undefined };
    expect(refusalOf(() => validateParameters(withoutAuction))).toBeUndefined();
    expect(refusalOf(() => validateParameters({ ...valid, auction: { ...DEFAULT_AUCTION, cutBps: 0n } }))).toMatchObject({ details: { parameter: 'auction.cutBps' } });
  });
});
