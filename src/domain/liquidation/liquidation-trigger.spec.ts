/**
 * The rules a liquidation claim's public signals must pass, one refusal code each. The proof itself is
 * not involved here (the e2e test uses real proofs); these are the ledger-state checks around it.
 */
import { idToField, loadCrypto, publicKeyOf } from '../crypto/crypto';
import { DomainError } from '../decider';
import { indexAt } from '../interest/stability-fee';
import { refusalOf } from '../testing';
import { RAY, WAD } from '../math/fixed-point';
import { FeedEvent, feedDecider, FeedState, RECENT_ROUNDS } from '../oracle/feed';
import { ActivePool, activePool, poolDecider } from '../pool/pool';
import { unitOf } from '../risk/liquidation-rule';
import { checkDetectedLiquidation, checkLiquidationClaim, LiquidationClaim, TriggerSubject } from './liquidation-trigger';
import { LiquidationPublicSignals } from './public-signals';

const NOW = 1_800_000_000n;
const HEARTBEAT = 600;
const signature = { r8x: 1n, r8y: 2n, s: 3n };
let pool: ActivePool;
let feed: FeedState;
const position: TriggerSubject = { positionId: 'p1', commitment: 777n, nullifiers: [] };

/** Reports of the quorum that priced the round (the outlier at 1 WAD among them), and the median the ledger accepted: 1,000. */
const REPORTED = [1_000n * WAD, 1_000n * WAD, 1n * WAD];
const MEDIAN = 1_000n * WAD;

function priced(state: FeedState, round: bigint, at: bigint, oracles: string[]): FeedState {
  const events: FeedEvent[] = [
    ...oracles.map((oracle, i): FeedEvent => ({ type: 'PriceReportAccepted', oracle, round, price: REPORTED[i % REPORTED.length], timestamp: at, signature, publicKey: { x: 0n, y: 0n } })),
    { type: 'PriceUpdated', round, price: MEDIAN, at, oracles },
  ];
  return events.reduce(feedDecider.evolve, state);
}

function signals(overrides: Partial<LiquidationPublicSignals> = {}): LiquidationPublicSignals {
  return {
    commitment: position.commitment,
    feed: idToField('ETH-USD'),
    round: 5n,
    price: MEDIAN,
    threshold: 8250n,
    positionId: idToField('p1'),
    liquidator: idToField('alice'),
    nullifier: 99n,
    borrowIndex: RAY,
    collateralUnit: unitOf(18),
    debtUnit: unitOf(6),
    ...overrides,
  };
}

