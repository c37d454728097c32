/**
 * Balances valued in their pool at a price and a borrow index: the collateral's value in the debt
 * asset (rounded down), the debt (rounded up), the health factor and its band. Every surface that shows
 * health (a position's view, the auditor's pool view and timeline, the public liquidation stream)
 * computes it here, so the rounding is the liquidation rule's everywhere.
 */
import type { ActivePool } from '../pool/pool-state';
import { collateralValueOf, debtOf, unitOf } from './liquidation-rule';
import { healthBand, HealthBand, healthFactor } from './position-risk';

export interface Health {
  collateralValue: bigint;
  debt: bigint;
  /** WAD, rounded down; undefined without debt. */
  healthFactor?: bigint;
  band: HealthBand;
}

export function healthOf(pool: Pick<ActivePool, 'collateral' | 'debt' | 'parameters'>, balances: { collateral: bigint; scaledDebt: bigint }, price: bigint, borrowIndex: bigint): Health {
  const collateralValue = collateralValueOf(balances.collateral, price, unitOf(pool.collateral.decimals), unitOf(pool.debt.decimals));
  const debt = debtOf(balances.scaledDebt, borrowIndex);
  const threshold = pool.parameters.liquidationThresholdBps;
  const factor = healthFactor(collateralValue, debt, threshold);
  return { collateralValue, debt, ...(factor !== undefined ? { healthFactor: factor } : {}), band: healthBand(collateralValue, debt, threshold) };
}
