import { BadRequestException, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { EventStoreDBClient } from '@eventstore/db-client';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { DomainError } from '../domain/decider';
import { AuditCheckpoints } from './audit-checkpoint';
import { foldHistory, parseBound, PoolAsOfView, poolAsOf, PositionAsOfView, positionAsOf } from './as-of';
import { readStore } from './history';
import { AMOUNT_READERS, Access, issuing } from '../access/access-policy';
import { Clock } from '../clock/clock';
import { LedgerKeyDocument } from '../eventstore/ledger-key';
import { LedgerSigning } from '../eventstore/ledger-signing';

class CheckpointView {
  @ApiProperty({ description: '$all position of the last ledger event covered' }) upTo!: string;
  @ApiProperty({ description: 'Ledger events covered' }) events!: number;
  @ApiProperty({ description: 'SHA-256 over every covered event’s hash-chain link, in $all order' }) prefixHash!: string;
}

class LedgerKeyPeriodView {
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'SPKI PEM' }) publicKey!: string;
  @ApiProperty({ type: String, nullable: true, description: '$all commit position of the rotation that brought it in (exclusive); null for the first key' }) from!: string | null;
  @ApiProperty({ type: String, nullable: true, description: '$all commit position of the rotation that retired it (exclusive); null for the key in office' }) until!: string | null;
}

class LedgerKeyView implements LedgerKeyDocument {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm!: 'Ed25519';
  @ApiProperty({ description: 'The key in office' }) keyId!: string;
  @ApiProperty({ description: 'The key in office, SPKI PEM' }) publicKey!: string;
  @ApiProperty({ type: [LedgerKeyPeriodView], description: 'Every key the ledger has signed with, oldest first' }) keys!: LedgerKeyPeriodView[];
}

const AS_OF = { name: 'asOf', required: false, description: 'A $all position (digits) or an ISO-8601 instant; default: now', example: '2026-11-24T12:00:00Z' };

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly checkpoints: AuditCheckpoints,
    private readonly signing: LedgerSigning,
    private readonly clock: Clock,
  ) {}

  @Get('ledger-key')
  @Access({ allow: 'anyone' })
  @ApiOperation({ summary: 'The public keys that sign every ledger event’s link (and each audit checkpoint): what an auditor verifies the history with' })
  @ApiOkResponse({ type: LedgerKeyView })
  ledgerKey(): LedgerKeyView {
    return this.signing.keys.document();
  }

  @Post('ledger-key/rotations')
  @Access(issuing('RotateLedgerKey'))
  @ApiOperation({ summary: 'Retire the ledger’s signing key for a new one: a LedgerKeyRotated event, signed by both keys, in the stream ledger-keys' })
  @ApiCreatedResponse({ type: LedgerKeyView })
  rotateLedgerKey(): Promise<LedgerKeyView> {
    return this.signing.rotate(this.clock.now());
  }

  @Post('checkpoints')
  @Access({ allow: ['auditor', 'admin'], rateLimit: 'commands' })
  @ApiOperation({ summary: 'Record a checkpoint of the $all prefix now (e.g. before an export); answers the latest one' })
  @ApiCreatedResponse({ type: CheckpointView })
  @ApiUnprocessableEntityResponse({ description: 'NOTHING_TO_CHECKPOINT' })
  async checkpoint(): Promise<CheckpointView> {
    const c = await this.checkpoints.recordNow();
    if (!c) throw new DomainError('NOTHING_TO_CHECKPOINT', 'there are no ledger events to checkpoint yet');
    return { upTo: c.upTo.toString(), events: c.events, prefixHash: c.prefixHash };
  }

  @Get('pools/:poolId')
  @Access({ allow: AMOUNT_READERS })
  @ApiOperation({ summary: 'A pool as it stood at a point of the history, folded from the events alone' })
  @ApiQuery(AS_OF)
  @ApiOkResponse({ type: PoolAsOfView })
  @ApiBadRequestResponse({ description: 'INVALID_AS_OF' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async pool(@Param('poolId') poolId: string, @Query('asOf') asOf?: string): Promise<PoolAsOfView> {
    const bound = queryBound(asOf);
    return poolAsOf(await foldHistory(readStore(this.client, bound)), poolId);
  }

  @Get('positions/:positionId')
  @Access({ allow: AMOUNT_READERS })
  @ApiOperation({ summary: 'A position (amounts included) as it stood at a point of the history' })
  @ApiQuery(AS_OF)
  @ApiOkResponse({ type: PositionAsOfView })
  @ApiBadRequestResponse({ description: 'INVALID_AS_OF' })
  @ApiNotFoundResponse({ description: 'POSITION_NOT_FOUND' })
  async position(@Param('positionId') positionId: string, @Query('asOf') asOf?: string): Promise<PositionAsOfView> {
    const bound = queryBound(asOf);
    return positionAsOf(await foldHistory(readStore(this.client, bound)), positionId);
  }
}

/** A malformed query parameter is the caller's mistake: 400, with the domain's code. */
function queryBound(asOf: string | undefined) {
  try {
    return parseBound(asOf);
  } catch (err) {
    if (err instanceof DomainError) throw new BadRequestException({ code: err.code, message: err.message });
    throw err;
  }
}
