/**
 * Fixtures for the zk tests and benchmark: deterministic oracle keys, signed reports and a liquidatable
 * claim (1.25 ETH of collateral at 2,000 USDC against 2,400 USDC of debt, 90% threshold: HF = 0.9375).
 * Call `await loadCrypto()` first.
 */
import { createHash } from 'node:crypto';
import { EddsaSignature, OraclePublicKey, publicKeyOf, reportMessage, signMessage } from '../domain/crypto/crypto';
import { RAY, WAD } from '../domain/math/fixed-point';
import { LiquidationClaim, PoolRiskParams, PositionOpening, RoundPrice } from './witness';

export interface TestOracle {
  privateKey: Uint8Array;
  key: OraclePublicKey;
}

/** A deterministic oracle key pair derived from a name. */
export function testOracle(name: string): TestOracle {
  const privateKey = new Uint8Array(createHash('sha256').update(`test oracle ${name}`).digest());
  return { privateKey, key: publicKeyOf(privateKey) };
}

/** An oracle's report, signed with its key (what the feed's quorum submits). */
export interface SignedReport {
  feed: string;
  round: bigint;
  price: bigint;
  timestamp: bigint;
  oracleKey: OraclePublicKey;
  signature: EddsaSignature;
}

export function signReport(
  oracle: TestOracle,
  report: { feed: string; round: bigint; price: bigint; timestamp: bigint },
): SignedReport {
  const signature = signMessage(oracle.privateKey, reportMessage(report.feed, report.round, report.price, report.timestamp));
  return { ...report, oracleKey: oracle.key, signature };
}

export const TEST_POOL: PoolRiskParams = {
  thresholdBps: 9_000n,
  collateralDecimals: 18,
  debtDecimals: 6,
  borrowIndex: RAY,
};

export const TEST_OPENING: PositionOpening = {
  collateral: 125n * 10n ** 16n,
  scaledDebt: 2_400n * 10n ** 6n,
  salt: 0x1234_5678_9abc_def0n,
};

export const TEST_ROUND_PRICE: RoundPrice = { feed: 'ETH/USDC', round: 42n, price: 2_000n * WAD };

export interface ClaimOverrides {
  opening?: Partial<PositionOpening>;
  pool?: Partial<PoolRiskParams>;
  roundPrice?: Partial<RoundPrice>;
  positionId?: string;
  liquidator?: string;
}

/** A liquidatable claim, with any part replaced. */
export function testClaim(overrides: ClaimOverrides = {}): LiquidationClaim {
  return {
    opening: { ...TEST_OPENING, ...overrides.opening },
    roundPrice: { ...TEST_ROUND_PRICE, ...overrides.roundPrice },
    pool: { ...TEST_POOL, ...overrides.pool },
    positionId: overrides.positionId ?? 'position-7',
    liquidator: overrides.liquidator ?? 'liquidator-alice',
  };
}
