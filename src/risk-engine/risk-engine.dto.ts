import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, ValidateNested } from 'class-validator';
import { RISK_ENGINE_MODES, RiskEngineMode } from '../domain/pool/risk-settings';
import { VOLATILITY_MODELS, VolatilityModel } from '../domain/risk/volatility';
import { CommandBody, SmallIntField } from '../http/api-fields';

/** The range the engine may move the parameters within (bps). */
export class RiskBoundsBody {
  @SmallIntField('Lowest max LTV the engine may set', 1, 9_998, 5_000)
  minMaxLtvBps!: number;

  @SmallIntField('Highest max LTV the engine may set', 1, 9_998, 8_000)
  maxMaxLtvBps!: number;

  @SmallIntField('Lowest liquidation threshold the engine may set', 2, 9_999, 6_000)
  minThresholdBps!: number;

  @SmallIntField('Highest liquidation threshold the engine may set', 2, 9_999, 8_800)
  maxThresholdBps!: number;
}

/** How the engine runs a pool: its model, mode and the rules its adjustments keep. */
export class RiskEngineSettingsBody {
  @ApiProperty({ enum: VOLATILITY_MODELS, example: 'garch', description: 'ewma: RiskMetrics, λ = 0.94; garch: GARCH(1,1) fitted by maximum likelihood on the window at each proposal' })
  @IsIn(VOLATILITY_MODELS)
  model!: VolatilityModel;

  @ApiProperty({ enum: RISK_ENGINE_MODES, example: 'auto', description: 'off: no proposals; propose: each accepted price may bring a proposal an admin applies; auto: the engine applies them too (a falling threshold after its notice)' })
  @IsIn(RISK_ENGINE_MODES)
  mode!: RiskEngineMode;

  @SmallIntField('Probability (bps) that the price falls less than the forecast move over the liquidation horizon', 5_001, 9_999, 9_900)
  confidenceBps!: number;

  @ApiProperty({ type: RiskBoundsBody })
  @IsDefined()
  @ValidateNested()
  @Type(() => RiskBoundsBody)
  bounds!: RiskBoundsBody;

  @SmallIntField('Largest change of max LTV or threshold in one adjustment (bps)', 1, 10_000, 250)
  maxStepBps!: number;

  @SmallIntField('How long a falling threshold is announced before it applies (seconds)', 0, 2_592_000, 86_400)
  noticeSeconds!: number;

  @SmallIntField("How many of the feed's latest accepted prices the forecast reads", 3, 1_000, 250)
  window!: number;

  @SmallIntField('The time one accepted price stands for (seconds): the horizon is counted in these', 1, 2_592_000, 3_600)
  observationSeconds!: number;

  @SmallIntField("From a price crossing a threshold to its liquidation's start (seconds)", 0, 2_592_000, 60)
  detectionSeconds!: number;
}

export class ConfigureRiskEngineBody extends IntersectionType(CommandBody, RiskEngineSettingsBody) {}

export class RiskProposalView {
  @ApiProperty({ example: 'round-42' })
  proposalId!: string;

  @ApiProperty({ example: 7250 })
  maxLtvBps!: number;

  @ApiProperty({ example: 8000 })
  liquidationThresholdBps!: number;

  @ApiProperty({ description: 'Unix seconds from which it may apply', example: '1800003600' })
  effectiveAt!: string;
}

export class RiskEngineView {
  @ApiProperty({ example: 7500 })
  maxLtvBps!: number;

  @ApiProperty({ example: 8250 })
  liquidationThresholdBps!: number;

  @ApiPropertyOptional({ type: RiskEngineSettingsBody, description: 'Absent until an admin configures the engine' })
  settings?: RiskEngineSettingsBody;

  @ApiPropertyOptional({ type: RiskProposalView, description: 'A proposal announced and not yet applied' })
  pending?: RiskProposalView;
}
