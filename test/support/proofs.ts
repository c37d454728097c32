/**
 * Proofs as anyone holding a position's opening can make them, at a round and price of their choosing
 * (the circuit takes the price as a public signal; the ledger decides whether it is the round's).
 */
import { parseDecimal } from '../../src/domain/math/decimal';
import { buildWitnessInput, LiquidationProof, proveLiquidation } from '../../src/zk';
import { Actor } from './ledger-app';
import { FEED, Market, POOL } from './scenario';

/** The owner's opening of the position's commitment, as GET /positions/{id}/opening answers it. */
export interface OpeningJson {
  poolId: string;
  collateral: string;
  scaledDebt: string;
  salt: string;
  commitment: string;
}

export async function proveAt(market: Market, positionId: string, round: bigint, price: bigint, liquidator: Actor): Promise<LiquidationProof> {
  const opening = (await market.ok('GET', `/positions/${positionId}/opening`, undefined, market.borrower)) as OpeningJson;
  const pool = await market.ok('GET', `/pools/${POOL}`);
  return proveLiquidation(
    buildWitnessInput({
      opening: { collateral: BigInt(opening.collateral), scaledDebt: BigInt(opening.scaledDebt), salt: BigInt(opening.salt) },
      roundPrice: { feed: FEED, round, price },
      pool: {
        thresholdBps: BigInt(pool.parameters.liquidationThresholdBps),
        collateralDecimals: pool.collateral.decimals,
        debtDecimals: pool.debt.decimals,
        borrowIndex: parseDecimal(pool.borrowIndex, 27, 'borrowIndex'),
      },
      positionId,
      liquidator: liquidator.id,
    }),
  );
}

export const wad = (decimal: string): bigint => parseDecimal(decimal, 18, 'price');
