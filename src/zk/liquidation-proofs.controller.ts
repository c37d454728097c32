import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { receiptOf } from '../http/command-receipt';
import { PositionCommandResult } from '../ledger/positions/position.command';
import { LiquidationReceipt, SubmitLiquidationProofBody } from './liquidation-proof.dto';
import { SubmitLiquidationProof } from './liquidation-proof.command';
import { Access, issuing } from '../access/access-policy';
import { formatDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';

@ApiTags('liquidations')
@Controller('positions')
export class LiquidationProofsController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':positionId/liquidation-proofs')
  @Access(issuing('TriggerLiquidation', { kind: 'callerIs', field: 'liquidator' }, 'proofs'))
  @ApiOperation({
    summary: 'Submit a zero-knowledge proof that the position is below its liquidation threshold; triggers its liquidation',
    description:
      "The proof (circuits/liquidation.circom) shows that the position's current commitment opens to amounts whose health factor is below 1 " +
      "at the price the ledger accepted for a fresh round of the pool's feed (the quorum median, a public signal), without revealing the amounts. " +
      'The ledger checks the public signals against its state, verifies the proof, and appends LiquidationTriggered with proof and signals.',
  })
  @ApiCreatedResponse({ type: LiquidationReceipt })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_PUBLIC_SIGNALS (not field elements)' })
  @ApiNotFoundResponse({ description: 'POSITION_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({
    description:
      'INVALID_PROOF, COMMITMENT_MISMATCH, PUBLIC_SIGNAL_MISMATCH (details.signals names them), ' +
      "ROUND_NOT_ACCEPTED, STALE_ROUND, PRICE_NOT_ROUND_PRICE (the proof's price is not the round's accepted price), LIQUIDATIONS_PAUSED, POSITION_CLOSED",
  })
  @ApiConflictResponse({ description: 'LIQUIDATION_IN_PROGRESS: the position is already being liquidated (the ledger\'s detection, or another liquidator, got there first); NULLIFIER_USED' })
  @ApiServiceUnavailableResponse({ description: 'VERIFIER_BUSY' })
  async submit(@Param('positionId') positionId: string, @Body() body: SubmitLiquidationProofBody): Promise<LiquidationReceipt> {
    const result: PositionCommandResult = await this.commands.execute(new SubmitLiquidationProof(positionId, body.commandId, body.liquidator, body.proof, body.publicSignals));
    const state = result.state;
    if (state.status === 'absent' || state.liquidation?.by !== 'proof' || state.liquidation.price === undefined) throw new Error('a liquidation proof was accepted without a liquidation by proof at a round price');
    return {
      ...receiptOf(body.commandId, result),
      positionId,
      liquidator: state.liquidation.liquidator,
      feed: state.liquidation.feed,
      round: state.liquidation.round.toString(),
      price: formatDecimal(state.liquidation.price, WAD_DECIMALS),
      nullifier: state.liquidation.nullifier.toString(),
    };
  }
}
