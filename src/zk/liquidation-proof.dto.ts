import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsString, Matches, MaxLength } from 'class-validator';
import { CommandBody, IdField } from '../http/api-fields';
import { PUBLIC_SIGNAL_NAMES } from '../domain/liquidation/public-signals';
import { CommandReceipt } from '../http/command-receipt';

export class SubmitLiquidationProofBody extends CommandBody {
  @IdField('The liquidator submitting the proof; it must be the liquidator the proof is bound to', 'liquidator-alice')
  liquidator!: string;

  @ApiProperty({
    description: 'Groth16 proof as snarkjs writes it',
    example: { pi_a: ['1', '2', '1'], pi_b: [['1', '2'], ['3', '4'], ['1', '0']], pi_c: ['1', '2', '1'], protocol: 'groth16', curve: 'bn128' },
  })
  @IsObject()
  proof!: Record<string, unknown>;

  @ApiProperty({ description: `The ${PUBLIC_SIGNAL_NAMES.length} public signals, decimal field elements, in this order: ${PUBLIC_SIGNAL_NAMES.join(', ')}`, type: [String] })
  @IsArray()
  @ArrayMinSize(PUBLIC_SIGNAL_NAMES.length)
  @ArrayMaxSize(PUBLIC_SIGNAL_NAMES.length)
  @IsString({ each: true })
  @MaxLength(80, { each: true })
  @Matches(/^[0-9]+$/, { each: true, message: 'each public signal must be a non-negative integer string' })
  publicSignals!: string[];
}

export class LiquidationReceipt extends CommandReceipt {
  @ApiProperty() positionId!: string;
  @ApiProperty() liquidator!: string;
  @ApiProperty() feed!: string;
  @ApiProperty({ example: '42' }) round!: string;
  @ApiProperty({ example: '1750', description: "The round's accepted price (the quorum median), in whole debt tokens per collateral token: the proof's price signal" }) price!: string;
  @ApiProperty({ description: 'Poseidon(tag, positionId, round, commitment): accepted once' }) nullifier!: string;
}
