import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsString, Matches } from 'class-validator';
import { Role, ROLES } from '../domain/access/access-registry';
import { CommandBody, ID_PATTERN, IdField, IsOptional } from '../http/api-fields';
import { CommandReceipt } from '../http/command-receipt';

export class RegisterPrincipalBody extends CommandBody {
  @IdField('The principal: a borrower owns the positions it opens under this id; an oracle and a liquidator act under it', 'alice')
  principalId!: string;

  @ApiProperty({ enum: ROLES, example: 'borrower' })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ description: 'Oracles only: the feeds it reports for', type: [String], example: ['ETH-USD'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @Matches(ID_PATTERN, { each: true, message: 'each feed must be a feed id' })
  feeds?: string[];
}

export class PrincipalView {
  @ApiProperty({ example: 'alice' }) id!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String] }) feeds!: string[];
}

export class ApiKeyView {
  @ApiProperty({ example: '9f86d081884c7d65' }) keyId!: string;
  @ApiProperty({ enum: ['active', 'revoked'] }) status!: 'active' | 'revoked';
}

export class PrincipalWithKeysView extends PrincipalView {
  @ApiProperty({ type: [ApiKeyView] }) keys!: ApiKeyView[];
}

export class ApiKeyReceipt extends CommandReceipt {
  @ApiPropertyOptional({ example: 'alice', description: 'Absent when the command id was handled before' }) principalId?: string;
  @ApiPropertyOptional({ example: '9f86d081884c7d65', description: 'The key issued, revoked or rotated to; absent when the command id was handled before' }) keyId?: string;

  @ApiPropertyOptional({
    example: 'lk_9f86d081884c7d65.3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    description: 'The key, shown this once (the ledger keeps its hash only); absent when the command id was handled before',
  })
  apiKey?: string;
}
