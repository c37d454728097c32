import { Body, Controller, Get, Post, Put, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { formatDecimal, parseDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';
import { CommandBody, DecimalField } from '../http/api-fields';
import { CommandReceipt, receiptOf } from '../http/command-receipt';
import { LiquidationDetector } from './liquidation-detector';
import { GlobalLiquidationCap } from './global-liquidation-cap.command';
import { GLOBAL_LIQUIDATION_CAP_ID, globalLiquidationCapAggregate } from '../domain/liquidation/global-liquidation-cap-aggregate';
import { ExecuteCommand } from '../eventstore/aggregate-commands';
import { Access, EVERY_ROLE, issuing } from '../access/access-policy';

/** A liquidation under way, public: the position by id and commitment, never its amounts. */
export class LiquidationView {
  @ApiProperty() positionId!: string;
  @ApiProperty() poolId!: string;
  @ApiProperty({ description: "The position's commitment Poseidon(collateral, scaledDebt, salt), decimal" }) commitment!: string;
  @ApiProperty({ enum: ['detection', 'proof'], description: "Triggered by the ledger's detection or by a liquidator's proof" }) by!: string;
  @ApiProperty() feed!: string;
  @ApiProperty({ description: 'The oracle round it was triggered at' }) round!: string;
  @ApiPropertyOptional({ example: '1512.5', description: "The round's accepted price (the quorum median) it was found liquidatable at; absent only for a proof of the retired circuit" }) price?: string;
  @ApiPropertyOptional({ description: 'Whose proof triggered it (by proof)' }) liquidator?: string;
  @ApiProperty({ example: 'alice-1.4', description: '`<positionId>.<revision of the trigger>`: its auction id, and `proof-<liquidationId>`, the stream of the ledger\'s proof of a detection' }) liquidationId!: string;
  @ApiProperty({
    enum: ['proven', 'pending'],
    description: "A liquidator's proof came with its trigger; the ledger proves each detection after the trigger, on worker threads: pending until that proof is appended",
  })
  proof!: 'proven' | 'pending';
}

const CAP_DESCRIPTION =
  'The global liquidation cap: the most debt under auction at once across all pools (the tabs of liquidations reserved and not yet accounted for), in whole units of the debt assets, which are USD stablecoins added up at 18 decimals; null: no global cap';

export class GlobalLiquidationCapView {
  @ApiProperty({ type: String, nullable: true, example: '5000000', description: CAP_DESCRIPTION }) cap!: string | null;
}

export class SetGlobalLiquidationCapBody extends CommandBody {
  @DecimalField('The most debt under auction at once across all pools, in whole units of the debt assets (USD stablecoins, added up at 18 decimals); above 0 and at most 10^12', '5000000')
  cap!: string;
}

export class GlobalLiquidationCapReceipt extends CommandReceipt {
  @ApiProperty({ type: String, nullable: true, example: '5000000', description: 'The cap in force after the command' }) cap!: string | null;
}

const capView = (cap: bigint | undefined): string | null => (cap === undefined ? null : formatDecimal(cap, WAD_DECIMALS));

@ApiTags('liquidations')
@Controller('liquidations')
export class LiquidationsController {
  constructor(
    private readonly detector: LiquidationDetector,
    private readonly globalCap: GlobalLiquidationCap,
    private readonly commands: CommandBus,
  ) {}

  @Get('global-cap')
  @Access({ allow: EVERY_ROLE })
  @ApiOperation({ summary: 'The global liquidation cap in force', description: 'Past it, a liquidation waits for room (GLOBAL_LIQUIDATION_CAP_REACHED) until an auction settles or the cap is raised.' })
  @ApiOkResponse({ type: GlobalLiquidationCapView })
  async getGlobalCap(): Promise<GlobalLiquidationCapView> {
    return { cap: capView((await this.globalCap.state()).cap) };
  }

  @Put('global-cap')
  @Access(issuing('SetGlobalLiquidationCap'))
  @ApiOperation({
    summary: 'Admin: set or change the global liquidation cap',
    description: 'Recorded as a GlobalLiquidationCapSet event, so the audit checks every reservation against the cap in force when it was decided. Setting the cap in force appends nothing. Raising it starts the liquidations it held back.',
  })
  @ApiOkResponse({ type: GlobalLiquidationCapReceipt })
  @ApiUnprocessableEntityResponse({ description: 'GLOBAL_CAP_OUT_OF_RANGE (zero, or above 10^12), TOO_MANY_DECIMALS' })
  setGlobalCap(@Body() body: SetGlobalLiquidationCapBody): Promise<GlobalLiquidationCapReceipt> {
    return this.setCap(body.commandId, parseDecimal(body.cap, WAD_DECIMALS, 'cap'));
  }

  @Post('global-cap/lift')
  @Access(issuing('SetGlobalLiquidationCap'))
  @ApiOperation({ summary: 'Admin: lift the global liquidation cap', description: 'A GlobalLiquidationCapSet event without a cap; the liquidations it held back start. Lifting no cap appends nothing.' })
  @ApiCreatedResponse({ type: GlobalLiquidationCapReceipt })
  liftGlobalCap(@Body() body: CommandBody): Promise<GlobalLiquidationCapReceipt> {
    return this.setCap(body.commandId, undefined);
  }

  private async setCap(commandId: string, cap: bigint | undefined): Promise<GlobalLiquidationCapReceipt> {
    const request = { type: 'SetGlobalLiquidationCap', ...(cap !== undefined ? { cap } : {}) } as const;
    const outcome = await this.commands.execute(new ExecuteCommand(globalLiquidationCapAggregate, GLOBAL_LIQUIDATION_CAP_ID, commandId, request));
    if (outcome.events.length) this.globalCap.changed();
    return { ...receiptOf(commandId, outcome), cap: capView(outcome.state.cap) };
  }

  @Get()
  @Access({ allow: EVERY_ROLE })
  @ApiOperation({
    summary: 'Liquidations under way',
    description: 'Positions whose health factor fell below 1, triggered by the ledger as prices, interest and parameters moved, or by a liquidator\'s proof.',
  })
  @ApiQuery({ name: 'poolId', required: false })
  @ApiOkResponse({ type: [LiquidationView] })
  list(@Query('poolId') poolId?: string): LiquidationView[] {
    return this.detector.watch.underWay(poolId).map(({ positionId, poolId, commitment, liquidation, liquidationId, proof }) => ({
      positionId,
      poolId,
      commitment: commitment.toString(),
      by: liquidation.by,
      feed: liquidation.feed,
      round: liquidation.round.toString(),
      ...(liquidation.price !== undefined ? { price: formatDecimal(liquidation.price, WAD_DECIMALS) } : {}),
      ...(liquidation.by === 'proof' ? { liquidator: liquidation.liquidator } : {}),
      liquidationId,
      proof,
    }));
  }
}
