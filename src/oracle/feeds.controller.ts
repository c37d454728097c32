import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteCommand } from '../eventstore/aggregate-commands';
import { feedAggregate } from '../domain/oracle/feed-aggregate';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { DomainError } from '../domain/decider';
import { Clock, unixSeconds } from '../clock/clock';
import { activeFeed, FeedState, priceAt } from '../domain/oracle/feed';
import { formatDecimal, parseDecimal } from '../domain/math/decimal';
import { WAD_DECIMALS } from '../domain/math/fixed-point';
import { CommandReceipt, receiptOf } from '../http/command-receipt';
import { CommandOnlyBody } from '../http/api-fields';
import { Feeds } from './feed.command';
import { PriceReportBody, RegisterFeedBody, RegisterOracleKeyBody } from './oracle.dto';
import { Access, EVERY_ROLE, issuing } from '../access/access-policy';


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

class SignedReportView {
  @ApiProperty() feed!: string;
  @ApiProperty() oracle!: string;
  @ApiProperty({ type: Object, example: { x: '1234', y: '5678' } }) publicKey!: { x: string; y: string };
  @ApiProperty({ example: '7' }) round!: string;
  @ApiProperty({ example: '2150.25' }) price!: string;
  @ApiProperty({ example: '1764000000' }) timestamp!: string;
  @ApiProperty({ type: Object, example: { r8x: '1', r8y: '2', s: '3' } }) signature!: { r8x: string; r8y: string; s: string };
}

class PricedRoundView {
  @ApiProperty() feed!: string;
  @ApiProperty({ example: '7' }) round!: string;
  @ApiProperty({ example: '2150.25', description: "The quorum's median" }) price!: string;
  @ApiProperty({ description: 'Unix seconds of the stalest report of the quorum' }) at!: string;
  @ApiProperty({ type: [SignedReportView], description: "The quorum's signed reports, whose median is the round's price: a liquidation proof cites that median, never a single report" }) reports!: SignedReportView[];
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
  @Access(issuing('RegisterFeed'))
  @ApiOperation({ summary: 'Register an oracle feed with its quorum, heartbeat and deviation limit' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'FEED_EXISTS, INVALID_PARAMETERS' })
  async register(@Body() body: RegisterFeedBody): Promise<CommandReceipt> {
    const outcome = await this.commands.execute(
      new ExecuteCommand(feedAggregate, body.feed, body.commandId, {
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
  @Access(issuing('RegisterOracleKey'))
  @ApiOperation({ summary: "Register an oracle's EdDSA (Baby Jubjub) public key on the feed" })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'FEED_NOT_FOUND, ORACLE_EXISTS' })
  async registerKey(@Param('feed') feed: string, @Body() body: RegisterOracleKeyBody): Promise<CommandReceipt> {
    const publicKey = { x: BigInt(body.publicKey.x), y: BigInt(body.publicKey.y) };
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteCommand(feedAggregate, feed, body.commandId, { type: 'RegisterOracleKey', oracle: body.oracle, publicKey })));
  }

  @Post(':feed/oracles/:oracle/revoke')
  @Access(issuing('RevokeOracleKey'))
  @ApiOperation({ summary: "Revoke an oracle's key: its later reports are refused" })
  @ApiCreatedResponse({ type: CommandReceipt })
  async revokeKey(@Param('feed') feed: string, @Param('oracle') oracle: string, @Body() body: CommandOnlyBody): Promise<CommandReceipt> {
    return receiptOf(body.commandId, await this.commands.execute(new ExecuteCommand(feedAggregate, feed, body.commandId, { type: 'RevokeOracleKey', oracle })));
  }

  @Post(':feed/reports')
  @Access(issuing('SubmitPriceReport', { kind: 'ownFeed' }))
  @ApiOperation({ summary: 'Submit a signed price report; a quorum of fresh reports for a round sets the price (their median)' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'UNKNOWN_ORACLE, ORACLE_REVOKED, BAD_SIGNATURE, STALE_REPORT, FUTURE_REPORT, ROUND_NOT_INCREASING, INVALID_PRICE' })
  async report(@Param('feed') feed: string, @Body() body: PriceReportBody): Promise<CommandReceipt> {
    const outcome = await this.commands.execute(
      new ExecuteCommand(feedAggregate, feed, body.commandId, {
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
  @Access({ allow: EVERY_ROLE })
  @ApiOperation({ summary: "A feed's price, its freshness and its oracles" })
  @ApiOkResponse({ type: FeedView })
  @ApiNotFoundResponse({ description: 'FEED_NOT_FOUND' })
  async get(@Param('feed') feed: string): Promise<FeedView> {
    return feedView(await this.feeds.state(feed), unixSeconds(this.clock.now()));
  }

  @Get(':feed/rounds/:round')
  @Access({ allow: EVERY_ROLE })
  @ApiOperation({ summary: "A recent priced round (a number, or 'latest') with its quorum's signed reports" })
  @ApiParam({ name: 'round', example: 'latest' })
  @ApiOkResponse({ type: PricedRoundView })
  @ApiNotFoundResponse({ description: 'FEED_NOT_FOUND, ROUND_NOT_FOUND (never priced, or older than the rounds a feed keeps)' })
  async round(@Param('feed') feedName: string, @Param('round') round: string): Promise<PricedRoundView> {
    const feed = activeFeed(await this.feeds.state(feedName));
    const wanted = round === 'latest' ? feed.rounds.at(-1) : /^[0-9]{1,30}$/.test(round) ? feed.rounds.find((r) => r.round === BigInt(round)) : undefined;
    if (!wanted) throw new DomainError('ROUND_NOT_FOUND', `${feed.feed} has no recent priced round ${round}`);
    return {
      feed: feed.feed,
      round: wanted.round.toString(),
      price: formatDecimal(wanted.price, WAD_DECIMALS),
      at: wanted.at.toString(),
      reports: wanted.reports.map((r) => ({
        feed: feed.feed,
        oracle: r.oracle,
        publicKey: { x: feed.oracles[r.oracle].publicKey.x.toString(), y: feed.oracles[r.oracle].publicKey.y.toString() },
        round: wanted.round.toString(),
        price: formatDecimal(r.price, WAD_DECIMALS),
        timestamp: r.timestamp.toString(),
        signature: { r8x: r.signature.r8x.toString(), r8y: r.signature.r8y.toString(), s: r.signature.s.toString() },
      })),
    };
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
