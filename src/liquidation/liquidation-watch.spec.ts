/**
 * The detector's view folded from events: interest accruing with time alone brings a position due,
 * a triggered position is not due again, and nothing is due on a stale or paused feed.
 */
import { LedgerEvent } from '../domain/events';
import { RAY, WAD } from '../domain/math/fixed-point';
import { LiquidationWatch } from './liquidation-watch';

const YEAR = 31_536_000n;
const T0 = 1_800_000_000n;

function watchWith(heartbeatSeconds = 10 * Number(YEAR)): LiquidationWatch {
  const watch = new LiquidationWatch();
  const apply = (stream: string, revision: bigint, event: LedgerEvent) => watch.apply(stream, revision, event);
  apply('oracle-F', 0n, { type: 'FeedRegistered', feed: 'F', quorum: 1, heartbeatSeconds, deviationLimitBps: 5000n, maxFutureSkewSeconds: 30 });
  apply('oracle-F', 1n, { type: 'PriceUpdated', round: 1n, price: 1_000n * WAD, at: T0, oracles: ['o'] });
  apply('pool-p', 0n, {
    type: 'PoolCreated', poolId: 'p', collateral: { symbol: 'C', decimals: 0 }, debt: { symbol: 'D', decimals: 0 }, feed: 'F', at: T0,
    // 10% a year, per second (rounded up a little; the test only needs "more than 5% in a year").
    ratePerSecond: RAY + 3_100_000_000_000_000_000n,
    parameters: {
      maxLtvBps: 7_000n, liquidationThresholdBps: 8_000n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
      closeFactorBps: 5_000n, fullCloseHealthFactor: WAD / 2n, dustLimit: 0n, liquidationCollateralCap: 10n ** 20n, stabilityFeeYearly: WAD / 10n,
    },
  });
  // 10 units of collateral at 1,000 support 8,000 of debt: 7,700 is 4% short of it.
  apply('position-x', 0n, { type: 'PositionOpened', positionId: 'x', poolId: 'p', owner: 'o', collateral: 0n, scaledDebt: 0n, salt: 1n, commitment: 11n });
  apply('position-x', 1n, { type: 'CollateralDeposited', amount: 10n, collateral: 10n, scaledDebt: 0n, salt: 2n, commitment: 12n });
  apply('position-x', 2n, { type: 'DebtDrawn', amount: 7_700n, borrowIndex: RAY, collateral: 10n, scaledDebt: 7_700n, salt: 3n, commitment: 13n });
  return watch;
}

describe('liquidation watch', () => {
  it('finds a position brought under by interest alone, at the latest round', () => {
    const watch = watchWith();
    expect(watch.due('p', T0)).toEqual([]);
    expect(watch.due('p', T0 + YEAR)).toEqual([{ positionId: 'x', poolId: 'p', revision: 2n, round: 1n }]);
  });

  it('does not find a position again while its liquidation is under way, and lists it by commitment', () => {
    const watch = watchWith();
    watch.apply('position-x', 3n, {
      type: 'LiquidationTriggered', by: 'detection', positionId: 'x', poolId: 'p', feed: 'F', round: 1n, price: 1_000n * WAD, borrowIndex: RAY,
      collateral: 10n, scaledDebt: 7_700n, salt: 3n, commitment: 13n,
    });
    expect(watch.due('p', T0 + YEAR)).toEqual([]);
    const underWay = { positionId: 'x', poolId: 'p', commitment: 13n, liquidation: { by: 'detection', feed: 'F', round: 1n, price: 1_000n * WAD }, liquidationId: 'x.3' };
    expect(watch.underWay('p')).toEqual([{ ...underWay, proof: 'pending' }]);
  });

  it("keeps each detected liquidation awaiting the ledger's proof, with its opening, until the proof is folded", () => {
    const watch = watchWith();
    const trigger = {
      type: 'LiquidationTriggered', by: 'detection', positionId: 'x', poolId: 'p', feed: 'F', round: 1n, price: 1_000n * WAD, borrowIndex: RAY,
      collateral: 10n, scaledDebt: 7_700n, salt: 3n, commitment: 13n,
    } as const;
    watch.apply('position-x', 3n, trigger);
    const job = watch.proofJobOf('position-x', 3n, trigger);
    expect(job).toMatchObject({ trigger: { liquidationId: 'x.3', positionId: 'x', round: 1n, price: 1_000n * WAD, borrowIndex: RAY, commitment: 13n }, opening: { collateral: 10n, scaledDebt: 7_700n, salt: 3n } });
    expect(watch.awaitingProof()).toEqual([job]);
    watch.apply('proof-x.3', 0n, {
      type: 'LiquidationProven', liquidationId: 'x.3', positionId: 'x', poolId: 'p', feed: 'F', round: 1n, price: 1_000n * WAD, commitment: 13n, nullifier: 5n, proof: {}, publicSignals: [],
    });
    expect(watch.awaitingProof()).toEqual([]);
    expect(watch.underWay('p')).toEqual([expect.objectContaining({ liquidationId: 'x.3', proof: 'proven' })]);
  });

  it('finds nothing on a stale price or while liquidations on the feed are paused', () => {
    expect(watchWith(60).due('p', T0 + YEAR)).toEqual([]);
    const paused = watchWith();
    paused.apply('oracle-F', 2n, { type: 'LiquidationsPaused', round: 1n, price: 1_000n * WAD, previousPrice: 2_000n * WAD });
    expect(paused.due('p', T0 + YEAR)).toEqual([]);
  });

  it('finds a position a risk adjustment’s lower threshold brings under, and names its pool as moved', () => {
    const watch = watchWith();
    expect(watch.due('p', T0)).toEqual([]);
    // 10 × 1,000 × 75% = 7,500 < 7,700.
    const applied: LedgerEvent = { type: 'RiskParametersApplied', proposalId: 'round-1', maxLtvBps: 6_500n, liquidationThresholdBps: 7_500n, parameters: { ...watch.pool('p')!.parameters, maxLtvBps: 6_500n, liquidationThresholdBps: 7_500n }, at: T0 };
    expect(watch.poolsMovedBy('pool-p', applied)).toEqual(['p']);
    watch.apply('pool-p', 1n, applied);
    expect(watch.due('p', T0)).toEqual([{ positionId: 'x', poolId: 'p', revision: 2n, round: 1n }]);
  });

  it('names the pools an event moves: price and resumption by feed, index and parameters by pool', () => {
    const watch = watchWith();
    expect(watch.poolsMovedBy('oracle-F', { type: 'PriceUpdated', round: 2n, price: WAD, at: T0, oracles: [] })).toEqual(['p']);
    expect(watch.poolsMovedBy('pool-p', { type: 'InterestAccrued', index: RAY, at: T0 })).toEqual(['p']);
    expect(watch.poolsMovedBy('position-x', { type: 'CollateralDeposited', amount: 1n, collateral: 11n, scaledDebt: 7_700n, salt: 4n, commitment: 14n })).toEqual([]);
  });
});
