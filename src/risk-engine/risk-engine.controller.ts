import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Access, EVERY_ROLE, issuing } from '../access/access-policy';
import { activePool } from '../domain/pool/pool';
import { RiskEngineSettings } from '../domain/pool/risk-settings';
import { CommandBody } from '../http/api-fields';
import { CommandReceipt, receiptOf } from '../http/command-receipt';
import { Pools } from '../ledger/pools/pool.command';
import { ConfigureRiskEngineBody, RiskEngineSettingsBody, RiskEngineView } from './risk-engine.dto';
import { RiskEngine } from './risk-engine';

@ApiTags('risk engine')
@Controller('pools/:poolId/risk-engine')
export class RiskEngineController {
  constructor(
    private readonly engine: RiskEngine,
    private readonly pools: Pools,
  ) {}

  @Put()
  @Access(issuing('ConfigureRiskEngine'))
  @ApiOperation({ summary: "Admin: turn the pool's predictive risk engine on (auto or propose-only) or off, with its model, bounds, step and notice" })
  @ApiOkResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_RISK_SETTINGS' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async configure(@Param('poolId') poolId: string, @Body() body: ConfigureRiskEngineBody): Promise<CommandReceipt> {
    const { commandId, ...settings } = body;
    return receiptOf(commandId, await this.engine.run(poolId, commandId, { type: 'ConfigureRiskEngine', settings: settingsOf(settings) }));
  }

  @Get()
  @Access({ allow: EVERY_ROLE })
  @ApiOperation({ summary: "The pool's max LTV and threshold, its risk engine's settings and the proposal it announced, if any" })
  @ApiOkResponse({ type: RiskEngineView })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async get(@Param('poolId') poolId: string): Promise<RiskEngineView> {
    const pool = activePool(await this.pools.state(poolId));
    const { settings, pending } = pool.risk ?? {};
    return {
      maxLtvBps: Number(pool.parameters.maxLtvBps),
      liquidationThresholdBps: Number(pool.parameters.liquidationThresholdBps),
      ...(settings ? { settings: settingsView(settings) } : {}),
      ...(pending ? { pending: { proposalId: pending.proposalId, maxLtvBps: Number(pending.maxLtvBps), liquidationThresholdBps: Number(pending.liquidationThresholdBps), effectiveAt: pending.effectiveAt.toString() } } : {}),
    };
  }

  @Post('proposals')
  @Access(issuing('ProposeRiskParameters'))
  @ApiOperation({ summary: "Admin: a proposal now, from the feed's latest accepted prices (the engine also proposes on each new round)" })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'RISK_ENGINE_OFF, RISK_PROPOSAL_PENDING, NOT_ENOUGH_PRICES, RISK_PARAMETERS_UNCHANGED' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND' })
  async propose(@Param('poolId') poolId: string, @Body() body: CommandBody): Promise<CommandReceipt> {
    return receiptOf(body.commandId, await this.engine.proposeNow(activePool(await this.pools.state(poolId)), body.commandId));
  }

  @Post('proposals/:proposalId/apply')
  @Access(issuing('ApplyRiskParameters'))
  @ApiOperation({ summary: 'Admin: apply the announced proposal (a falling threshold only once its notice has run)' })
  @ApiCreatedResponse({ type: CommandReceipt })
  @ApiUnprocessableEntityResponse({ description: 'RISK_NOTICE_RUNNING, INVALID_PARAMETERS' })
  @ApiNotFoundResponse({ description: 'POOL_NOT_FOUND, RISK_PROPOSAL_NOT_FOUND' })
  async apply(@Param('poolId') poolId: string, @Param('proposalId') proposalId: string, @Body() body: CommandBody): Promise<CommandReceipt> {
    return receiptOf(body.commandId, await this.engine.run(poolId, body.commandId, { type: 'ApplyRiskParameters', proposalId }));
  }
}

/** The settings' integers (bps and seconds) and their bounds, converted one way or the other. */
const INTEGERS = ['confidenceBps', 'maxStepBps', 'noticeSeconds', 'observationSeconds', 'detectionSeconds'] as const;
const BOUNDS = ['minMaxLtvBps', 'maxMaxLtvBps', 'minThresholdBps', 'maxThresholdBps'] as const;

function converted<From, To>(s: Record<(typeof INTEGERS)[number], From> & { bounds: Record<(typeof BOUNDS)[number], From> }, to: (v: From) => To) {
  return {
    ...Object.fromEntries(INTEGERS.map((k) => [k, to(s[k])])),
    bounds: Object.fromEntries(BOUNDS.map((k) => [k, to(s.bounds[k])])),
  } as Record<(typeof INTEGERS)[number], To> & { bounds: Record<(typeof BOUNDS)[number], To> };
}

function settingsOf(b: RiskEngineSettingsBody): RiskEngineSettings {
  return { model: b.model, mode: b.mode, window: b.window, ...converted(b, BigInt) };
}

function settingsView(s: RiskEngineSettings): RiskEngineSettingsBody {
  return { model: s.model, mode: s.mode, window: s.window, ...converted(s, Number) };
}
