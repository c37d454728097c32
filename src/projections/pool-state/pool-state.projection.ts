/**
 * Pool state: per pool its parameters, borrow index, totals of collateral and scaled debt and open
 * positions; per feed its price; per position its balances (for totals and health bands). A batch of
 * events is folded in memory and written with a few statements, so catching up is not one round trip
 * per event.
 */
import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import { LedgerEvent, ledgerEventCodec } from '../../domain/events';
import { Quarantine } from '../../eventstore/quarantine';
import { Projection, ProjectedEvent } from '../projection';

interface PositionRow {
  position_id: string;
  pool_id: string;
  collateral: bigint;
  scaled_debt: bigint;
  open: boolean;
  commitment: string;
}

/**
 * The position events this read model folds, so the only ones whose rows are read before a batch: a
 * trigger (one per position a price move crosses) and the liquidation's other steps change no row.
 */
const POSITION_ROW_EVENTS = new Set<string>(['PositionOpened', 'CollateralDeposited', 'CollateralWithdrawn', 'DebtDrawn', 'DebtRepaid', 'LiquidationSettled', 'PositionClosed']);

@Injectable()
export class PoolStateProjection implements Projection {
  readonly name = 'pool-state';
  readonly streamPrefixes = ['pool-', 'position-', 'oracle-'];
  readonly tables = ['pools', 'feed_prices', 'position_balances'];

  constructor(private readonly quarantine: Quarantine = new Quarantine()) {}

