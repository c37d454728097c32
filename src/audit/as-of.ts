/**
 * Time travel: a pool or a position as it stood at a point of the history (a `$all` position or an
 * instant), folded from the events alone with the ledger's own `evolve`, nothing re-decided.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DomainError } from '../domain/decider';
import { formatDecimal } from '../domain/math/decimal';
import { priceAt } from '../domain/oracle/feed';
import { positionView, PositionView } from '../http/position-view';
import { HealthBands } from '../projections/pool-state/pool-state.query';
import { Auditor } from './auditor';
import { HistoryBound, HistoryEvent } from './history';
import { LedgerReplay } from './ledger-replay';

export class AsOf {
  @ApiProperty({ type: String, nullable: true, description: '$all position of the last event folded (null for an empty history)' }) position!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When the last event folded was recorded' }) time!: string | null;
}

export class PoolAsOfView {
  @ApiProperty() poolId!: string;
  @ApiProperty({ type: AsOf }) asOf!: AsOf;
  @ApiProperty() feed!: string;
  @ApiPropertyOptional({ example: '2150.25' }) price?: string;
  @ApiPropertyOptional() priceRound?: string;
  @ApiProperty({ description: 'Borrow index at the as-of instant' }) borrowIndex!: string;
  @ApiProperty() totalCollateral!: string;
  @ApiProperty({ description: 'Total debt with interest to the as-of instant' }) totalDebt!: string;
  @ApiProperty() openPositions!: number;
  @ApiPropertyOptional({ type: HealthBands }) healthBands?: HealthBands;
  @ApiProperty() liquidations!: number;
}

export class PositionAsOfView extends PositionView {
  @ApiProperty({ type: AsOf }) asOf!: AsOf;
}

/** Parses `asOf`: a `$all` position (digits) or an ISO-8601 instant. */
export function parseBound(asOf: string | undefined): HistoryBound {
  if (asOf === undefined || asOf === '') return {};
  if (/^[0-9]{1,20}$/.test(asOf)) return { position: BigInt(asOf) };
  const time = new Date(asOf);
  if (!/^\d{4}-\d{2}-\d{2}/.test(asOf) || Number.isNaN(time.getTime())) {
    throw new DomainError('INVALID_AS_OF', 'asOf is a $all position (digits) or an ISO-8601 instant');
  }
  return { time };
}

export interface FoldedHistory {
  replay: LedgerReplay;
  last?: HistoryEvent;
  /** Ledger time of the last command folded, Unix seconds: the instant the state is valued at. */
  now: bigint;
}

export async function foldHistory(history: AsyncIterable<HistoryEvent>): Promise<FoldedHistory> {
  const auditor = new Auditor({ check: false });
  let last: HistoryEvent | undefined;
  for await (const e of history) {
    auditor.add(e);
    last = e;
  }
  await auditor.finish();
  return { replay: auditor.replay, last, now: auditor.ledgerNow };
}

const asOfOf = (f: FoldedHistory): AsOf => ({ position: f.last?.position.toString() ?? null, time: f.last?.created ?? null });

export function poolAsOf(folded: FoldedHistory, poolId: string): PoolAsOfView {
  const view = folded.replay.poolView(poolId, folded.now);
  if (!view) throw new DomainError('POOL_NOT_FOUND', `no pool ${poolId} at that point of the history`);
  const { pool, price } = view;
  return {
    poolId,
    asOf: asOfOf(folded),
    feed: pool.feed,
    ...(price ? { price: formatDecimal(price.value, 18), priceRound: price.round.toString() } : {}),
    borrowIndex: formatDecimal(view.index, 27),
    totalCollateral: formatDecimal(view.collateral, pool.collateral.decimals),
    totalDebt: formatDecimal(view.debt, pool.debt.decimals),
    openPositions: view.openPositions,
    ...(view.bands ? { healthBands: view.bands } : {}),
    liquidations: view.ledger?.liquidations ?? 0,
  };
}

export function positionAsOf(folded: FoldedHistory, positionId: string): PositionAsOfView {
  const state = folded.replay.positions.get(positionId) ?? { status: 'absent' as const };
  if (state.status === 'absent') throw new DomainError('POSITION_NOT_FOUND', `no position ${positionId} at that point of the history`);
  const pool = folded.replay.pools.get(state.poolId) ?? { status: 'absent' as const };
  const feed = (pool.status === 'active' && folded.replay.feeds.get(pool.feed)) || { status: 'absent' as const };
  return { ...positionView(state, { pool, feed, price: priceAt(feed, folded.now), now: folded.now }), asOf: asOfOf(folded) };
}
