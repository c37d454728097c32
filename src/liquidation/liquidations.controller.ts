import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { formatDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';
import { LiquidationDetector } from './liquidation-detector';
import { Access, EVERY_ROLE } from '../access/access-policy';

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

@ApiTags('liquidations')
@Controller('liquidations')
export class LiquidationsController {
  constructor(private readonly detector: LiquidationDetector) {}

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