  async apply(tx: Queryable, batch: readonly ProjectedEvent[]): Promise<void> {
    const events = this.decode(batch);
    const positions = await this.loadPositions(tx, events.filter((e) => POSITION_ROW_EVENTS.has(e.event.type)).map((e) => e.stream.slice('position-'.length)));
    const before = new Map([...positions].map(([id, row]) => [id, { ...row }]));

    for (const { stream, event, stored } of events) {
      switch (event.type) {
        case 'PoolCreated':
          await tx.query(
            `INSERT INTO pools (pool_id, collateral_symbol, collateral_decimals, debt_symbol, debt_decimals, feed, parameters, borrow_index, index_at, rate_per_second)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [event.poolId, event.collateral.symbol, event.collateral.decimals, event.debt.symbol, event.debt.decimals, event.feed, jsonOf(event.parameters), (10n ** 27n).toString(), event.at.toString(), event.ratePerSecond.toString()],
          );
          break;
        case 'InterestAccrued':
          await tx.query('UPDATE pools SET borrow_index = $2, index_at = $3 WHERE pool_id = $1', [poolIdOf(stream), event.index.toString(), event.at.toString()]);
          break;
        case 'PoolParametersChanged':
          await tx.query('UPDATE pools SET parameters = $2, rate_per_second = $3 WHERE pool_id = $1', [poolIdOf(stream), jsonOf(event.parameters), event.ratePerSecond.toString()]);
          break;
        case 'RiskParametersApplied':
          await tx.query('UPDATE pools SET parameters = $2 WHERE pool_id = $1', [poolIdOf(stream), jsonOf(event.parameters)]);
          break;
        case 'PriceUpdated':
          await tx.query(
            `INSERT INTO feed_prices (feed, price, round, price_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (feed) DO UPDATE SET price = $2, round = $3, price_at = $4`,
            [stream.slice('oracle-'.length), event.price.toString(), event.round.toString(), event.at.toString()],
          );
          break;
        case 'LiquidationAccounted':
          await tx.query('UPDATE pools SET reserve = $2, socialized_loss = socialized_loss + $3 WHERE pool_id = $1', [poolIdOf(stream), event.reserve.toString(), event.socialized.toString()]);
          break;
        case 'LiquidationsPaused':
        case 'LiquidationsResumed':
          await tx.query('UPDATE feed_prices SET liquidations_paused = $2 WHERE feed = $1', [stream.slice('oracle-'.length), event.type === 'LiquidationsPaused']);
          break;
        case 'PositionOpened':
          positions.set(event.positionId, { position_id: event.positionId, pool_id: event.poolId, collateral: 0n, scaled_debt: 0n, open: true, commitment: event.commitment.toString() });
          break;
        case 'CollateralDeposited':
        case 'CollateralWithdrawn':
        case 'DebtDrawn':
        case 'DebtRepaid':
        case 'LiquidationSettled':
        case 'PositionClosed': {
          const row = positions.get(stream.slice('position-'.length));
          if (!row) {
            this.quarantine.report(stored, 'UNFOLDABLE', new Error(`${event.type} on ${stream} before its PositionOpened`));
            break;
          }
          Object.assign(row, { collateral: event.collateral, scaled_debt: event.scaledDebt, commitment: event.commitment.toString(), open: event.type !== 'PositionClosed' });
          break;
        }
        default:
          break; // reports and keys do not change pool state
      }
    }
    await this.savePositions(tx, positions, before);
  }

  /**
   * The batch's events decoded. One that cannot be is quarantined, and its stream is not projected past
   * it: the command side refuses that stream from there on too.
   */
  private decode(batch: readonly ProjectedEvent[]): { stream: string; event: LedgerEvent; stored: ProjectedEvent }[] {
    const events = [];
    for (const stored of batch) {
      if (this.quarantine.of(stored.stream)) continue;
      const event = this.quarantine.decode(ledgerEventCodec, stored);
      if (event) events.push({ stream: stored.stream, event, stored });
    }
    return events;
  }

  private async loadPositions(tx: Queryable, ids: string[]): Promise<Map<string, PositionRow>> {
    const rows = ids.length
      ? await tx.query<{ position_id: string; pool_id: string; collateral: string; scaled_debt: string; open: boolean; commitment: string }>(
          'SELECT position_id, pool_id, collateral::text, scaled_debt::text, open, commitment FROM position_balances WHERE position_id = ANY($1)',
          [[...new Set(ids)]],
        )
      : [];
    return new Map(rows.map((r) => [r.position_id, { ...r, collateral: BigInt(r.collateral), scaled_debt: BigInt(r.scaled_debt) }]));
  }

  /** Writes changed positions and moves each pool's totals by the difference. */
  private async savePositions(tx: Queryable, positions: Map<string, PositionRow>, before: Map<string, PositionRow>): Promise<void> {
    const deltas = new Map<string, { collateral: bigint; scaledDebt: bigint; open: number }>();
    const changed: PositionRow[] = [];
    for (const [id, row] of positions) {
      const old = before.get(id);
      if (old && old.collateral === row.collateral && old.scaled_debt === row.scaled_debt && old.open === row.open && old.commitment === row.commitment) continue;
      changed.push(row);
      const d = deltas.get(row.pool_id) ?? { collateral: 0n, scaledDebt: 0n, open: 0 };
      d.collateral += row.collateral - (old?.collateral ?? 0n);
      d.scaledDebt += row.scaled_debt - (old?.scaled_debt ?? 0n);
      d.open += Number(row.open) - Number(old?.open ?? false);
      deltas.set(row.pool_id, d);
    }
    if (!changed.length) return;
    await tx.query(
      `INSERT INTO position_balances (position_id, pool_id, collateral, scaled_debt, open, commitment)
       SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::boolean[], $6::text[])
       ON CONFLICT (position_id) DO UPDATE SET collateral = excluded.collateral, scaled_debt = excluded.scaled_debt, open = excluded.open, commitment = excluded.commitment`,
      [changed.map((r) => r.position_id), changed.map((r) => r.pool_id), changed.map((r) => r.collateral.toString()), changed.map((r) => r.scaled_debt.toString()), changed.map((r) => r.open), changed.map((r) => r.commitment)],
    );
    for (const [poolId, d] of deltas) {
      await tx.query('UPDATE pools SET total_collateral = total_collateral + $2, total_scaled_debt = total_scaled_debt + $3, open_positions = open_positions + $4 WHERE pool_id = $1', [
        poolId,
        d.collateral.toString(),
        d.scaledDebt.toString(),
        d.open,
      ]);
    }
  }
}

const poolIdOf = (stream: string) => stream.slice('pool-'.length);

function jsonOf(value: object): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}