function refusal(claim: Partial<LiquidationClaim> = {}, state: FeedState = feed, subject: TriggerSubject = position, now = NOW): string | undefined {
  try {
    checkLiquidationClaim(subject, { liquidator: 'alice', signals: signals(), ...claim }, pool, state, now);
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  return undefined;
}

beforeAll(async () => {
  await loadCrypto();
  const [created] = poolDecider.decide(
    {
      type: 'CreatePool', poolId: 'pool', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD', now: NOW - 100n,
      parameters: {
        maxLtvBps: 7500n, liquidationThresholdBps: 8250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1000n,
        closeFactorBps: 5000n, fullCloseHealthFactor: 95n * 10n ** 16n, dustLimit: 0n, liquidationCollateralCap: 10n ** 21n, stabilityFeeYearly: 5n * 10n ** 16n,
      },
    },
    poolDecider.initialState(),
    undefined,
  );
  pool = activePool(poolDecider.evolve(poolDecider.initialState(), created));
  const registration: FeedEvent[] = [
    { type: 'FeedRegistered', feed: 'ETH-USD', quorum: 2, heartbeatSeconds: HEARTBEAT, deviationLimitBps: 1000n, maxFutureSkewSeconds: 30 },
    ...[1, 2, 3, 4].map((n): FeedEvent => ({ type: 'OracleKeyRegistered', oracle: `o${n}`, publicKey: publicKeyOf(new Uint8Array(32).fill(n)) })),
  ];
  feed = priced(registration.reduce(feedDecider.evolve, feedDecider.initialState()), 5n, NOW - 10n, ['o1', 'o2', 'o3']);
});

describe('a liquidation claim', () => {
  it('passes when every public signal is the ledger’s: it names the round and the price the ledger accepted for it', () => {
    expect(checkLiquidationClaim(position, { liquidator: 'alice', signals: signals() }, pool, feed, NOW)).toEqual({ feed: 'ETH-USD', round: 5n, price: MEDIAN, nullifier: 99n });
  });

  it("is refused at any price but the round's accepted one: a quorum member's outlier, a price signed off the ledger, one unit off", () => {
    // The outlier's report is in the round's quorum (accepted), yet its price is not the round's.
    const reported = feed.status === 'active' ? feed.rounds.find((r) => r.round === 5n)!.reports.map((r) => r.price) : [];
    expect(reported).toContain(1n * WAD);
    for (const price of [1n * WAD, 1n, MEDIAN - 1n, MEDIAN + 1n, 990n * WAD]) {
      expect([price, refusal({ signals: signals({ price }) })]).toEqual([price, 'PRICE_NOT_ROUND_PRICE']);
    }
  });

  it('is refused for a used nullifier, before anything else', () => {
    expect(refusal({}, feed, { ...position, nullifiers: [99n] })).toBe('NULLIFIER_USED');
  });

  it("is refused when it is not about the position's current commitment", () => {
    expect(refusal({ signals: signals({ commitment: 778n }) })).toBe('COMMITMENT_MISMATCH');
  });

  it("is refused when the pool's threshold, scales or feed, the position or the liquidator differ", () => {
    for (const changed of [{ threshold: 8000n }, { collateralUnit: unitOf(8) }, { debtUnit: unitOf(18) }, { feed: idToField('BTC-USD') }, { positionId: idToField('p2') }, { liquidator: idToField('bob') }]) {
      expect(refusal({ signals: signals(changed) })).toBe('PUBLIC_SIGNAL_MISMATCH');
    }
  });

  it("accepts an earlier borrow index (it understates the debt) but not one ahead of the pool's", () => {
    expect(refusal({ signals: signals({ borrowIndex: RAY - 1n }) })).toBeUndefined();
    expect(refusal({ signals: signals({ borrowIndex: RAY + 10n ** 24n }) })).toBe('PUBLIC_SIGNAL_MISMATCH');
  });

  it('is refused while liquidations on the feed are paused', () => {
    const paused = feedDecider.evolve(feed, { type: 'LiquidationsPaused', round: 5n, price: WAD, previousPrice: 2n * WAD });
    expect(refusal({}, paused)).toBe('LIQUIDATIONS_PAUSED');
  });

  it('is refused for a round not priced yet, a round gone stale, or one older than the rounds kept', () => {
    expect(refusal({ signals: signals({ round: 6n }) })).toBe('ROUND_NOT_ACCEPTED');
    expect(refusal({ signals: signals({ round: 4n }) })).toBe('ROUND_NOT_ACCEPTED');
    expect(refusal({}, feed, position, NOW - 10n + BigInt(HEARTBEAT))).toBeUndefined();
    expect(refusal({}, feed, position, NOW - 9n + BigInt(HEARTBEAT))).toBe('STALE_ROUND');
    let later = feed;
    for (let r = 6n; r < 6n + BigInt(RECENT_ROUNDS); r++) later = priced(later, r, NOW, ['o3', 'o4', 'o1']);
    expect(later.status === 'active' && later.rounds.map((r) => r.round)).toHaveLength(RECENT_ROUNDS);
    expect(refusal({}, later)).toBe('STALE_ROUND');
  });
});

describe("the ledger's detection", () => {
  // Round 5 priced 1 WETH at 1,000 USDC: with an 82.5% threshold, 1 WETH supports at most 825 USDC.
  const detect = (scaledDebt: bigint, round = 5n, state: FeedState = feed, now = NOW) => {
    try {
      return checkDetectedLiquidation({ collateral: WAD, scaledDebt }, round, pool, state, now);
    } catch (err) {
      if (err instanceof DomainError) return err.code;
      throw err;
    }
  };
  // The index has grown a little since the pool opened (5% a year for 100 s), so scaled debt 825 USDC is a debt just above 825.
  it("records the round's price and the index of now for a position below its threshold", () => {
    expect(detect(825_000_000n)).toEqual({ feed: 'ETH-USD', round: 5n, price: 1_000n * WAD, borrowIndex: expect.any(BigInt) });
  });

  it('refuses a position at or above its threshold, or without debt', () => {
    expect(detect(824_000_000n)).toBe('NOT_LIQUIDATABLE');
    expect(detect(0n)).toBe('NOT_LIQUIDATABLE');
  });

  it('refuses the rounds a proof could not cite either, and paused liquidations', () => {
    expect(detect(900_000_000n, 6n)).toBe('ROUND_NOT_ACCEPTED');
    expect(detect(900_000_000n, 5n, feed, NOW - 9n + BigInt(HEARTBEAT))).toBe('STALE_ROUND');
    expect(detect(900_000_000n, 5n, feedDecider.evolve(feed, { type: 'LiquidationsPaused', round: 5n, price: WAD, previousPrice: 2n * WAD }))).toBe('LIQUIDATIONS_PAUSED');
  });
});

describe('what each refusal of a liquidation step says', () => {
  const claim = (overrides: Partial<LiquidationPublicSignals> = {}, state: FeedState = feed, subject: TriggerSubject = position, now = NOW) =>
    refusalOf(() => checkLiquidationClaim(subject, { liquidator: 'alice', signals: signals(overrides) }, pool, state, now));

  it('names a used nullifier, another commitment, and each public signal that is not this liquidation’s', () => {
    expect(claim({}, feed, { ...position, nullifiers: [99n] })).toEqual({ code: 'NULLIFIER_USED', message: 'this proof (its nullifier) has already triggered a liquidation' });
    expect(claim({ commitment: 778n })).toEqual({ code: 'COMMITMENT_MISMATCH', message: "the proof is not about the position's current state (its commitment differs)" });
    expect(claim({ threshold: 8000n })).toEqual({ code: 'PUBLIC_SIGNAL_MISMATCH', message: "the proof's threshold is not this liquidation's", details: { signals: ['threshold'] } });
    expect(claim({ threshold: 8000n, liquidator: idToField('bob') })).toEqual({ code: 'PUBLIC_SIGNAL_MISMATCH', message: "the proof's threshold, liquidator are not this liquidation's", details: { signals: ['threshold', 'liquidator'] } });
    expect(claim({ price: MEDIAN - 1n })).toEqual({ code: 'PRICE_NOT_ROUND_PRICE', message: "the proof's price is not the price the ledger accepted for round 5", details: { round: '5' } });
  });

  it('takes a proof at exactly the index of now, and names one ahead of it', () => {
    const now = indexAt(pool.interest, NOW);
    expect(claim({ borrowIndex: now })).toBeUndefined();
    expect(claim({ borrowIndex: now + 1n })).toEqual({ code: 'PUBLIC_SIGNAL_MISMATCH', message: "the proof's borrow index is ahead of the pool's", details: { signals: ['borrowIndex'] } });
  });

  it('names the feed, the round and the latest round it has', () => {
    expect(refusalOf(() => checkLiquidationClaim(position, { liquidator: 'alice', signals: signals() }, pool, feedDecider.initialState(), NOW))).toEqual({ code: 'FEED_NOT_FOUND', message: 'feed ETH-USD does not exist' });
    const paused = feedDecider.evolve(feed, { type: 'LiquidationsPaused', round: 5n, price: WAD, previousPrice: 2n * WAD });
    expect(claim({}, paused)).toEqual({ code: 'LIQUIDATIONS_PAUSED', message: 'liquidations on ETH-USD are paused until the oracles confirm the last price jump' });
    expect(claim({}, feed, position, NOW - 9n + BigInt(HEARTBEAT))).toEqual({ code: 'STALE_ROUND', message: 'round 5 of ETH-USD is older than the 600 s heartbeat' });
    expect(claim({ round: 6n })).toEqual({ code: 'ROUND_NOT_ACCEPTED', message: 'round 6 of ETH-USD has not set a price', details: { latestRound: '5' } });
    let later = feed;
    for (let r = 6n; r < 6n + BigInt(RECENT_ROUNDS); r++) later = priced(later, r, NOW, ['o3', 'o4', 'o1']);
    expect(claim({}, later)).toEqual({ code: 'STALE_ROUND', message: 'round 5 of ETH-USD is too old to cite', details: { latestRound: '21' } });
    // A round after the latest is not priced yet, however many rounds are kept.
    expect(claim({ round: 22n }, later)).toEqual({ code: 'ROUND_NOT_ACCEPTED', message: 'round 22 of ETH-USD has not set a price', details: { latestRound: '21' } });
  });

  it('says the detected position is not below its threshold at the round’s price', () => {
    expect(refusalOf(() => checkDetectedLiquidation({ collateral: WAD, scaledDebt: 824_000_000n }, 5n, pool, feed, NOW))).toEqual({ code: 'NOT_LIQUIDATABLE', message: "the position's health factor is not below 1 at round 5's price" });
  });
});
