import fc from 'fast-check';
import { loadCrypto } from '../domain/crypto/crypto';
import { BPS, RAY, WAD } from '../domain/math/fixed-point';
import {
  LiquidationRuleInput,
  collateralValueOf,
  debtOf,
  fitsCircuit,
  isLiquidatable,
  unitOf,
} from '../domain/risk/liquidation-rule';
import { circuitAccepts } from './prover';
import { releaseCurve } from './snarkjs';
import { testClaim } from './testing';
import { buildWitnessInput } from './witness';

describe('liquidation rule (TypeScript reference)', () => {
  it('rounds debt up and collateral value down, in favour of the pool', () => {
    expect(debtOf(1n, RAY + 1n)).toBe(2n);
    expect(debtOf(10n, RAY)).toBe(10n);
    expect(debtOf(0n, 3n * RAY)).toBe(0n);
    // 3 units of an 18-decimal token at 1/3 WAD each, in a 0-decimal debt token: 0.999... → 0.
    expect(collateralValueOf(3n * 10n ** 18n, WAD / 3n, unitOf(18), unitOf(0))).toBe(0n);
    expect(collateralValueOf(3n * 10n ** 18n, WAD / 3n, unitOf(18), unitOf(6))).toBe(999_999n);
  });

  it('liquidates strictly below a health factor of one, not at it', () => {
    const base: LiquidationRuleInput = {
      collateral: 10n ** 18n,
      scaledDebt: 1_800n * 10n ** 6n,
      price: 2_000n * WAD,
      thresholdBps: 9_000n,
      borrowIndex: RAY,
      collateralUnit: unitOf(18),
      debtUnit: unitOf(6),
    };
    expect(isLiquidatable(base)).toBe(false); // 2,000 × 90% = 1,800 = debt: HF exactly 1
    expect(isLiquidatable({ ...base, scaledDebt: base.scaledDebt + 1n })).toBe(true);
    expect(isLiquidatable({ ...base, scaledDebt: base.scaledDebt - 1n })).toBe(false);
  });

  it('refuses token decimals outside 0..18', () => {
    expect(() => unitOf(19)).toThrow(RangeError);
    expect(() => unitOf(1.5)).toThrow(RangeError);
  });
});

/** circom's witness calculator prints every failed constraint to stderr; these tests fail them on purpose. */
function quietWitnessErrors(): void {
  const original = console.error.bind(console);
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (args[0] !== 'ERROR: ') original(...args);
  });
}

describe('the circuit agrees with the reference at the health-factor boundary', () => {
  beforeAll(quietWitnessErrors);
  afterAll(() => jest.restoreAllMocks());
  beforeAll(loadCrypto);
  afterAll(releaseCurve);

  const MAX_88 = (1n << 88n) - 1n;

  /** Sizes anywhere up to the 88-bit limit, or realistic ones (whole tokens times the unit). */
  const scenario = fc.record({
    collateralDecimals: fc.integer({ min: 0, max: 18 }),
    debtDecimals: fc.integer({ min: 0, max: 18 }),
    thresholdBps: fc.oneof(fc.constantFrom(10_000n, 8_000n, 5_000n), fc.bigInt({ min: 1n, max: 10_000n })),
    borrowIndex: fc.oneof(fc.constant(RAY), fc.bigInt({ min: RAY, max: 50n * RAY })),
    collateral: fc.oneof(fc.bigInt({ min: 1n, max: MAX_88 }), fc.bigInt({ min: 1n, max: 10n ** 24n })),
    price: fc.oneof(fc.bigInt({ min: 1n, max: MAX_88 }), fc.bigInt({ min: WAD / 1000n, max: 10n ** 5n * WAD })),
  });

  it('on random pools and positions just above, at and just below a health factor of one', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const collateralUnit = unitOf(s.collateralDecimals);
        const debtUnit = unitOf(s.debtDecimals);
        const value = collateralValueOf(s.collateral, s.price, collateralUnit, debtUnit);
        // Smallest debt that is liquidatable, then the smallest scaled debt reaching it.
        const boundaryDebt = (value * s.thresholdBps) / BPS + 1n;
        const boundaryScaled = ((boundaryDebt - 1n) * RAY) / s.borrowIndex + 1n;
        for (const scaledDebt of [boundaryScaled - 1n, boundaryScaled, boundaryScaled + 1n]) {
          const rule: LiquidationRuleInput = { ...s, scaledDebt, collateralUnit, debtUnit };
          if (!fitsCircuit(rule)) continue;
          const claim = testClaim({
            opening: { collateral: s.collateral, scaledDebt },
            roundPrice: { price: s.price },
            pool: {
              thresholdBps: s.thresholdBps,
              borrowIndex: s.borrowIndex,
              collateralDecimals: s.collateralDecimals,
              debtDecimals: s.debtDecimals,
            },
          });
          const expected = isLiquidatable(rule);
          expect(expected).toBe(scaledDebt >= boundaryScaled); // the reference's own boundary
          expect(await circuitAccepts(buildWitnessInput(claim, { unchecked: true }))).toBe(expected);
          checked++;
        }
      }),
      { numRuns: 25 },
    );
    expect(checked).toBeGreaterThan(25);
    // 75 witness computations: a generous bound for a loaded machine, not a speed check.
  }, 180_000);

  it('at exactly a health factor of one (debt × 10,000 = value × threshold) the circuit refuses', async () => {
    // value = 2,500 USDC, threshold 80%: 2,000 USDC of debt is exactly HF 1; one unit more is below.
    const at = testClaim({ opening: { scaledDebt: 2_000n * 10n ** 6n }, pool: { thresholdBps: 8_000n } });
    expect(await circuitAccepts(buildWitnessInput(at, { unchecked: true }))).toBe(false);
    const below = testClaim({ opening: { scaledDebt: 2_000n * 10n ** 6n + 1n }, pool: { thresholdBps: 8_000n } });
    expect(await circuitAccepts(buildWitnessInput(below))).toBe(true);
  });
});
