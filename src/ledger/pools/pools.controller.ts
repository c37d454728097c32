import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCommand } from '../../eventstore/aggregate-commands';
import { poolAggregate } from '../../domain/pool/pool-aggregate';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Clock, unixSeconds } from '../../clock/clock';
import { DomainError } from '../../domain/decider';
import { parseDecimal } from '../../domain/math/decimal';
import { activePool, AuctionParameters, auctionParametersOf, DEFAULT_AUCTION, PoolParameters } from '../../domain/pool/pool';
import { CommandReceipt, receiptOf } from '../../http/command-receipt';
import { PoolStateQuery, PoolStateView, withoutSums } from '../../projections/pool-state/pool-state.query';
import { ProjectionsService } from '../../projections/projections.service';
import { ChangePoolParametersBody, CreatePoolBody, PoolParametersChangeBody } from '../ledger.dto';
import { CommandOnlyBody } from '../../http/api-fields';
import { Pools } from './pool.command';
import { Access, Caller, EVERY_ROLE, issuing, POOL_TOTAL_READERS } from '../../access/access-policy';
import { Principal } from '../../domain/access/access-registry';

@ApiTags('pools')
@Controller('pools')
export class PoolsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly pools: Pools,
    private readonly poolState: PoolStateQuery,
    private readonly projections: ProjectionsService,
    private readonly clock: Clock,
  ) {}

  @Post()
  @Access(issuing('CreatePool'))
  @ApiOperation({ summary: 'Create a pool with its assets, oracle feed and risk parameters' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'POOL_EXISTS, INVALID_PARAMETERS, TOO_MANY_DECIMALS' })
  async create(@Body() body: CreatePoolBody): Promise<CommandReceipt> {
    const parameters = toParameters(body.parameters, body.debt.decimals, body.collateral.decimals, DEFAULT_AUCTION) as PoolParameters;
    const outcome = await this.commands.execute(
      new ExecuteCommand(poolAggregate, body.poolId, body.commandId, { type: 'CreatePool', poolId: body.poolId, collateral: body.collateral, debt: body.debt, feed: body.feed, parameters }),
    );
    return receiptOf(body.commandId, outcome);
  }

  @Patch(':poolId/parameters')
  @Access(issuing('ChangePoolParameters'))
  @ApiOperation({ summary: 'Change risk parameters from now on (interest is checkpointed at the old rate first)' })
  @ApiOkResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_PARAMETERS' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async change(@Param('poolId') poolId: string, @Body() body: ChangePoolParametersBody): Promise<CommandReceipt> {
    const pool = activePool(await this.pools.state(poolId));
    const changes = toParameters(body.parameters, pool.debt.decimals, pool.collateral.decimals, auctionParametersOf(pool));
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteCommand(poolAggregate, poolId, body.commandId, { type: 'ChangePoolParameters', changes })));
  }

  @Post(':poolId/accrue')
  @Access(issuing('AccrueInterest'))
  @ApiOperation({ summary: "Checkpoint the pool's borrow index at now" })
  @ApiCreatedResponse({ type: CommandReceipt })
  async accrue(@Param('poolId') poolId: string, @Body() body: CommandOnlyBody): Promise<CommandReceipt> {
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteCommand(poolAggregate, poolId, body.commandId, { type: 'AccrueInterest' })));
  }

  @Post(':poolId/liquidations/pause')
  @Access(issuing('PauseLiquidations'))
  @ApiOperation({ summary: 'Admin: start no new liquidation auction in this pool until resumed (triggers are still recorded)' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'ALREADY_PAUSED' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async pauseLiquidations(@Param('poolId') poolId: string, @Body() body: CommandOnlyBody): Promise<CommandReceipt> {
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteCommand(poolAggregate, poolId, body.commandId, { type: 'PauseLiquidations' })));
  }

  @Post(':poolId/liquidations/resume')
  @Access(issuing('ResumeLiquidations'))
  @ApiOperation({ summary: 'Admin: let liquidation auctions start again; those waiting start at once' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'NOT_PAUSED' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async resumeLiquidations(@Param('poolId') poolId: string, @Body() body: CommandOnlyBody): Promise<CommandReceipt> {
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteCommand(poolAggregate, poolId, body.commandId, { type: 'ResumeLiquidations' })));
  }

  @Get(':poolId')
  @Access({ allow: EVERY_ROLE })
  @ApiOperation({ summary: 'Pool state from the read model: totals, utilization, health bands, price' })
  @ApiQuery({ name: 'minPosition', required: false, description: "Wait until the read model has applied events up to this $all position (a command's `position`)" })
  @ApiOkResponse({ type: PoolStateView })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async get(@Param('poolId') poolId: string, @Caller() caller: Principal, @Query('minPosition') minPosition?: string): Promise<PoolStateView> {
    if (minPosition !== undefined) {
      if (!/^[0-9]{1,19}$/.test(minPosition)) throw new DomainError('INVALID_POSITION', 'minPosition is a $all commit position');
      await this.projections.waitFor(BigInt(minPosition));
    }
    const view = await this.poolState.pool(poolId, unixSeconds(this.clock.now()));
    return POOL_TOTAL_READERS.includes(caller.role) ? view : withoutSums(view);
  }
}

