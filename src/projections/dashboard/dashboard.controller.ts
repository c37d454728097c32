/**
 * `GET /dashboard`: the page a risk desk keeps open (dashboard.html.ts). Without `?pool=` it is the pool
 * picker; with a pool it is that pool, live from the public streams; with a pool that does not exist,
 * the picker again under a 404 that says so. A malformed pool id is refused 400 with a code, like any
 * refusal. The pages are for people and stay out of the OpenAPI document; the two size-free reads the
 * page makes besides the public streams (the pools, and a pool's positions counted by health band)
 * are in it.
 */
import { BadRequestException, Controller, Get, Header, Inject, NotFoundException, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiExcludeEndpoint, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createReadStream } from 'node:fs';
import { Access } from '../../access/access-policy';
import { Clock, unixSeconds } from '../../clock/clock';
import { Database } from '../../database/database';
import { DATABASE } from '../../database/database.module';
import { HealthBands, PoolStateQuery } from '../pool-state/pool-state.query';
import { DASHBOARD_ASSETS, DASHBOARD_CSP, dashboardHtml, DashboardPool, pickerHtml } from './dashboard.html';

const POOL_ID = /^[A-Za-z0-9._-]{1,64}$/;

function poolIdOf(pool: unknown): string {
  if (typeof pool !== 'string' || !POOL_ID.test(pool)) {
    throw new BadRequestException({ code: 'INVALID_POOL_ID', message: 'pool must be a pool id: 1 to 64 letters, digits, dots, underscores or dashes' });
  }
  return pool;
}

export class DashboardPoolView implements DashboardPool {
  @ApiProperty({ example: 'weth-usdc' }) poolId!: string;
  @ApiProperty({ example: 'ETH-USD' }) feed!: string;
  @ApiProperty({ example: 'WETH', description: "Collateral asset's symbol" }) collateral!: string;
  @ApiProperty({ example: 'USDC', description: "Debt asset's symbol" }) debt!: string;
}

export class DashboardPoolsView {
  @ApiProperty({ type: [DashboardPoolView] }) pools!: DashboardPoolView[];
}

export class PoolHealthBandsView {
  @ApiProperty() poolId!: string;
  @ApiPropertyOptional({ example: '2150.25', description: 'The price the bands are counted at; absent before the feed has one' }) price?: string;
  @ApiPropertyOptional() priceRound?: string;
  @ApiPropertyOptional({ type: HealthBands, description: 'Open positions counted by health factor at that price (counts only, as GET /pools/{poolId} shows every role); absent without a price' })
  healthBands?: HealthBands;
}

const HTML_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-cache',
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

@ApiTags('dashboard')
@Controller('dashboard')
export class DashboardController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly poolState: PoolStateQuery,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Access({ allow: 'anyone' })
  @ApiExcludeEndpoint()
  async page(@Query('pool') pool: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const poolId = pool === undefined ? undefined : poolIdOf(pool);
    const pools = await this.listPools();
    const shown = pools.find((p) => p.poolId === poolId);
    reply.headers(HTML_HEADERS);
    if (shown) return dashboardHtml(shown, pools);
    reply.status(poolId === undefined ? 200 : 404);
    return pickerHtml(pools, poolId);
  }

  @Get('assets/:name')
  @Access({ allow: 'anyone' })
  @ApiExcludeEndpoint()
  @Header('Cache-Control', 'public, max-age=3600')
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('name') name: string): StreamableFile {
    const asset = Object.hasOwn(DASHBOARD_ASSETS, name) ? DASHBOARD_ASSETS[name] : undefined;
    if (!asset) throw new NotFoundException({ code: 'ASSET_NOT_FOUND', message: `the dashboard has no asset ${name.slice(0, 80)}` });
    return new StreamableFile(createReadStream(asset.file), { type: asset.type });
  }

  @Get('pools')
  @Access({ allow: 'anyone' })
  @ApiOperation({ summary: 'The pools, for the dashboard’s picker: ids, feeds and asset symbols, no amounts' })
  @ApiOkResponse({ type: DashboardPoolsView })
  async pools(): Promise<DashboardPoolsView> {
    return { pools: await this.listPools() };
  }

  @Get('pools/:poolId/health-bands')
  @Access({ allow: 'anyone' })
  @ApiOperation({ summary: 'A pool’s open positions counted by health band at the current price: counts only, for the dashboard’s histogram' })
  @ApiParam({ name: 'poolId' })
  @ApiOkResponse({ type: PoolHealthBandsView })
  @ApiBadRequestResponse({ description: 'INVALID_POOL_ID' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async healthBands(@Param('poolId') pool: string): Promise<PoolHealthBandsView> {
    const { poolId, price, priceRound, healthBands } = await this.poolState.pool(poolIdOf(pool), unixSeconds(this.clock.now()));
    return { poolId, price, priceRound, healthBands };
  }

  private async listPools(): Promise<DashboardPool[]> {
    const rows = await this.db.query<{ pool_id: string; feed: string; collateral_symbol: string; debt_symbol: string }>(
      'SELECT pool_id, feed, collateral_symbol, debt_symbol FROM pools ORDER BY pool_id',
    );
    return rows.map((r) => ({ poolId: r.pool_id, feed: r.feed, collateral: r.collateral_symbol, debt: r.debt_symbol }));
  }
}
