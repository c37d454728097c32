import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ProjectionsService } from './projections.service';

export class ProjectionStatusView {
  @ApiProperty({ example: 'pool-state' }) projection!: string;
  @ApiProperty({ enum: ['starting', 'running', 'stopped', 'faulted'] }) state!: string;
  @ApiPropertyOptional({ nullable: true, description: '`$all` commit position it has applied up to' }) commitPosition!: string | null;
  @ApiProperty() eventsApplied!: number;
  @ApiPropertyOptional({ nullable: true, description: 'Creation time of the last event applied' }) lastEventAt!: string | null;
  @ApiProperty({ description: 'Events received and not yet applied' }) lagEvents!: number;
  @ApiProperty({ description: 'While events wait: seconds since the last applied one was written (0 when caught up)' }) lagSeconds!: number;
  @ApiPropertyOptional({ description: 'Public events written to projection streams' }) eventsWritten?: number;
  @ApiPropertyOptional({ description: 'Rebuild under way or last finished' }) rebuild?: unknown;
  @ApiPropertyOptional() error?: string;
}

@ApiTags('projections')
@Controller('projections')
export class ProjectionsController {
  constructor(private readonly projections: ProjectionsService) {}

  @Get()
  @ApiOperation({ summary: 'Each projection: its checkpoint, and its lag in events and in time' })
  @ApiOkResponse({ type: [ProjectionStatusView] })
  list(): ProjectionStatusView[] {
    return this.projections.statuses();
  }
}
