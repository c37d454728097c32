/**
 * Reads a pool's state from the read model, priced at the feed's last price and the borrow index at
 * `now`. Health bands are computed in SQL numeric, exactly as the liquidation rule does (collateral
 * value rounded down, debt rounded up).
 */
import { Inject, Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Database } from '../../database/database';
import { DATABASE } from '../../database/database.module';
import { DomainError } from '../../domain/decider';
import { indexAt } from '../../domain/interest/stability-fee';
import { formatDecimal } from '../../domain/math/decimal';
import { BPS, mulDivUp } from '../../domain/math/fixed-point';
import { collateralValueOf, debtOf, unitOf } from '../../domain/risk/liquidation-rule';
import { PoolParameters } from '../../domain/pool/pool';
import { PoolParametersBody, poolParametersView } from '../../http/pool-parameters';

export class HealthBands {
  @ApiProperty({ description: 'Health factor below 1' }) liquidatable!: number;
  @ApiProperty({ description: '1 to 1.1' }) atRisk!: number;
  @ApiProperty({ description: '1.1 to 1.5' }) watch!: number;
  @ApiProperty({ description: '1.5 and above' }) safe!: number;
  @ApiProperty({ description: 'Open without debt' }) noDebt!: number;
}

export class PoolStateView {
  @ApiProperty() poolId!: string;
  @ApiProperty({ example: { symbol: 'WETH', decimals: 18 } }) collateral!: { symbol: string; decimals: number };
  @ApiProperty({ example: { symbol: 'USDC', decimals: 6 } }) debt!: { symbol: string; decimals: number };
  @ApiProperty() feed!: string;
  @ApiProperty({ type: PoolParametersBody, description: 'Risk parameters as a client sends them: ratios in bps, amounts in whole tokens of their asset' }) parameters!: PoolParametersBody;
  @ApiPropertyOptional({ example: '2150.25' }) price?: string;
  @ApiPropertyOptional() priceRound?: string;
  @ApiProperty() liquidationsPaused!: boolean;
  @ApiProperty({ example: '1.000000312', description: 'Borrow index now (1 = no interest yet)' }) borrowIndex!: string;
  @ApiPropertyOptional({ example: '1250.5', description: "Only for admins and auditors: with few positions in a pool, a change of its totals is one position's amounts. " }) totalCollateral?: string;
  @ApiPropertyOptional({ example: '1800000.25', description: "Total debt with interest to now. Only for admins and auditors: with few positions in a pool, a change of its totals is one position's amounts. " }) totalDebt?: string;
  @ApiPropertyOptional({ example: '0.42', description: "Debt ÷ borrowing capacity (collateral value × max LTV); absent without a price or collateral. Only for admins and auditors: its change is one position's change. " })
  utilization?: string;
  @ApiPropertyOptional({ example: '0.4-0.5', description: 'Utilization as a band 0.1 wide (the last band: "1-" at or above 1), for every role: too coarse to difference down to one position (see docs/privacy.md)' })
  utilizationBand?: string;
  @ApiProperty() openPositions!: number;
  @ApiPropertyOptional({ example: '120.5', description: "Protocol reserve: liquidation penalties and fees in, keeper incentives and covered bad debt out. Only for admins and auditors: with few positions in a pool, a change of its totals is one position's amounts. " }) reserve?: string;
  @ApiPropertyOptional({ example: '0', description: "Bad debt the reserve could not cover, borne by the lenders (cumulative). Only for admins and auditors: with few positions in a pool, a change of its totals is one position's amounts. " }) socializedLoss?: string;
  @ApiPropertyOptional({ type: HealthBands, description: 'Open positions by health factor at the current price; absent without a price' })
  healthBands?: HealthBands;
}

interface PoolRow {
  pool_id: string;
  collateral_symbol: string;
  collateral_decimals: number;
  debt_symbol: string;
  debt_decimals: number;
  feed: string;
  parameters: Record<string, unknown>;
  borrow_index: string;
  index_at: string;
  rate_per_second: string;
  total_collateral: string;
  total_scaled_debt: string;
  open_positions: number;
  reserve: string;
  socialized_loss: string;
  price: string | null;
  round: string | null;
  liquidations_paused: boolean | null;
}

