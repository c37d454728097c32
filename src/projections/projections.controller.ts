import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ProjectionsService } from './projections.service';
import { Access } from '../access/access-policy';

export class RebuildStatusView {
  @ApiProperty({ enum: ['catching-up', 'switching', 'done', 'failed'] }) state!: string;
  @ApiProperty() startedAt!: string;
  @ApiPropertyOptional() finishedAt?: string;
  @ApiProperty({ description: 'Events the new model has applied' }) eventsApplied!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Where the new model is in `$all`' }) commitPosition!: string | null;
  @ApiProperty({ description: 'Where the store ended when the rebuild started' }) targetPosition!: string;
  @ApiProperty({ description: 'Share of the way to the target, 0 to 1' }) progress!: number;
  @ApiProperty() eventsPerSecond!: number;
  @ApiPropertyOptional({ description: 'Seconds left at the current rate, while catching up' }) etaSeconds?: number;
  @ApiPropertyOptional() error?: string;
}

export class ProjectionStatusView {
  @ApiProperty({ example: 'pool-state' }) projection!: string;
  @ApiProperty({ enum: ['starting', 'running', 'stopped', 'faulted'] }) state!: string;
  @ApiProperty({ type: String, nullable: true, description: '`$all` commit position it has applied up to' }) commitPosition!: string | null;
  @ApiProperty() eventsApplied!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Creation time of the last event applied' }) lastEventAt!: string | null;
  @ApiProperty({ description: 'Events received and not yet applied' }) lagEvents!: number;
  @ApiProperty({ description: 'While events wait: seconds since the last applied one was written (0 when caught up)' }) lagSeconds!: number;
  @ApiPropertyOptional({ description: 'Public events written to projection streams' }) eventsWritten?: number;
  @ApiPropertyOptional({ type: RebuildStatusView, description: 'A rebuild under way, or the last one' }) rebuild?: RebuildStatusView;
  @ApiPropertyOptional() error?: string;
}

@ApiTags('projections')
@Controller('projections')
export class ProjectionsController {
  constructor(private readonly projections: ProjectionsService) {}

  @Get()
  @Access({ allow: ['admin', 'auditor', 'integrator'] })
  @ApiOperation({ summary: 'Each projection: its checkpoint, and its lag in events and in time' })
  @ApiOkResponse({ type: [ProjectionStatusView] })
  list(): ProjectionStatusView[] {
    return this.projections.statuses();
  }

  @Post(':name/rebuild')
  @Access({ allow: ['admin'], rateLimit: 'commands' })
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild a read model from the start of the event store',
    description: 'The new model is built beside the live one, which the API keeps serving until the new one has caught up; then one transaction switches. Follow it in GET /projections (`rebuild`).',
  })
  @ApiParam({ name: 'name', example: 'pool-state' })
  @ApiAcceptedResponse({ type: RebuildStatusView })
  @ApiResponse({ status: 404, description: 'PROJECTION_NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'REBUILD_IN_PROGRESS, or NOT_REBUILDABLE (projection streams are append-only)' })
  rebuild(@Param('name') name: string): RebuildStatusView {
    return this.projections.rebuild(name);
  }
}
