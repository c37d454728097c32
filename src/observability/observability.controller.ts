import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EventStoreDBClient, BACKWARDS, END } from '@eventstore/db-client';
import { DATABASE } from '../database/database.module';
import { Database } from '../database/database';
import { Metrics } from './metrics';
import { ProjectionsService } from '../projections/projections.service';
import { Access } from '../access/access-policy';

@ApiTags('operations')
@Controller()
export class ObservabilityController {
  constructor(
    private readonly metrics: Metrics,
    private readonly client: EventStoreDBClient,
    @Inject(DATABASE) private readonly db: Database,
    private readonly projections: ProjectionsService,
  ) {}

  @Get('health/live')
  @Access({ allow: 'anyone' })
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  @ApiOkResponse({ schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @Access({ allow: 'anyone' })
  @ApiOperation({ summary: 'Readiness: the event store and the database answer, and every projection runs.' })
  @ApiOkResponse({ schema: { type: 'object', required: ['status', 'projections'], properties: { status: { type: 'string', enum: ['ready'] }, projections: { type: 'array', items: { type: 'object' } } } } })
  @ApiServiceUnavailableResponse({ description: 'NOT_READY' })
  async ready(): Promise<{ status: 'ready'; projections: unknown[] }> {
    const problems: string[] = [];
    await this.probe(problems, 'eventstore', async () => {
      // Drained, not broken out of: leaving a read early leaves its call open on the client.
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    });
    await this.probe(problems, 'database', () => this.db.query('SELECT 1'));
    const projections = this.projections.statuses();
    for (const p of projections) if (p.state !== 'running') problems.push(`projection ${p.projection} is ${p.state}`);
    if (problems.length) throw new ServiceUnavailableException({ code: 'NOT_READY', message: problems.join('; ') });
    return { status: 'ready', projections };
  }

  @Get('metrics')
  @Access({ allow: ['admin', 'auditor', 'integrator'] })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics in the Prometheus text format' })
  async metricsText(): Promise<string> {
    this.projections.exportMetrics(this.metrics);
    return this.metrics.registry.metrics();
  }

  private async probe(problems: string[], name: string, check: () => Promise<unknown>): Promise<void> {
    try {
      await check();
    } catch (err) {
      problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
