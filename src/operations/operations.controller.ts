import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EventStoreDBClient, BACKWARDS, END } from '@eventstore/db-client';
import { DATABASE } from '../database/database.module';
import { Database } from '../database/database';
import { Metrics } from '../observability/metrics';
import { ProjectionsService } from '../projections/projections.service';
import { Access } from '../access/access-policy';
import { DeletedStream, QuarantinedEvent, Quarantine } from '../eventstore/quarantine';
import { EventStoreConnection } from '../eventstore/eventstore.module';

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly client: EventStoreDBClient,
    @Inject(DATABASE) private readonly db: Database,
    private readonly projections: ProjectionsService,
    private readonly quarantine: Quarantine,
    private readonly connection: EventStoreConnection,
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
  @ApiOperation({
    summary: 'Readiness: the event store and the database answer, and every projection runs.',
    description:
      'Also lists, per stream, the first event the ledger quarantined (could not decode or fold), and the streams found deleted or tombstoned under it: ' +
      'the ledger still serves, and refuses what depends on those streams with STREAM_QUARANTINED (409) or STREAM_DELETED (410). ' +
      'storeSubscriptions is how many subscriptions the process holds to its event store: one, the live feed every consumer is fed from.',
  })
  @ApiOkResponse({ schema: { type: 'object', required: ['status', 'storeSubscriptions', 'projections', 'quarantined', 'deletedStreams'], properties: { status: { type: 'string', enum: ['ready'] }, storeSubscriptions: { type: 'integer' }, projections: { type: 'array', items: { type: 'object' } }, quarantined: { type: 'array', items: { type: 'object' } }, deletedStreams: { type: 'array', items: { type: 'object' } } } } })
  @ApiServiceUnavailableResponse({ description: 'NOT_READY' })
  async ready(): Promise<{ status: 'ready'; storeSubscriptions: number; projections: unknown[]; quarantined: QuarantinedEvent[]; deletedStreams: DeletedStream[] }> {
    const problems: string[] = [];
    await this.probe(problems, 'eventstore', async () => {
      // Drained, not broken out of: leaving a read early leaves its call open on the client.
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    });
    await this.probe(problems, 'database', () => this.db.query('SELECT 1'));
    const projections = this.projections.statuses();
    for (const p of projections) if (p.state !== 'running') problems.push(`projection ${p.projection} is ${p.state}`);
    if (problems.length) throw new ServiceUnavailableException({ code: 'NOT_READY', message: problems.join('; ') });
    const storeSubscriptions = this.connection.subscriptions?.held ?? 0;
    return { status: 'ready', storeSubscriptions, projections, quarantined: this.quarantine.list(), deletedStreams: this.quarantine.deletedStreams() };
  }

  @Get('metrics')
  @Access({ allow: ['admin', 'auditor', 'integrator'] })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics in the Prometheus text format' })
  async metricsText(): Promise<string> {
    this.projections.exportMetrics(this.metrics);
    this.metrics.storeSubscriptions.set(this.connection.subscriptions?.held ?? 0);
    for (const [reason, count] of this.quarantine.countsByReason()) this.metrics.quarantinedEvents.set({ reason }, count);
    for (const how of ['deleted', 'tombstoned'] as const) this.metrics.deletedStreams.set({ how }, this.quarantine.deletedStreams().filter((d) => d.how === how).length);
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
