import fc from 'fast-check';
import { normalQuantile } from '../math/normal-quantile';
import { adverseMove, effectiveAt, RiskBounds, riskTargets, stepTowards } from './risk-policy';

const wide: RiskBounds = { minMaxLtvBps: 1n, maxMaxLtvBps: 9_998n, minThresholdBps: 2n, maxThresholdBps: 9_999n };
const admin: RiskBounds = { minMaxLtvBps: 5_000n, maxMaxLtvBps: 8_000n, minThresholdBps: 6_000n, maxThresholdBps: 8_800n };

describe('risk policy', () => {
  it('the adverse move is the fall a normal log move exceeds with probability 1 − confidence', () => {
    expect(adverseMove(0, 9_900n)).toBe(0);
    // z(99%) = 2.3263: a 10% log-volatility over the horizon gives a fall of 1 − e^(−0.23263).
    expect(adverseMove(0.01, 9_900n)).toBeCloseTo(1 - Math.exp(-0.23263), 4);
    expect(adverseMove(0.01, 9_990n)).toBeGreaterThan(adverseMove(0.01, 9_900n));
    expect(() => adverseMove(0.01, 10_000n)).toThrow(RangeError);
    // Confidence is above one half and below one: 5001 and 9999 bps pass, 5000 and 10,000 do not.
    expect(adverseMove(0.01, 5_001n)).toBeGreaterThan(0);
    expect(adverseMove(0.01, 9_999n)).toBeGreaterThan(adverseMove(0.01, 9_990n));
    for (const confidenceBps of [5_000n, 10_000n]) expect(() => adverseMove(0.01, confidenceBps)).toThrow(new RangeError('confidence must be within 5001..9999 bps'));
  });

  it('a 10% move sets the threshold at 90% and max LTV at 90% × 90% = 81%', () => {
    expect(riskTargets(0.1, 0n, wide)).toEqual({ liquidationThresholdBps: 9_000n, maxLtvBps: 8_100n });
  });

  it('rounds both down, in the pool’s favour', () => {
    // 1 − 0.12345 = 0.87655: 8765 bps, and 8765 × 8765 / 10000 = 7682.52 → 7682.
    expect(riskTargets(0.12345, 0n, wide)).toEqual({ liquidationThresholdBps: 8_765n, maxLtvBps: 7_682n });
  });

  it('a position opened at max LTV stays below the threshold, and one at the threshold solvent, through the adverse move', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.9, noNaN: true }), (move) => {
        const { maxLtvBps, liquidationThresholdBps } = riskTargets(move, 0n, wide);
        const after = 1 - move;
        // LTV after the fall: maxLtv / (1 − move) must not exceed the threshold; at the threshold, debt ≤ collateral left.
        expect(Number(maxLtvBps) / after).toBeLessThanOrEqual(Number(liquidationThresholdBps) + 1e-9);
        expect(Number(liquidationThresholdBps) / 10_000).toBeLessThanOrEqual(after + 1e-12);
      }),
    );
  });

  it('stays within the admin’s bounds however calm or wild the forecast', () => {
    expect(riskTargets(0.001, 0n, admin)).toEqual({ liquidationThresholdBps: 8_800n, maxLtvBps: 8_000n });
    expect(riskTargets(0.6, 0n, admin)).toEqual({ liquidationThresholdBps: 6_000n, maxLtvBps: 5_000n });
  });

  it('leaves the threshold room for the liquidation penalty, and max LTV below the threshold', () => {
    // threshold × (1 + 10%) ≤ 100%: at most 9090 bps.
    expect(riskTargets(0.001, 1_000n, wide).liquidationThresholdBps).toBe(9_090n);
    const pinned = riskTargets(0.3, 0n, { ...admin, maxThresholdBps: 6_000n, maxMaxLtvBps: 9_000n, minMaxLtvBps: 1n });
    expect(pinned.maxLtvBps).toBeLessThan(pinned.liquidationThresholdBps);
    // With no move at all the target LTV is the threshold itself; max LTV stays a bps below it even where the admin's bound would allow it.
    expect(riskTargets(0, 0n, { minMaxLtvBps: 1n, maxMaxLtvBps: 9_999n, minThresholdBps: 2n, maxThresholdBps: 9_999n })).toEqual({ liquidationThresholdBps: 9_999n, maxLtvBps: 9_998n });
  });

  it('moves each parameter at most one step towards its target, keeping max LTV below the threshold', () => {
    const current = { maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n };
    expect(stepTowards(current, { maxLtvBps: 5_000n, liquidationThresholdBps: 6_000n }, 250n)).toEqual({ maxLtvBps: 7_250n, liquidationThresholdBps: 8_000n });
    expect(stepTowards(current, { maxLtvBps: 7_600n, liquidationThresholdBps: 8_300n }, 250n)).toEqual({ maxLtvBps: 7_600n, liquidationThresholdBps: 8_300n });
    const pair = fc.tuple(fc.integer({ min: 1, max: 9_998 }), fc.integer({ min: 1, max: 9_998 })).map(([a, b]) => (a < b ? [a, b] : [b, a + 1]));
    fc.assert(
      fc.property(pair, pair, fc.integer({ min: 1, max: 3_000 }), ([l, t], [lt, tt], s) => {
        const next = stepTowards({ maxLtvBps: BigInt(l), liquidationThresholdBps: BigInt(t) }, { maxLtvBps: BigInt(lt), liquidationThresholdBps: BigInt(tt) }, BigInt(s));
        expect(next.maxLtvBps).toBeLessThan(next.liquidationThresholdBps);
        expect(Math.abs(Number(next.maxLtvBps) - l)).toBeLessThanOrEqual(s);
        expect(Math.abs(Number(next.liquidationThresholdBps) - t)).toBeLessThanOrEqual(s);
      }),
    );
  });

  it('a falling threshold takes effect after the notice; a rising or unchanged one at once', () => {
    const current = { maxLtvBps: 7_500n, liquidationThresholdBps: 8_250n };
    expect(effectiveAt(current, { maxLtvBps: 7_250n, liquidationThresholdBps: 8_000n }, 1_000n, 3_600n)).toBe(4_600n);
    expect(effectiveAt(current, { maxLtvBps: 7_250n, liquidationThresholdBps: 8_250n }, 1_000n, 3_600n)).toBe(1_000n);
    expect(effectiveAt(current, { maxLtvBps: 7_750n, liquidationThresholdBps: 8_500n }, 1_000n, 3_600n)).toBe(1_000n);
  });
});

describe('normal quantile', () => {
  it('matches the tables: Φ⁻¹(0.5) = 0, Φ⁻¹(0.975) = 1.959964, Φ⁻¹(0.99) = 2.326348, Φ⁻¹(0.001) = −3.090232', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326348, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
  });
});
