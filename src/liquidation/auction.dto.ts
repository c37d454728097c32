import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CommandBody, DecimalField, IdField, IntegerStringField, IsOptional } from '../http/api-fields';
import { LIQUIDATION_ROUTES } from '../domain/pool/pool-parameters';

export class TakeCollateralBody extends CommandBody {
  @IdField('Who takes (and pays)', 'keeper-1')
  taker!: string;

  @DecimalField('The most collateral to buy (collateral asset)', '0.5')
  collateral!: string;

  @DecimalField('The highest price the taker accepts (debt asset per collateral asset); a higher auction price refuses the take', '1700')
  maxPrice!: string;
}

export class PlaceBidBody extends CommandBody {
  @IdField('Who bids (and deposits the amount until outbid)', 'bidder-1')
  bidder!: string;

  @DecimalField('The debt asset offered for what is left of the lot', '1500')
  amount!: string;
}

export class ResetAuctionBody extends CommandBody {
  @IdField('The keeper resetting it, who earns the incentive', 'keeper-1')
  keeper!: string;

  @IsOptional()
  @IntegerStringField("The feed round whose price it restarts from (default: the feed's latest)", '12', 'uint64')
  round?: string;
}

/** A liquidation's auction, as takers see it: what is for sale, what must be raised, and the price now. */
export class AuctionView {
  @ApiProperty() auctionId!: string;
  @ApiProperty() positionId!: string;
  @ApiProperty() poolId!: string;
  @ApiProperty({ enum: ['running', 'settled'] }) status!: string;
  @ApiProperty({ example: '1.5', description: 'Collateral for sale (collateral asset)' }) lot!: string;
  @ApiProperty({ example: '0.25', description: 'Collateral sold so far' }) sold!: string;
  @ApiProperty({ example: '1575', description: 'What the auction must raise: debt to cover plus penalty (debt asset)' }) tab!: string;
  @ApiProperty({ example: '400', description: 'Raised so far' }) raised!: string;
  @ApiProperty({ example: '1870', description: 'The price it started (or was last reset) at' }) top!: string;
  @ApiProperty({ example: '1795.2', description: 'The price now, on the pool\'s curve' }) price!: string;
  @ApiProperty({ description: 'Too old or too far down: a keeper must reset it before anyone takes' }) needsReset!: boolean;
  @ApiProperty({ enum: ['linear', 'stairstep', 'exponential'] }) curve!: string;
  @ApiProperty({ description: 'Unix seconds of its start or last reset' }) startedAt!: string;
  @ApiPropertyOptional({ description: 'The liquidator whose proof triggered it (earns the bonus)' }) liquidator?: string;
  @ApiProperty({ enum: LIQUIDATION_ROUTES }) route!: string;
  @ApiPropertyOptional({ description: 'English auctions: Unix seconds when bidding closes' }) deadline?: string;
  @ApiPropertyOptional({ description: 'English auctions: the best bid so far', example: { bidder: 'bidder-1', amount: '1500' } }) bid?: { bidder: string; amount: string };
  @ApiPropertyOptional({ example: '1615', description: 'Running English auctions: the least bid that can win (what is left of the lot at the oracle price less the liquidation penalty, at most what is left of the tab)' })
  reserve?: string;
}
