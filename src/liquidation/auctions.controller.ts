import { BadRequestException, Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCommand } from '../eventstore/aggregate-commands';
import { auctionAggregate } from '../domain/auction/auction-aggregate';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, ApiUnprocessableEntityResponse, IntersectionType } from '@nestjs/swagger';
import { Clock, unixSeconds } from '../clock/clock';
import { auctionQuote, RunningAuction } from '../domain/auction/auction';
import { routeOf } from '../domain/auction/auction-routes';
import { DomainError } from '../domain/decider';
import { formatDecimal, parseDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';
import { decimalsOf } from '../domain/risk/liquidation-rule';
import { CommandReceipt, receiptOf } from '../http/command-receipt';
import { activePool } from '../domain/pool/pool';
import { Pools } from '../ledger/pools/pool.command';
import { Feeds } from '../oracle/feed.command';
import { AuctionCommandResult, Auctions } from './auction.command';
import { AuctionView, PlaceBidBody, ResetAuctionBody, TakeCollateralBody } from './auction.dto';
import { LiquidationDetector } from './liquidation-detector';
import { Access, AUCTION_READERS, issuing } from '../access/access-policy';
import { SettledAuctions } from '../projections/auctions/auctions.projection';

const AUCTION_STATUSES = ['running', 'settled'] as const;
const DEFAULT_SETTLED_LISTED = 50;
const MAX_SETTLED_LISTED = 500;

class AuctionReceipt extends IntersectionType(CommandReceipt, AuctionView) {}

@ApiTags('liquidations')
@Controller('auctions')
export class AuctionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly detector: LiquidationDetector,
    private readonly auctions: Auctions,
    private readonly pools: Pools,
    private readonly feeds: Feeds,
    private readonly clock: Clock,
    private readonly settled: SettledAuctions,
  ) {}

  @Get()
  @Access(AUCTION_READERS)
  @ApiOperation({
    summary: 'Auctions of liquidated collateral: by default those not yet seen through (running, or settling), running ones first',
    description: '`status=running` lists running auctions only; `status=settled` lists settled ones from the read model, the latest settled first (at most `limit`).',
  })
  @ApiQuery({ name: 'poolId', required: false })
  @ApiQuery({ name: 'status', required: false, enum: AUCTION_STATUSES })
  @ApiQuery({ name: 'limit', required: false, description: `With status=settled: how many, 1 to ${MAX_SETTLED_LISTED} (default ${DEFAULT_SETTLED_LISTED})`, example: '20' })
  @ApiOkResponse({ type: [AuctionView] })
  @ApiBadRequestResponse({ description: 'INVALID_STATUS, INVALID_LIMIT' })
  async list(@Query('poolId') poolId?: string, @Query('status') status?: string, @Query('limit') limit?: string): Promise<AuctionView[]> {
    if (status !== undefined && !(AUCTION_STATUSES as readonly string[]).includes(status)) throw new BadRequestException({ code: 'INVALID_STATUS', message: `status is one of ${AUCTION_STATUSES.join(', ')}` });
    if (limit !== undefined && (!/^[0-9]{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_SETTLED_LISTED)) {
      throw new BadRequestException({ code: 'INVALID_LIMIT', message: `limit is a whole number from 1 to ${MAX_SETTLED_LISTED}` });
    }
    const now = unixSeconds(this.clock.now());
    if (status === 'settled') {
      const ids = await this.settled.ids(poolId, limit === undefined ? DEFAULT_SETTLED_LISTED : Number(limit));
      return Promise.all(ids.map(async (id) => auctionView(await this.auction(id), now)));
    }
    const underWay = this.detector.watch.auctionsOf(poolId);
    return (status === 'running' ? underWay.filter((a) => a.status === 'running') : underWay).map((a) => auctionView(a, now));
  }

  @Get(':auctionId')
  @Access(AUCTION_READERS)
  @ApiOperation({ summary: 'An auction, with its price now' })
  @ApiOkResponse({ type: AuctionView })
  @ApiNotFoundResponse({ description: 'AUCTION_NOT_FOUND' })
  async get(@Param('auctionId') auctionId: string): Promise<AuctionView> {
    return auctionView(await this.auction(auctionId), unixSeconds(this.clock.now()));
  }

  @Post(':auctionId/take')
  @Access(issuing('TakeCollateral', { kind: 'callerIs', field: 'taker' }))
  @ApiOperation({ summary: 'Buy collateral at the auction price now, paying in the debt asset, up to what is left of the tab' })
  @ApiCreatedResponse({ type: AuctionReceipt })
  @ApiNotFoundResponse({ description: 'AUCTION_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'AUCTION_SETTLED (late), PRICE_ABOVE_LIMIT (details.price), AUCTION_NEEDS_RESET, TAKE_WOULD_LEAVE_DUST, TAKE_TOO_SMALL, AMOUNT_NOT_POSITIVE, TOO_MANY_DECIMALS' })
  async take(@Param('auctionId') auctionId: string, @Body() body: TakeCollateralBody): Promise<AuctionReceipt> {
    const auction = await this.auction(auctionId);
    const collateral = parseDecimal(body.collateral, decimalsOf(auction.collateralUnit), 'collateral');
    const maxPrice = parseDecimal(body.maxPrice, WAD_DECIMALS, 'maxPrice');
    return this.receipt(body.commandId, await this.commands.execute(new ExecuteCommand(auctionAggregate, auctionId, body.commandId, { type: 'TakeCollateral', taker: body.taker, collateral, maxPrice })));
  }

  @Post(':auctionId/bids')
  @Access(issuing('PlaceBid', { kind: 'callerIs', field: 'bidder' }))
  @ApiOperation({ summary: 'English auctions: bid the debt asset for what is left of the lot; the outbid deposit is refunded' })
  @ApiCreatedResponse({ type: AuctionReceipt })
  @ApiNotFoundResponse({ description: 'AUCTION_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'AUCTION_ENDED (late), BID_BELOW_RESERVE (details.reserve), BID_TOO_LOW (details.minBid), BID_ABOVE_TAB (details.tab), NOT_AN_ENGLISH_AUCTION, AUCTION_SETTLED, AMOUNT_NOT_POSITIVE' })
  async bid(@Param('auctionId') auctionId: string, @Body() body: PlaceBidBody): Promise<AuctionReceipt> {
    const auction = await this.auction(auctionId);
    const amount = parseDecimal(body.amount, decimalsOf(auction.debtUnit), 'amount');
    return this.receipt(body.commandId, await this.commands.execute(new ExecuteCommand(auctionAggregate, auctionId, body.commandId, { type: 'PlaceBid', bidder: body.bidder, amount })));
  }

  @Post(':auctionId/reset')
  @Access(issuing('ResetAuction', { kind: 'callerIs', field: 'keeper' }))
  @ApiOperation({ summary: 'Restart a stale auction at the fresh oracle price; the keeper earns the pool\'s incentive' })
  @ApiCreatedResponse({ type: AuctionReceipt })
  @ApiNotFoundResponse({ description: 'AUCTION_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'AUCTION_NOT_RESETTABLE, AUCTION_SETTLED, STALE_ROUND, ROUND_NOT_ACCEPTED, LIQUIDATIONS_PAUSED, NO_PRICE' })
  async reset(@Param('auctionId') auctionId: string, @Body() body: ResetAuctionBody): Promise<AuctionReceipt> {
    const round = body.round !== undefined ? BigInt(body.round) : await this.latestRound(await this.auction(auctionId));
    return this.receipt(body.commandId, await this.commands.execute(new ExecuteCommand(auctionAggregate, auctionId, body.commandId, { type: 'ResetAuction', keeper: body.keeper, round })));
  }

  /** The latest priced round of the auction's pool feed: what a reset cites unless told otherwise. */
  private async latestRound(auction: RunningAuction): Promise<bigint> {
    const feed = await this.feeds.state(activePool(await this.pools.state(auction.poolId)).feed);
    if (feed.status !== 'active' || !feed.price) throw new DomainError('NO_PRICE', "the pool's feed has no price yet");
    return feed.price.round;
  }

  private async auction(auctionId: string): Promise<RunningAuction> {
    const state = await this.auctions.state(auctionId);
    if (state.status === 'absent') throw new DomainError('AUCTION_NOT_FOUND', 'no such auction');
    return state;
  }

  private receipt(commandId: string, result: AuctionCommandResult): AuctionReceipt {
    if (result.state.status === 'absent') throw new DomainError('AUCTION_NOT_FOUND', 'no such auction');
    return { ...receiptOf(commandId, result), ...auctionView(result.state, unixSeconds(this.clock.now())) };
  }
}

function auctionView(a: RunningAuction, now: bigint): AuctionView {
  const cd = decimalsOf(a.collateralUnit);
  const dd = decimalsOf(a.debtUnit);
  const quote = auctionQuote(a, now);
  const reserve = a.status === 'running' ? routeOf(a).reserve?.(a) : undefined;
  return {
    auctionId: a.auctionId,
    positionId: a.positionId,
    poolId: a.poolId,
    status: a.status,
    lot: formatDecimal(a.lot, cd),
    sold: formatDecimal(a.sold, cd),
    tab: formatDecimal(a.tab, dd),
    raised: formatDecimal(a.raised, dd),
    top: formatDecimal(a.top, WAD_DECIMALS),
    price: formatDecimal(quote.price, WAD_DECIMALS),
    needsReset: a.status === 'running' && quote.needsReset,
    curve: a.auction.curve,
    route: a.auction.route,
    startedAt: a.startedAt.toString(),
    ...(a.deadline !== undefined ? { deadline: a.deadline.toString() } : {}),
    ...(a.bid ? { bid: { bidder: a.bid.bidder, amount: formatDecimal(a.bid.amount, dd) } } : {}),
    ...(a.liquidator !== undefined ? { liquidator: a.liquidator } : {}),
    ...(reserve !== undefined ? { reserve: formatDecimal(reserve, dd) } : {}),
  };
}
