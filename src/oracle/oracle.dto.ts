import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, ValidateNested } from 'class-validator';
import { CommandBody, DecimalField, IdField, IntegerStringField, SmallIntField } from '../http/api-fields';

export class RegisterFeedBody extends CommandBody {
  @IdField('Feed name, e.g. a pair', 'ETH-USD')
  feed!: string;

  @SmallIntField('Fresh reports needed for a round to set the price', 1, 64, 3)
  quorum!: number;

  @SmallIntField('A report older than this many seconds is stale, and so is a price', 1, 86_400, 3600)
  heartbeatSeconds!: number;

  @SmallIntField('A new price further than this from the last (basis points) pauses liquidations on the feed', 1, 10_000, 1000)
  deviationLimitBps!: number;

  @SmallIntField('How far ahead of ledger time a report timestamp may be, in seconds', 0, 600, 30)
  maxFutureSkewSeconds!: number;
}

export class PublicKeyBody {
  @IntegerStringField('Baby Jubjub x coordinate', '1234', 'field')
  x!: string;

  @IntegerStringField('Baby Jubjub y coordinate', '5678', 'field')
  y!: string;
}

export class RegisterOracleKeyBody extends CommandBody {
  @IdField('Oracle name, unique within the feed', 'oracle-1')
  oracle!: string;

  @ApiProperty({ type: PublicKeyBody })
  @IsDefined()
  @ValidateNested()
  @Type(() => PublicKeyBody)
  publicKey!: PublicKeyBody;
}

export class SignatureBody {
  @IntegerStringField('R8 x coordinate', '1', 'field')
  r8x!: string;

  @IntegerStringField('R8 y coordinate', '2', 'field')
  r8y!: string;

  @IntegerStringField('scalar S', '3', 'field')
  s!: string;
}

export class PriceReportBody extends CommandBody {
  @IdField('The oracle that signed the report', 'oracle-1')
  oracle!: string;

  @IntegerStringField('Round number; each oracle reports increasing rounds', '7', 'uint64')
  round!: string;

  @DecimalField('Price of one whole collateral token in whole debt tokens (18 decimals at most)', '2150.25')
  price!: string;

  @IntegerStringField('Unix seconds at which the oracle observed the price', '1764000000', 'uint64')
  timestamp!: string;

  @ApiProperty({ type: SignatureBody, description: 'EdDSA-Poseidon signature over Poseidon(feed, round, price in WAD, timestamp)' })
  @IsDefined()
  @ValidateNested()
  @Type(() => SignatureBody)
  signature!: SignatureBody;
}
