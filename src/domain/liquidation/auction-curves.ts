/**
 * Dutch auction price curves, MakerDAO `abaci` style: interchangeable pure functions of the starting
 * price and the seconds since the start, chosen by a pool parameter. Prices are WAD and round down:
 * the price a taker pays only ever falls with time, never jumps up by a rounding.
 */
import { BPS, RAY } from '../math/fixed-point';

export const AUCTION_CURVES = ['linear', 'stairstep', 'exponential'] as const;
export type AuctionCurve = (typeof AUCTION_CURVES)[number];

export interface CurveParameters {
  curve: AuctionCurve;
  /** The price falls by this share of the starting price (linear) or of the price (stairstep, exponential) per step. */
  cutBps: bigint;
  /** Seconds per step. */
  stepSeconds: bigint;
}

/** The auction's price `elapsed` seconds after it started (or was reset) at `top`. */
export function auctionPrice(top: bigint, elapsed: bigint, c: CurveParameters): bigint {
  // Stryker disable next-line EqualityOperator: at zero seconds every curve gives the top anyway (nothing fallen, no step, x^0 = 1).
  if (elapsed <= 0n) return top;
  switch (c.curve) {
    case 'linear': {
      // top × (1 − cut × elapsed / step), reaching zero after step × 10_000 / cut seconds.
      const fallen = c.cutBps * elapsed;
      const whole = BPS * c.stepSeconds;
      // Stryker disable next-line EqualityOperator: when all has fallen, top × 0 / whole is zero too.
      return fallen >= whole ? 0n : (top * (whole - fallen)) / whole;
    }
    case 'stairstep': {
      // top × (1 − cut)^⌊elapsed / step⌋: flat within a step, a drop at each step's end.
      const steps = elapsed / c.stepSeconds;
      return (top * ratePower(RAY - (c.cutBps * RAY) / BPS, steps)) / RAY;
    }
    case 'exponential': {
      // A smooth decay: every second the price loses cut / step of itself (so about the cut per step).
      const perSecond = RAY - (c.cutBps * RAY) / (BPS * c.stepSeconds);
      return (top * ratePower(perSecond, elapsed)) / RAY;
    }
  }
}

/** x^n for a RAY factor, by squaring, rounded down at every step (fixed-point's rpowUp rounds the other way, for interest). */
function ratePower(x: bigint, n: bigint): bigint {
  let result = RAY;
  let base = x;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a result of zero stays zero; stopping there only saves the rest of the loop.
  for (let e = n; e > 0n && result > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) / RAY;
    base = (base * base) / RAY;
  }
  return result;
}
