/**
 * The predictive risk engine's settings on a pool and the proposal it has pending: part of the pool's
 * state (pool-state.ts), so kept apart from the rules that decide on them (risk-adjustment.ts).
 */
import type { VolatilityModel } from '../risk/volatility';
import type { RiskBounds, RiskTargets } from '../risk/risk-policy';

/** off: no proposals; propose: proposals wait for an admin to apply them; auto: the engine applies them. */
export const RISK_ENGINE_MODES = ['off', 'propose', 'auto'] as const;
export type RiskEngineMode = (typeof RISK_ENGINE_MODES)[number];

export interface RiskEngineSettings {
  model: VolatilityModel;
  mode: RiskEngineMode;
  /** Probability (bps) that the price falls less than the forecast move over the horizon. */
  confidenceBps: bigint;
  bounds: RiskBounds;
  /** Largest change of either parameter in one adjustment (bps). */
  maxStepBps: bigint;
  /** How long a falling threshold is announced before it applies. */
  noticeSeconds: bigint;
  /** How many of the feed's accepted prices the forecast reads, the latest last. */
  window: number;
  /** The time one accepted price stands for: the horizon is counted in these. */
  observationSeconds: bigint;
  /** From a price crossing a threshold to its liquidation's start. */
  detectionSeconds: bigint;
}

export interface RiskProposal extends RiskTargets {
  proposalId: string;
  effectiveAt: bigint;
}

export interface RiskState {
  settings: RiskEngineSettings;
  pending?: RiskProposal;
}

