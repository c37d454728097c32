/**
 * The auditor recomputes every risk adjustment from the history: a proposal decided again from the
 * feed's accepted prices as the history holds them must give the recorded model inputs, forecast and
 * parameters; a tampered threshold or a forecast from other prices is a finding on that event.
 */
import { LedgerEvent } from '../domain/events';
import { RAY, WAD } from '../domain/math/fixed-point';
import { poolDecider, PoolParameters, PoolState, DEFAULT_AUCTION } from '../domain/pool/pool';
import { RiskEngineSettings } from '../domain/pool/risk-settings';
import { LedgerReplay } from './ledger-replay';

const T0 = 1_800_000_000n;
const parameters: PoolParameters = {
  maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1_000n,
  closeFactorBps: 5_000n, fullCloseHealthFactor: (95n * WAD) / 100n, dustLimit: 10n, liquidationCollateralCap: 10n ** 24n, stabilityFeeYearly: 0n,
  auction: DEFAULT_AUCTION,
};
const settings: RiskEngineSettings = {
  model: 'ewma', mode: 'auto', confidenceBps: 9_900n,
  bounds: { minMaxLtvBps: 5_000n, maxMaxLtvBps: 8_000n, minThresholdBps: 6_000n, maxThresholdBps: 8_800n },
  maxStepBps: 250n, noticeSeconds: 3_600n, window: 20, observationSeconds: 3_600n, detectionSeconds: 60n,
};

/** 30 accepted prices around 2,000, the last five each 30% below the one before. */
const PRICES = Array.from({ length: 30 }, (_, i) => {
  const fall = BigInt(Math.max(0, i - 24));
  return { round: BigInt(i + 1), price: (2_000n * WAD * 7n ** fall) / 10n ** fall + BigInt(i % 2) * WAD };
});

let seq = 0;
function record(replay: LedgerReplay, stream: string, events: LedgerEvent[], now: bigint, check = true): void {
  const commandId = `c${++seq}`;
  replay.apply({ stream, commandId, now, events: events.map((event, i) => ({ stream, revision: BigInt(seq * 10 + i), position: BigInt(seq * 10 + i), id: `${commandId}-${i}`, event })) }, check);
}

/** A pool on feed F, its 30 accepted prices, and its risk engine configured. */
function history(): { replay: LedgerReplay; pool: () => PoolState } {
  const replay = new LedgerReplay();
  record(replay, 'pool-p', [{ type: 'PoolCreated', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'F', parameters, ratePerSecond: RAY, at: T0 }], T0);
  // The feed's own commands (signed reports) are not what this spec checks: they are only folded.
  record(replay, 'oracle-F', [{ type: 'FeedRegistered', feed: 'F', quorum: 1, heartbeatSeconds: 3_600, deviationLimitBps: 5_000n, maxFutureSkewSeconds: 30 }], T0, false);
  for (const { round, price } of PRICES) record(replay, 'oracle-F', [{ type: 'PriceUpdated', round, price, at: T0 + round, oracles: [] }], T0 + round, false);
  const pool = () => replay.pools.get('p')!;
  record(replay, 'pool-p', poolDecider.decide({ type: 'ConfigureRiskEngine', settings, now: T0 + 40n }, pool(), undefined), T0 + 40n);
  return { replay, pool };
}

function propose(pool: PoolState, prices: { round: bigint; price: bigint }[]) {
  return poolDecider.decide({ type: 'ProposeRiskParameters', proposalId: 'r30', round: 30n, now: T0 + 50n }, pool, { prices });
}

describe('auditing risk adjustments', () => {
  it('a proposal decided from the feed’s accepted prices holds, and so does its apply after the notice', () => {
    const { replay, pool } = history();
    const proposed = propose(pool(), PRICES);
    expect(proposed[0]).toMatchObject({ type: 'RiskParametersProposed', liquidationThresholdBps: 8_000n, effectiveAt: T0 + 50n + 3_600n });
    record(replay, 'pool-p', proposed, T0 + 50n);
    record(replay, 'pool-p', poolDecider.decide({ type: 'ApplyRiskParameters', proposalId: 'r30', now: T0 + 3_650n }, pool(), undefined), T0 + 3_650n);
    expect(replay.findings).toEqual([]);
    expect(pool()).toMatchObject({ parameters: { maxLtvBps: 7_250n, liquidationThresholdBps: 8_000n } });
  });

  it('flags a proposal whose threshold is not what its forecast calls for', () => {
    const { replay, pool } = history();
    const [proposed] = propose(pool(), PRICES);
    record(replay, 'pool-p', [{ ...proposed, liquidationThresholdBps: 7_000n } as LedgerEvent], T0 + 50n);
    expect(replay.findings.map((f) => f.code)).toEqual(['RISK_ADJUSTMENT_MISMATCH']);
    expect(replay.findings[0].message).toContain('liquidationThresholdBps');
  });

  it('flags a proposal forecast from prices the feed did not accept', () => {
    const { replay, pool } = history();
    const calmer = PRICES.map((p, i) => ({ ...p, price: 2_000n * WAD + BigInt(i % 2) * WAD }));
    record(replay, 'pool-p', propose(pool(), calmer), T0 + 50n);
    expect(replay.findings.map((f) => f.code)).toEqual(['RISK_ADJUSTMENT_MISMATCH']);
    expect(replay.findings[0].message).toContain('inputs');
  });
});
