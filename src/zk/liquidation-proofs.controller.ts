import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { receiptOf } from '../http/command-receipt';
import { PositionCommandResult } from '../ledger/positions/position.command';
import { LiquidationReceipt, SubmitLiquidationProofBody } from './liquidation-proof.dto';
import { SubmitLiquidationProof } from './liquidation-proof.command';
import { Access } from '../access/access-policy';

@ApiTags('liquidations')
@Controller('positions')
export class LiquidationProofsController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':positionId/liquidation-proofs')
  @Access({ allow: ['liquidator'], scope: { kind: 'callerIs', field: 'liquidator' }, rateLimit: 'proofs' })
  @ApiOperation({
    summary: 'Submit a zero-knowledge proof that the position is below its liquidation threshold; triggers its liquidation',
    description:
      "The proof (circuits/liquidation.circom) shows that the position's current commitment opens to amounts whose health factor is below 1 " +
      "at a price signed by one of the pool feed's oracles in an accepted, fresh round, without revealing the amounts or the price. " +
      'The ledger checks the public signals against its state, verifies the proof, and appends LiquidationTriggered with proof and signals.',
  })
  @ApiCreatedResponse({ type: LiquidationReceipt })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_PUBLIC_SIGNALS (not field elements)' })
  @ApiNotFoundResponse({ description: 'POSITION_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({
    description:
      'INVALID_PROOF, COMMITMENT_MISMATCH, PUBLIC_SIGNAL_MISMATCH (details.signals names them), NULLIFIER_USED, UNKNOWN_ORACLE_KEY, ORACLE_REVOKED, ' +
      'ROUND_NOT_ACCEPTED, STALE_ROUND, ORACLE_NOT_IN_ROUND, LIQUIDATIONS_PAUSED, LIQUIDATION_IN_PROGRESS, POSITION_CLOSED',
  })
  @ApiServiceUnavailableResponse({ description: 'VERIFIER_BUSY' })
  async submit(@Param('positionId') positionId: string, @Body() body: SubmitLiquidationProofBody): Promise<LiquidationReceipt> {
    const result: PositionCommandResult = await this.commands.execute(new SubmitLiquidationProof(positionId, body.commandId, body.liquidator, body.proof, body.publicSignals));
    const state = result.state;
    if (state.status === 'absent' || state.liquidation?.by !== 'proof') throw new Error('a liquidation proof was accepted without a liquidation by proof');
    return {
      ...receiptOf(body.commandId, result),
      positionId,
      liquidator: state.liquidation.liquidator,
      feed: state.liquidation.feed,
      oracle: state.liquidation.oracle,
      round: state.liquidation.round.toString(),
      nullifier: state.liquidation.nullifier.toString(),
    };
  }
}