/** API parameters (decimal strings, bps integers) as the domain's bigints at the pool's scales. */
function toParameters(p: PoolParametersChangeBody, debtDecimals: number, collateralDecimals: number, auction: AuctionParameters): Partial<PoolParameters> {
  const bps = (v: number | undefined) => (v === undefined ? undefined : BigInt(v));
  const a = p.auction;
  return {
    maxLtvBps: bps(p.maxLtvBps),
    liquidationThresholdBps: bps(p.liquidationThresholdBps),
    liquidationPenaltyBps: bps(p.liquidationPenaltyBps),
    liquidatorBonusBps: bps(p.liquidatorBonusBps),
    protocolFeeBps: bps(p.protocolFeeBps),
    closeFactorBps: bps(p.closeFactorBps),
    fullCloseHealthFactor: p.fullCloseHealthFactor === undefined ? undefined : parseDecimal(p.fullCloseHealthFactor, 18, 'fullCloseHealthFactor'),
    dustLimit: p.dustLimit === undefined ? undefined : parseDecimal(p.dustLimit, debtDecimals, 'dustLimit'),
    liquidationCollateralCap: p.liquidationCollateralCap === undefined ? undefined : parseDecimal(p.liquidationCollateralCap, collateralDecimals, 'liquidationCollateralCap'),
    stabilityFeeYearly: p.stabilityFeeYearly === undefined ? undefined : parseDecimal(p.stabilityFeeYearly, 18, 'stabilityFeeYearly'),
    // Auction fields left out keep the pool's current (or, for a new pool, default) values.
    auction:
      a === undefined
        ? undefined
        : {
            route: a.route ?? auction.route,
            curve: a.curve ?? auction.curve,
            cutBps: bps(a.cutBps) ?? auction.cutBps,
            stepSeconds: bps(a.stepSeconds) ?? auction.stepSeconds,
            bufferBps: bps(a.bufferBps) ?? auction.bufferBps,
            resetAfterSeconds: bps(a.resetAfterSeconds) ?? auction.resetAfterSeconds,
            resetBelowBps: bps(a.resetBelowBps) ?? auction.resetBelowBps,
            keeperTip: a.keeperTip === undefined ? auction.keeperTip : parseDecimal(a.keeperTip, debtDecimals, 'auction.keeperTip'),
            keeperChipBps: bps(a.keeperChipBps) ?? auction.keeperChipBps,
            bidIncrementBps: bps(a.bidIncrementBps) ?? auction.bidIncrementBps,
            biddingSeconds: bps(a.biddingSeconds) ?? auction.biddingSeconds,
            extendSeconds: bps(a.extendSeconds) ?? auction.extendSeconds,
          },
  };
}
