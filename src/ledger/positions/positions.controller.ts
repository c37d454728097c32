import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCommand } from '../../eventstore/aggregate-commands';
import { positionAggregate, PositionRequest } from '../../domain/position/position-aggregate';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse, IntersectionType } from '@nestjs/swagger';
import { Clock, unixSeconds } from '../../clock/clock';
import { DomainError } from '../../domain/decider';
import { parseDecimal } from '../../domain/math/decimal';
import { activePool } from '../../domain/pool/pool';
import { CommandReceipt, receiptOf } from '../../http/command-receipt';
import { AmountBody, OpenPositionBody } from '../ledger.dto';
import { CommandOnlyBody } from '../../http/api-fields';
import { Pools } from '../pools/pool.command';
import { PositionCommandResult, Positions } from './position.command';
import { positionOpening, PositionOpeningView, positionView, PositionView } from '../../http/position-view';
import { Access, Caller, issuing, OWNER_OR_AUDITOR } from '../../access/access-policy';
import { Principal } from '../../domain/access/access-registry';

class PositionReceipt extends IntersectionType(CommandReceipt, PositionView) {}

@ApiTags('positions')
@Controller('positions')
export class PositionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly positions: Positions,
    private readonly pools: Pools,
  ) {}

  @Post()
  @Access(issuing('OpenPosition', { kind: 'callerIs', field: 'owner' }))
  @ApiOperation({ summary: 'Open a position in a pool' })
  @ApiCreatedResponse({ type: PositionReceipt })
  @ApiUnprocessableEntityResponse({ description: 'POSITION_EXISTS, STALE_PRICE, NO_PRICE' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  open(@Body() body: OpenPositionBody, @Caller() caller: Principal): Promise<PositionReceipt> {
    // The access rule has made sure a given owner is the caller.
    return this.run(body.positionId, body.commandId, { type: 'OpenPosition', positionId: body.positionId, poolId: body.poolId, owner: caller.id });
  }

  @Post(':positionId/collateral/deposit')
  @Access(issuing('DepositCollateral', { kind: 'ownPosition' }))
  @ApiOperation({ summary: 'Deposit collateral' })
  @ApiCreatedResponse({ type: PositionReceipt })
  @ApiUnprocessableEntityResponse({ description: 'STALE_PRICE, AMOUNT_TOO_LARGE, TOO_MANY_DECIMALS, POSITION_CLOSED' })
  deposit(@Param('positionId') positionId: string, @Body() body: AmountBody, @Caller() caller: Principal): Promise<PositionReceipt> {
    return this.amountCommand(positionId, 'DepositCollateral', 'collateral', body, caller);
  }

  @Post(':positionId/collateral/withdraw')
  @Access(issuing('WithdrawCollateral', { kind: 'ownPosition' }))
  @ApiOperation({ summary: "Withdraw collateral; refused above the pool's max LTV at the current price" })
  @ApiCreatedResponse({ type: PositionReceipt })
  @ApiUnprocessableEntityResponse({ description: 'LTV_EXCEEDED, INSUFFICIENT_COLLATERAL, STALE_PRICE' })
  withdraw(@Param('positionId') positionId: string, @Body() body: AmountBody, @Caller() caller: Principal): Promise<PositionReceipt> {
    return this.amountCommand(positionId, 'WithdrawCollateral', 'collateral', body, caller);
  }

  @Post(':positionId/debt/draw')
  @Access(issuing('DrawDebt', { kind: 'ownPosition' }))
  @ApiOperation({ summary: "Draw debt; refused above the pool's max LTV at the current price, or below its dust limit" })
  @ApiCreatedResponse({ type: PositionReceipt })
  @ApiUnprocessableEntityResponse({ description: 'LTV_EXCEEDED, BELOW_DUST, STALE_PRICE' })
  draw(@Param('positionId') positionId: string, @Body() body: AmountBody, @Caller() caller: Principal): Promise<PositionReceipt> {
    return this.amountCommand(positionId, 'DrawDebt', 'debt', body, caller);
  }

  @Post(':positionId/debt/repay')
  @Access(issuing('RepayDebt', { kind: 'ownPosition' }))
  @ApiOperation({ summary: 'Repay debt: at most the debt, and what remains must be zero or above the dust limit' })
  @ApiCreatedResponse({ type: PositionReceipt })
  @ApiUnprocessableEntityResponse({ description: 'REPAY_EXCEEDS_DEBT, BELOW_DUST, STALE_PRICE' })
  repay(@Param('positionId') positionId: string, @Body() body: AmountBody, @Caller() caller: Principal): Promise<PositionReceipt> {
    return this.amountCommand(positionId, 'RepayDebt', 'debt', body, caller);
  }

  @Post(':positionId/debt/repay-all')
  @Access(issuing('RepayDebt', { kind: 'ownPosition' }))
  @ApiOperation({ summary: 'Repay the whole debt, interest to now included' })
  @ApiCreatedResponse({ type: PositionReceipt })
  @ApiUnprocessableEntityResponse({ description: 'NO_DEBT, STALE_PRICE' })
  repayAll(@Param('positionId') positionId: string, @Body() body: CommandOnlyBody, @Caller() caller: Principal): Promise<PositionReceipt> {
    return this.run(positionId, body.commandId, { type: 'RepayDebt', amount: 'all', by: caller.id });
  }

  @Post(':positionId/close')
  @Access(issuing('ClosePosition', { kind: 'ownPosition' }))
  @ApiOperation({ summary: 'Close a position without debt, returning its collateral' })
  @ApiCreatedResponse({ type: PositionReceipt })
  @ApiUnprocessableEntityResponse({ description: 'DEBT_OUTSTANDING, POSITION_CLOSED, STALE_PRICE' })
  close(@Param('positionId') positionId: string, @Body() body: CommandOnlyBody, @Caller() caller: Principal): Promise<PositionReceipt> {
    return this.run(positionId, body.commandId, { type: 'ClosePosition', by: caller.id });
  }

  @Get(':positionId')
  @Access(OWNER_OR_AUDITOR)
  @ApiOperation({ summary: "A position as its owner sees it: amounts, debt with interest, health factor, commitment" })
  @ApiOkResponse({ type: PositionView })
  @ApiNotFoundResponse({ description: 'POSITION_NOT_FOUND' })
  async get(@Param('positionId') positionId: string): Promise<PositionView> {
    const state = await this.positions.state(positionId);
    return positionView(state, await this.positions.contextNow(state));
  }

  @Get(':positionId/opening')
  @Access(OWNER_OR_AUDITOR)
  @ApiOperation({ summary: "The opening of the position's commitment (amounts in smallest units and salt): what a liquidator needs to prove" })
  @ApiOkResponse({ type: PositionOpeningView })
  @ApiNotFoundResponse({ description: 'POSITION_NOT_FOUND' })
  async opening(@Param('positionId') positionId: string): Promise<PositionOpeningView> {
    return positionOpening(await this.positions.state(positionId));
  }

  /** Amounts arrive in whole tokens and are parsed at the decimals of the pool's asset. */
  private async amountCommand(
    positionId: string,
    type: 'DepositCollateral' | 'WithdrawCollateral' | 'DrawDebt' | 'RepayDebt',
    asset: 'collateral' | 'debt',
    body: AmountBody,
    caller: Principal,
  ): Promise<PositionReceipt> {
    const pool = activePool(await this.pools.state(await this.positions.poolOf(positionId)));
    return this.run(positionId, body.commandId, { type, amount: parseDecimal(body.amount, pool[asset].decimals), by: caller.id });
  }

  private async run(positionId: string, commandId: string, request: PositionRequest): Promise<PositionReceipt> {
    const result: PositionCommandResult = await this.commands.execute(new ExecuteCommand(positionAggregate, positionId, commandId, request));
    return { ...receiptOf(commandId, result), ...positionView(result.state, result.context) };
  }
}
