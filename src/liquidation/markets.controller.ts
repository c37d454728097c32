import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AmmState, marketPrice } from '../domain/amm/amm';
import { DomainError } from '../domain/decider';
import { formatDecimal, parseDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';
import { activePool } from '../domain/pool/pool';
import { decimalsOf, unitOf } from '../domain/risk/liquidation-rule';
import { CommandBody, DecimalField } from '../http/api-fields';
import { CommandReceipt, receiptOf } from '../http/command-receipt';
import { Pools } from '../ledger/pools/pool.command';
import { ammAggregate } from '../domain/amm/amm-aggregate';
import { AggregateCommands, ExecuteCommand } from '../eventstore/aggregate-commands';
import { Access, issuing } from '../access/access-policy';

class AddLiquidityBody extends CommandBody {
  @DecimalField('Collateral asset added to the market', '100')
  collateral!: string;

  @DecimalField('Debt asset added to the market', '200000')
  debt!: string;
}

class LastSwapView {
  @ApiProperty() auctionId!: string;
  @ApiProperty({ example: '0.36' }) collateral!: string;
  @ApiProperty({ example: '288.75' }) paid!: string;
  @ApiProperty({ example: '800', description: 'The market price before the swap' }) priceBefore!: string;
  @ApiProperty({ example: '797.1', description: "The swap's average price" }) price!: string;
  @ApiProperty({ example: '36', description: 'How far the average price fell under the price before (bps)' }) slippageBps!: string;
}

/** A pool's constant-product market: its reserves and the price they make. */
class MarketView {
  @ApiProperty() poolId!: string;
  @ApiProperty({ example: '100', description: 'Collateral reserve' }) collateral!: string;
  @ApiProperty({ example: '200000', description: 'Debt asset reserve' }) debt!: string;
  @ApiProperty({ example: '2000', description: 'The marginal price: debt reserve ÷ collateral reserve' }) price!: string;
  @ApiPropertyOptional({ type: LastSwapView, description: "The last liquidation's swap" }) lastSwap?: LastSwapView;
}

@ApiTags('liquidations')
@Controller('pools/:poolId/market')
export class MarketsController {
  constructor(
    private readonly bus: CommandBus,
    private readonly commands: AggregateCommands,
    private readonly pools: Pools,
  ) {}

  @Post('liquidity')
  @Access(issuing('AddLiquidity'))
  @ApiOperation({ summary: "Admin: add liquidity to the pool's constant-product market, the liquidation route that always clears" })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'AMOUNT_NOT_POSITIVE, AMOUNT_TOO_LARGE, TOO_MANY_DECIMALS' })
  async addLiquidity(@Param('poolId') poolId: string, @Body() body: AddLiquidityBody): Promise<CommandReceipt & MarketView> {
    const pool = activePool(await this.pools.state(poolId));
    const collateral = parseDecimal(body.collateral, pool.collateral.decimals, 'collateral');
    const debt = parseDecimal(body.debt, pool.debt.decimals, 'debt');
    const request = { type: 'AddLiquidity', poolId, collateralUnit: unitOf(pool.collateral.decimals), debtUnit: unitOf(pool.debt.decimals), collateral, debt } as const;
    const result = await this.bus.execute(new ExecuteCommand(ammAggregate, poolId, body.commandId, request));
    return { ...receiptOf(body.commandId, result), ...marketView(result.state) };
  }

  @Get()
  @Access({ allow: ['admin', 'auditor', 'liquidator'] })
  @ApiOperation({ summary: "The pool market's reserves and price" })
  @ApiOkResponse({ type: MarketView })
  @ApiNotFoundResponse({ description: 'MARKET_NOT_FOUND' })
  async get(@Param('poolId') poolId: string): Promise<MarketView> {
    return marketView(await this.commands.state(ammAggregate, poolId));
  }
}

function marketView(state: AmmState): MarketView {
  if (state.status !== 'active') throw new DomainError('MARKET_NOT_FOUND', 'the pool has no market');
  return {
    poolId: state.poolId,
    collateral: formatDecimal(state.collateral, decimalsOf(state.collateralUnit)),
    debt: formatDecimal(state.debt, decimalsOf(state.debtUnit)),
    price: formatDecimal(marketPrice(state.debt, state.collateral, state), WAD_DECIMALS),
    ...(state.lastSwap
      ? {
          lastSwap: {
            auctionId: state.lastSwap.auctionId,
            collateral: formatDecimal(state.lastSwap.collateralIn, decimalsOf(state.collateralUnit)),
            paid: formatDecimal(state.lastSwap.debtOut, decimalsOf(state.debtUnit)),
            priceBefore: formatDecimal(state.lastSwap.priceBefore, WAD_DECIMALS),
            price: formatDecimal(state.lastSwap.price, WAD_DECIMALS),
            slippageBps: state.lastSwap.slippageBps.toString(),
          },
        }
      : {}),
  };
}
