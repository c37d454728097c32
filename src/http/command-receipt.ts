import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CommandOutcome } from '../eventstore/command-handling';

/** What every command answers: whether it was new, and where its events landed. */
export class CommandReceipt {
  @ApiProperty({ example: 'cmd-7f3a' })
  commandId!: string;

  @ApiProperty({ description: 'True when this command id was handled before: nothing was appended this time.' })
  duplicate!: boolean;

  @ApiProperty({ description: 'Stream revision after the command', example: '3' })
  revision!: string;

  @ApiPropertyOptional({ description: '$all commit position of its last event; pass as ?minPosition= to read your write', example: '18231' })
  position?: string;

  @ApiProperty({ description: 'Types of the events this command appended', example: ['DebtDrawn'] })
  events!: string[];
}

export function receiptOf(commandId: string, outcome: CommandOutcome<{ type: string }, unknown>): CommandReceipt {
  return {
    commandId,
    duplicate: outcome.duplicate,
    revision: outcome.revision.toString(),
    ...(outcome.position !== undefined ? { position: outcome.position.toString() } : {}),
    events: outcome.events.map((e) => e.type),
  };
}