@Injectable()
export class PoolStateQuery {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async pool(poolId: string, now: bigint): Promise<PoolStateView> {
    const [row] = await this.db.query<PoolRow>(
      `SELECT p.pool_id, p.collateral_symbol, p.collateral_decimals, p.debt_symbol, p.debt_decimals, p.feed, p.parameters,
              p.borrow_index::text, p.index_at::text, p.rate_per_second::text, p.total_collateral::text, p.total_scaled_debt::text,
              p.open_positions, p.reserve::text, p.socialized_loss::text, f.price::text, f.round::text, f.liquidations_paused
         FROM pools p LEFT JOIN feed_prices f ON f.feed = p.feed WHERE p.pool_id = $1`,
      [poolId],
    );
    if (!row) throw new DomainError('POOL_NOT_FOUND', 'no such pool');
    const index = indexAt({ index: BigInt(row.borrow_index), at: BigInt(row.index_at), ratePerSecond: BigInt(row.rate_per_second) }, now);
    const collateralUnit = unitOf(row.collateral_decimals);
    const debtUnit = unitOf(row.debt_decimals);
    const totalDebt = debtOf(BigInt(row.total_scaled_debt), index);
    const price = row.price === null ? undefined : BigInt(row.price);
    const parameters = poolParametersOfJson(row.parameters);
    const capacity = price === undefined ? 0n : (collateralValueOf(BigInt(row.total_collateral), price, collateralUnit, debtUnit) * parameters.maxLtvBps) / BPS;
    return {
      poolId: row.pool_id,
      collateral: { symbol: row.collateral_symbol, decimals: row.collateral_decimals },
      debt: { symbol: row.debt_symbol, decimals: row.debt_decimals },
      feed: row.feed,
      parameters: poolParametersView(parameters, row.debt_decimals, row.collateral_decimals),
      ...(price !== undefined ? { price: formatDecimal(price, 18), priceRound: row.round as string } : {}),
      liquidationsPaused: row.liquidations_paused ?? false,
      borrowIndex: formatDecimal(index, 27),
      totalCollateral: formatDecimal(BigInt(row.total_collateral), row.collateral_decimals),
      totalDebt: formatDecimal(totalDebt, row.debt_decimals),
      ...(capacity > 0n ? { utilization: formatDecimal(mulDivUp(totalDebt, 10n ** 6n, capacity), 6), utilizationBand: utilizationBand(totalDebt, capacity) } : {}),
      openPositions: row.open_positions,
      reserve: formatDecimal(BigInt(row.reserve), row.debt_decimals),
      socializedLoss: formatDecimal(BigInt(row.socialized_loss), row.debt_decimals),
      ...(price !== undefined ? { healthBands: await this.healthBands(poolId, price, index, parameters.liquidationThresholdBps, collateralUnit, debtUnit) } : {}),
    };
  }

  private async healthBands(poolId: string, price: bigint, index: bigint, thresholdBps: bigint, collateralUnit: bigint, debtUnit: bigint): Promise<HealthBands> {
    const [bands] = await this.db.query<Record<keyof HealthBands, string>>(
      `WITH p AS (
         SELECT floor(collateral * $2::numeric * $6::numeric / ($5::numeric * 1000000000000000000)) * $4::numeric AS weighted,
                ceil(scaled_debt * $3::numeric / 1000000000000000000000000000) AS debt
           FROM position_balances WHERE pool_id = $1 AND open)
       SELECT count(*) FILTER (WHERE debt = 0) AS "noDebt",
              count(*) FILTER (WHERE debt > 0 AND weighted < debt * 10000) AS liquidatable,
              count(*) FILTER (WHERE debt > 0 AND weighted >= debt * 10000 AND weighted < debt * 11000) AS "atRisk",
              count(*) FILTER (WHERE debt > 0 AND weighted >= debt * 11000 AND weighted < debt * 15000) AS watch,
              count(*) FILTER (WHERE debt > 0 AND weighted >= debt * 15000) AS safe
         FROM p`,
      [poolId, price.toString(), index.toString(), thresholdBps.toString(), collateralUnit.toString(), debtUnit.toString()],
    );
    return {
      liquidatable: Number(bands.liquidatable),
      atRisk: Number(bands.atRisk),
      watch: Number(bands.watch),
      safe: Number(bands.safe),
      noDebt: Number(bands.noDebt),
    };
  }
}

/** The pool without its sums (totals, exact utilization, reserve, socialized loss): what callers who may not see amounts get. */
export function withoutSums(view: PoolStateView): PoolStateView {
  const { totalCollateral: _c, totalDebt: _d, utilization: _u, reserve: _r, socializedLoss: _s, ...rest } = view;
  return rest;
}

/** Bands of utilization, in tenths: one position's change moves it only across a band edge, and then by a whole band. */
const UTILIZATION_BANDS = 10n;

/** The band debt ÷ capacity falls in, as "0.4-0.5" (the band's lower edge rounded down), or "1-" at or above 1. */
function utilizationBand(debt: bigint, capacity: bigint): string {
  const tenth = (debt * UTILIZATION_BANDS) / capacity;
  if (tenth >= UTILIZATION_BANDS) return '1-';
  const edge = (n: bigint) => formatDecimal(n, 1);
  return `${edge(tenth)}-${edge(tenth + 1n)}`;
}

/** The parameters as the read model keeps them (JSON, bigints as strings) back as the domain's. */
function poolParametersOfJson(json: Record<string, unknown>): PoolParameters {
  const big = (o: Record<string, unknown>, keep: string[]) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, keep.includes(k) ? v : BigInt(v as string)]));
  const { auction, ...rest } = json;
  return { ...big(rest, []), ...(auction ? { auction: big(auction as Record<string, unknown>, ['route', 'curve']) } : {}) } as unknown as PoolParameters;
}
