import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Clock, unixSeconds } from '../clock/clock';
import { activeFeed, FeedState, priceAt } from '../domain/oracle/feed';
import { formatDecimal, parseDecimal } from '../domain/math/decimal';
import { CommandReceipt, receiptOf } from '../http/command-receipt';
import { CommandOnlyBody } from '../ledger/ledger.dto';
import { ExecuteFeedCommand, Feeds } from './feed.command';
import { PriceReportBody, RegisterFeedBody, RegisterOracleKeyBody } from './oracle.dto';

const WAD_DECIMALS = 18;

class FeedView {
  @ApiProperty() feed!: string;
  @ApiProperty() quorum!: number;
  @ApiProperty() heartbeatSeconds!: number;
  @ApiProperty({ example: '1000' }) deviationLimitBps!: string;
  @ApiPropertyOptional({ example: '2150.25', description: 'Current price, decimal' }) price?: string;
  @ApiPropertyOptional({ example: '7' }) round?: string;
  @ApiPropertyOptional({ description: 'Unix seconds of the stalest report behind the price' }) priceAt?: string;
  @ApiProperty({ enum: ['fresh', 'stale', 'none'] }) priceStatus!: string;
  @ApiProperty() liquidationsPaused!: boolean;
  @ApiProperty({ type: [Object], example: [{ oracle: 'oracle-1', revoked: false, lastRound: '7' }] })
  oracles!: { oracle: string; revoked: boolean; lastRound: string | null }[];
}

@ApiTags('oracles')
@Controller('feeds')
export class FeedsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly feeds: Feeds,
    private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register an oracle feed with its quorum, heartbeat and deviation limit' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'FEED_EXISTS, INVALID_PARAMETERS' })
  async register(@Body() body: RegisterFeedBody): Promise<CommandReceipt> {
    const outcome = await this.commands.execute(
      new ExecuteFeedCommand(body.feed, body.commandId, {
        type: 'RegisterFeed',
        feed: body.feed,
        quorum: body.quorum,
        heartbeatSeconds: body.heartbeatSeconds,
        deviationLimitBps: BigInt(body.deviationLimitBps),
        maxFutureSkewSeconds: body.maxFutureSkewSeconds,
      }),
    );
    return receiptOf(body.commandId, outcome);
  }

  @Post(':feed/oracles')
  @ApiOperation({ summary: "Register an oracle's EdDSA (Baby Jubjub) public key on the feed" })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'FEED_NOT_FOUND, ORACLE_EXISTS' })
  async registerKey(@Param('feed') feed: string, @Body() body: RegisterOracleKeyBody): Promise<CommandReceipt> {
    const publicKey = { x: BigInt(body.publicKey.x), y: BigInt(body.publicKey.y) };
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteFeedCommand(feed, body.commandId, { type: 'RegisterOracleKey', oracle: body.oracle, publicKey })));
  }

  @Post(':feed/oracles/:oracle/revoke')
  @ApiOperation({ summary: "Revoke an oracle's key: its later reports are refused" })
  @ApiCreatedResponse({ type: CommandReceipt })
  async revokeKey(@Param('feed') feed: string, @Param('oracle') oracle: string, @Body() body: CommandOnlyBody): Promise<CommandReceipt> {
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteFeedCommand(feed, body.commandId, { type: 'RevokeOracleKey', oracle })));
  }

  @Post(':feed/reports')
  @ApiOperation({ summary: 'Submit a signed price report; a quorum of fresh reports for a round sets the price (their median)' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'UNKNOWN_ORACLE, ORACLE_REVOKED, BAD_SIGNATURE, STALE_REPORT, FUTURE_REPORT, ROUND_NOT_INCREASING, INVALID_PRICE' })
  async report(@Param('feed') feed: string, @Body() body: PriceReportBody): Promise<CommandReceipt> {
    const outcome = await this.commands.execute(
      new ExecuteFeedCommand(feed, body.commandId, {
        type: 'SubmitPriceReport',
        oracle: body.oracle,
        round: BigInt(body.round),
        price: parseDecimal(body.price, WAD_DECIMALS, 'price'),
        timestamp: BigInt(body.timestamp),
        signature: { r8x: BigInt(body.signature.r8x), r8y: BigInt(body.signature.r8y), s: BigInt(body.signature.s) },
      }),
    );
    return receiptOf(body.commandId, outcome);
  }

  @Get(':feed')
  @ApiOperation({ summary: "A feed's price, its freshness and its oracles" })
  async get(@Param('feed') feed: string): Promise<FeedView> {
    return feedView(await this.feeds.state(feed), unixSeconds(this.clock.now()));
  }
}

function feedView(state: FeedState, now: bigint): FeedView {
  const feed = activeFeed(state);
  return {
    feed: feed.feed,
    quorum: feed.quorum,
    heartbeatSeconds: feed.heartbeatSeconds,
    deviationLimitBps: feed.deviationLimitBps.toString(),
    ...(feed.price ? { price: formatDecimal(feed.price.value, WAD_DECIMALS), round: feed.price.round.toString(), priceAt: feed.price.at.toString() } : {}),
    priceStatus: priceAt(state, now).status,
    liquidationsPaused: feed.liquidationsPaused,
    oracles: Object.entries(feed.oracles).map(([oracle, o]) => ({ oracle, revoked: o.revoked, lastRound: o.lastRound >= 0n ? o.lastRound.toString() : null })),
  };
}
