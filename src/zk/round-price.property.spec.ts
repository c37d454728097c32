/**
 * A liquidation proof exists (the circuit is satisfied and the ledger accepts its claim) only when the
 * position is under water at the round's accepted price, the median of the quorum's reports: never at
 * one report's price, however the reports spread around the median.
 *
 * Generated rounds: a quorum of three to five oracles report prices dispersed around a level; the
 * feed's own decider accepts the signed reports and sets the median. A position is placed near its
 * liquidation boundary at that median. Each report's price and the median are then tried as a proof's
 * price, with the circuit's witness calculator and the ledger's claim check.
 */
import fc from 'fast-check';
import { loadCrypto, positionCommitment, reportMessage, signMessage } from '../domain/crypto/crypto';
import { DomainError } from '../domain/decider';
import { checkLiquidationClaim } from '../domain/liquidation/liquidation-trigger';
import { RAY, WAD } from '../domain/math/fixed-point';
import { FeedEvent, feedDecider, FeedState } from '../domain/oracle/feed';
import { activePool, ActivePool, poolDecider } from '../domain/pool/pool';
import { collateralValueOf, isLiquidatable, unitOf } from '../domain/risk/liquidation-rule';
import { circuitAccepts } from './prover';
import { releaseCurve } from './snarkjs';
import { testOracle } from './testing';
import { buildWitnessInput, publicSignalsOf } from './witness';

const NOW = 1_800_000_000n;
const FEED = 'ETH-USD';
let oracles: Array<{ name: string } & ReturnType<typeof testOracle>>;
let pool: ActivePool;

/** The feed after its quorum reported `prices` for round 1, through the feed's decider (signatures checked, median taken). */
function pricedFeed(prices: bigint[]): FeedState {
  const registered: FeedEvent[] = [
    { type: 'FeedRegistered', feed: FEED, quorum: prices.length, heartbeatSeconds: 3600, deviationLimitBps: 10_000n, maxFutureSkewSeconds: 30 },
    ...oracles.map((o): FeedEvent => ({ type: 'OracleKeyRegistered', oracle: o.name, publicKey: o.key })),
  ];
  let feed = registered.reduce(feedDecider.evolve, feedDecider.initialState());
  prices.forEach((price, i) => {
    const signature = signMessage(oracles[i].privateKey, reportMessage(FEED, 1n, price, NOW));
    const events = feedDecider.decide({ type: 'SubmitPriceReport', oracle: oracles[i].name, round: 1n, price, timestamp: NOW, signature, now: NOW }, feed, undefined);
    feed = events.reduce(feedDecider.evolve, feed);
  });
  return feed;
}

/** Whether the ledger accepts a claim with these public signals (any refusal: no). */
function ledgerAccepts(positionId: string, commitment: bigint, signals: ReturnType<typeof publicSignalsOf>, feed: FeedState): boolean {
  try {
    checkLiquidationClaim({ positionId, commitment, nullifiers: [] }, { liquidator: 'keeper', signals }, pool, feed, NOW);
    return true;
  } catch (err) {
    if (err instanceof DomainError) return false;
    throw err;
  }
}

beforeAll(async () => {
  await loadCrypto();
  oracles = Array.from({ length: 5 }, (_, i) => ({ name: `o${i}`, ...testOracle(`round-price-${i}`) }));
  const [created] = poolDecider.decide(
    {
      type: 'CreatePool', poolId: 'pool', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: FEED, now: NOW - 100n,
      parameters: {
        maxLtvBps: 7500n, liquidationThresholdBps: 8250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1000n,
        closeFactorBps: 5000n, fullCloseHealthFactor: 95n * 10n ** 16n, dustLimit: 0n, liquidationCollateralCap: 10n ** 21n, stabilityFeeYearly: 0n,
      },
    },
    poolDecider.initialState(),
    undefined,
  );
  pool = activePool(poolDecider.evolve(poolDecider.initialState(), created));
});

afterAll(releaseCurve);

it('a proof exists only at the round’s median, and only when the position is under water there', async () => {
  const outcomes = { provenAtMedian: 0, healthyAtMedian: 0, refusedElsewhere: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        level: fc.bigInt({ min: 500n, max: 5_000n }),
        // Each report within ±20% of the level, in 0.01 steps; three to five of them.
        spreads: fc.array(fc.integer({ min: -2_000, max: 2_000 }), { minLength: 3, maxLength: 5 }),
        collateral: fc.bigInt({ min: WAD / 10n, max: 100n * WAD }),
        // Where the debt sits against the boundary at the median: from 2% below to 2% above, in basis points.
        offsetBps: fc.integer({ min: -200, max: 200 }),
        salt: fc.bigInt({ min: 1n, max: 1n << 200n }),
      }),
      async ({ level, spreads, collateral, offsetBps, salt }) => {
        const prices = spreads.map((s) => level * WAD + (level * WAD * BigInt(s)) / 10_000n);
        const feed = pricedFeed(prices);
        if (feed.status !== 'active' || !feed.price) throw new Error('the quorum did not set a price');
        const median = feed.price.value;
        // The debt that puts the health factor at exactly 1 at the median, moved by offsetBps.
        const boundary = (collateralValueOf(collateral, median, unitOf(18), unitOf(6)) * 8250n) / 10_000n;
        const scaledDebt = (boundary * BigInt(10_000 + offsetBps)) / 10_000n + 1n;
        const positionId = 'p';
        const underWaterAtMedian = isLiquidatable({ collateral, scaledDebt, price: median, thresholdBps: 8250n, borrowIndex: RAY, collateralUnit: unitOf(18), debtUnit: unitOf(6) });
        for (const price of [...new Set([median, ...prices])]) {
          const input = buildWitnessInput(
            {
              opening: { collateral, scaledDebt, salt },
              roundPrice: { feed: FEED, round: 1n, price },
              pool: { thresholdBps: 8250n, collateralDecimals: 18, debtDecimals: 6, borrowIndex: RAY },
              positionId,
              liquidator: 'keeper',
            },
            { unchecked: true },
          );
          const exists = (await circuitAccepts(input)) && ledgerAccepts(positionId, positionCommitment(collateral, scaledDebt, salt), publicSignalsOf(input), feed);
          expect({ price, exists }).toEqual({ price, exists: price === median && underWaterAtMedian });
          if (price === median) outcomes[exists ? 'provenAtMedian' : 'healthyAtMedian']++;
          else if (!exists) outcomes.refusedElsewhere++;
        }
      },
    ),
    { numRuns: 20 },
  );
  // Both sides of the boundary were reached, and prices off the median were tried.
  expect(outcomes.provenAtMedian).toBeGreaterThan(0);
  expect(outcomes.healthyAtMedian).toBeGreaterThan(0);
  expect(outcomes.refusedElsewhere).toBeGreaterThan(0);
}, 600_000);
