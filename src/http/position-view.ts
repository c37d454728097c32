/**
 * A position as its owner sees it: amounts in whole tokens, debt with interest to now, health factor
 * at the current price, and the commitment that is all anyone else sees of it.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { formatDecimal } from '../domain/math/decimal';
import { indexAt } from '../domain/interest/stability-fee';
import { PositionContext, PositionState } from '../domain/position/position';
import { debtOf } from '../domain/risk/liquidation-rule';
import { healthOf } from '../domain/risk/position-health';
import { DomainError } from '../domain/decider';

export class PositionView {
  @ApiProperty() positionId!: string;
  @ApiProperty() poolId!: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status!: string;
  @ApiProperty({ example: '2.5', description: 'Collateral, whole collateral tokens' }) collateral!: string;
  @ApiProperty({ example: '1200.000001', description: 'Debt with interest to now, whole debt tokens (rounded up)' }) debt!: string;
  @ApiPropertyOptional({ example: '1.42', description: 'Health factor at the current price; absent without debt or price' }) healthFactor?: string;
  @ApiProperty({ description: 'Poseidon(collateral, scaledDebt, salt), decimal' }) commitment!: string;
}

export function positionView(state: PositionState, context: PositionContext): PositionView {
  if (state.status === 'absent') throw new DomainError('POSITION_NOT_FOUND', 'no such position');
  if (context.pool.status !== 'active') throw new DomainError('POOL_NOT_FOUND', 'no such pool');
  const pool = context.pool;
  const index = indexAt(pool.interest, context.now);
  const debt = debtOf(state.scaledDebt, index);
  const hf = context.price.status === 'fresh' ? healthOf(pool, state, context.price.value, index).healthFactor : undefined;
  return {
    positionId: state.positionId,
    poolId: state.poolId,
    owner: state.owner,
    status: state.status,
    collateral: formatDecimal(state.collateral, pool.collateral.decimals),
    debt: formatDecimal(debt, pool.debt.decimals),
    ...(hf !== undefined ? { healthFactor: formatDecimal(hf, 18) } : {}),
    commitment: state.commitment.toString(),
  };
}

/**
 * What the commitment hides: the opening a liquidator needs to prove a liquidation. It is the
 * owner's to hand over (to a liquidator it trusts, or to its own keeper).
 */
export class PositionOpeningView {
  @ApiProperty() positionId!: string;
  @ApiProperty() poolId!: string;
  @ApiProperty({ example: '1250000000000000000', description: 'Collateral, smallest units' }) collateral!: string;
  @ApiProperty({ example: '2400000000', description: 'Debt scaled by the borrow index (debt = ceil(scaledDebt × index / 1e27)), smallest units' }) scaledDebt!: string;
  @ApiProperty({ description: 'The salt of the current commitment, decimal field element' }) salt!: string;
  @ApiProperty({ description: 'Poseidon(collateral, scaledDebt, salt), decimal' }) commitment!: string;
}

export function positionOpening(state: PositionState): PositionOpeningView {
  if (state.status === 'absent') throw new DomainError('POSITION_NOT_FOUND', 'no such position');
  const { positionId, poolId, collateral, scaledDebt, salt, commitment } = state;
  return { positionId, poolId, collateral: collateral.toString(), scaledDebt: scaledDebt.toString(), salt: salt.toString(), commitment: commitment.toString() };
}
