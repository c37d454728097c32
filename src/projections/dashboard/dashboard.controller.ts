/**
 * `GET /dashboard?pool=<poolId>`: a live page of one pool, built on the public projection streams
 * (dashboard.html.ts). A page for people, not part of the API: it is left out of the OpenAPI document.
 * Without a pool, or with one that is not a pool id, it answers 400 with a code like any refusal.
 */
import { BadRequestException, Controller, Get, Header, Query } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { DASHBOARD_CSP, dashboardHtml } from './dashboard.html';
import { Access } from '../../access/access-policy';

const POOL_ID = /^[A-Za-z0-9._-]{1,64}$/;

@Controller('dashboard')
export class DashboardController {
  @Get()
  @Access({ allow: 'anyone' })
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('Content-Security-Policy', DASHBOARD_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Referrer-Policy', 'no-referrer')
  page(@Query('pool') pool: unknown): string {
    if (pool === undefined) throw new BadRequestException({ code: 'POOL_REQUIRED', message: 'dashboard?pool=<poolId> names the pool to show' });
    if (typeof pool !== 'string' || !POOL_ID.test(pool)) {
      throw new BadRequestException({ code: 'INVALID_POOL_ID', message: 'pool must be a pool id: 1 to 64 letters, digits, dots, underscores or dashes' });
    }
    return dashboardHtml(pool);
  }
}
