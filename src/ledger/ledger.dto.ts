import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { CommandBody, DecimalField, IdField, IsOptional, SmallIntField } from '../http/api-fields';
import { PoolParametersBody } from '../http/pool-parameters';

export class AssetBody {
  @IdField('Asset symbol', 'WETH')
  symbol!: string;

  @SmallIntField('Decimals of the smallest unit', 0, 18, 18)
  decimals!: number;
}

export class CreatePoolBody extends CommandBody {
  @IdField('Pool id', 'weth-usdc')
  poolId!: string;

  @ApiProperty({ type: AssetBody })
  @IsDefined()
  @ValidateNested()
  @Type(() => AssetBody)
  collateral!: AssetBody;

  @ApiProperty({ type: AssetBody })
  @IsDefined()
  @ValidateNested()
  @Type(() => AssetBody)
  debt!: AssetBody;

  @IdField('Oracle feed pricing the collateral in the debt asset', 'ETH-USD')
  feed!: string;

  @ApiProperty({ type: PoolParametersBody })
  @IsDefined()
  @ValidateNested()
  @Type(() => PoolParametersBody)
  parameters!: PoolParametersBody;
}

export class PoolParametersChangeBody extends PartialType(PoolParametersBody) {}

export class ChangePoolParametersBody extends CommandBody {
  @ApiProperty({ type: PoolParametersChangeBody, description: 'Only the parameters to change' })
  @IsDefined()
  @ValidateNested()
  @Type(() => PoolParametersChangeBody)
  parameters!: PoolParametersChangeBody;
}

export class OpenPositionBody extends CommandBody {
  @IdField('Position id, chosen by the client', 'pos-42')
  positionId!: string;

  @IdField('Pool the position borrows from', 'weth-usdc')
  poolId!: string;

  @ApiPropertyOptional({ description: 'Owner of the position: the calling borrower, which is the default (any other is refused)', example: 'alice' })
  @IsOptional()
  @IdField('Owner of the position: the calling borrower, which is the default (any other is refused)', 'alice')
  owner?: string;
}

export class AmountBody extends CommandBody {
  @DecimalField('Amount in whole tokens, up to the asset decimals', '1.5')
  amount!: string;
}
