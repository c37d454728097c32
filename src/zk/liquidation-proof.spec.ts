import { FIELD_MODULUS, idToField, loadCrypto, positionCommitment } from '../domain/crypto/crypto';
import { PUBLIC_SIGNAL_INDEX, PUBLIC_SIGNAL_NAMES, liquidationNullifier, mismatchedSignals, parsePublicSignals } from '../domain/liquidation/public-signals';
import { LiquidationProof, ProofGenerationError, circuitAccepts, proveLiquidation } from './prover';
import { releaseCurve } from './snarkjs';
import { testClaim } from './testing';
import { verifyLiquidationProof } from './verifier';
import {
  LiquidationWitnessInput,
  WitnessError,
  buildWitnessInput,
  publicSignalsOf,
} from './witness';

/** Replaces one public signal of a proof's array. */
function withSignal(signals: readonly string[], name: keyof typeof PUBLIC_SIGNAL_INDEX, value: bigint): string[] {
  const out = [...signals];
  out[PUBLIC_SIGNAL_INDEX[name]] = value.toString();
  return out;
}

/** Rebuilds the public values that derive from the opening, so only the tampered part is wrong. */
function rehash(input: LiquidationWitnessInput): LiquidationWitnessInput {
  const commitment = positionCommitment(input.collateral, input.scaledDebt, input.salt);
  return { ...input, commitment, nullifier: liquidationNullifier(input.positionId, input.round, commitment) };
}

/** circom's witness calculator prints every failed constraint to stderr; these tests fail them on purpose. */
function quietWitnessErrors(): void {
  const original = console.error.bind(console);
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (args[0] !== 'ERROR: ') original(...args);
  });
}

describe('liquidation proof', () => {
  beforeAll(quietWitnessErrors);
  afterAll(() => jest.restoreAllMocks());
  let input: LiquidationWitnessInput;
  let valid: LiquidationProof;

  beforeAll(async () => {
    await loadCrypto();
    input = buildWitnessInput(testClaim());
    valid = await proveLiquidation(input);
  });

  afterAll(releaseCurve);

  it('verifies a proof that a liquidatable position crossed its threshold, with the verification key alone', async () => {
    expect(await verifyLiquidationProof(valid.proof, valid.publicSignals)).toBe(true);
    // The same proof through the named view of its signals.
    expect(await verifyLiquidationProof(valid.proof, parsePublicSignals(valid.publicSignals))).toBe(true);
  });

  it('publishes exactly the documented public signals, in order, and none of the position size', () => {
    expect(parsePublicSignals(valid.publicSignals)).toEqual(publicSignalsOf(input));
    expect(valid.publicSignals).toHaveLength(PUBLIC_SIGNAL_NAMES.length);
    for (const secret of [input.collateral, input.scaledDebt, input.salt]) {
      expect(valid.publicSignals).not.toContain(secret.toString());
    }
  });

  it('refuses a healthy position: the builder says why, and the circuit has no witness for it', async () => {
    // 1.25 ETH at 2,000 with a 90% threshold carries 2,250 of debt: at exactly 2,250 the HF is 1, not below.
    const healthy = testClaim({ opening: { scaledDebt: 2_250n * 10n ** 6n } });
    expect(() => buildWitnessInput(healthy)).toThrow(WitnessError);
    expect(() => buildWitnessInput(healthy)).toThrow(/healthy/);
    const forced = buildWitnessInput(healthy, { unchecked: true });
    await expect(proveLiquidation(forced)).rejects.toThrow(ProofGenerationError);
    // The error quotes the circuit line that failed: the health-factor comparison.
    await expect(proveLiquidation(forced)).rejects.toThrow(/below\.out === 1/);
  });

  it('refuses a wrong commitment opening (the commitment of another state of the position)', async () => {
    const old = positionCommitment(input.collateral, 1_000n * 10n ** 6n, 99n);
    const tampered = { ...input, commitment: old, nullifier: liquidationNullifier(input.positionId, input.round, old) };
    expect(await circuitAccepts(tampered)).toBe(false);
    // A different salt or amounts behind the same public commitment do not open it either.
    expect(await circuitAccepts({ ...input, salt: input.salt + 1n })).toBe(false);
    expect(await circuitAccepts({ ...input, scaledDebt: input.scaledDebt + 1n })).toBe(false);
  });

  it('publishes the price it was made at, so a verifier can hold it to the round\'s accepted price', async () => {
    const signals = parsePublicSignals(valid.publicSignals);
    expect([signals.feed, signals.round, signals.price]).toEqual([idToField('ETH/USDC'), 42n, input.price]);
    // The same position proven at a lower price is another, distinct claim: a verifier tells them apart.
    const lower = await proveLiquidation(buildWitnessInput(testClaim({ roundPrice: { price: input.price / 2n } })));
    expect(parsePublicSignals(lower.publicSignals).price).toBe(input.price / 2n);
    expect(await verifyLiquidationProof(lower.proof, withSignal(lower.publicSignals, 'price', input.price))).toBe(false);
  });

  it('refuses the proof when any single public signal is altered', async () => {
    for (const name of PUBLIC_SIGNAL_NAMES) {
      const value = BigInt(valid.publicSignals[PUBLIC_SIGNAL_INDEX[name]]);
      const altered = withSignal(valid.publicSignals, name, (value + 1n) % FIELD_MODULUS);
      expect([name, await verifyLiquidationProof(valid.proof, altered)]).toEqual([name, false]);
    }
  });

  it('cannot be replayed for another position, another liquidator or another round', async () => {
    const replays = [
      withSignal(valid.publicSignals, 'positionId', idToField('position-8')),
      withSignal(valid.publicSignals, 'liquidator', idToField('liquidator-mallory')),
      withSignal(valid.publicSignals, 'round', input.round + 1n),
    ];
    for (const signals of replays) expect(await verifyLiquidationProof(valid.proof, signals)).toBe(false);
  });

  it('names the public signals that differ from what the ledger expects', () => {
    const actual = parsePublicSignals(valid.publicSignals);
    expect(mismatchedSignals(actual, publicSignalsOf(input))).toEqual([]);
    const expected = { ...publicSignalsOf(input), round: input.round + 1n, liquidator: idToField('liquidator-bob') };
    expect(mismatchedSignals(actual, expected)).toEqual(['round', 'liquidator']);
    expect(mismatchedSignals(actual, { threshold: input.threshold })).toEqual([]);
  });

  it('derives one nullifier per position state and round, whoever liquidates, so a second use is detectable', () => {
    const bob = buildWitnessInput(testClaim({ liquidator: 'liquidator-bob' }));
    expect(bob.nullifier).toBe(input.nullifier);
    expect(buildWitnessInput(testClaim({ roundPrice: { round: 43n } })).nullifier).not.toBe(input.nullifier);
    expect(buildWitnessInput(testClaim({ positionId: 'position-8' })).nullifier).not.toBe(input.nullifier);
    expect(buildWitnessInput(testClaim({ opening: { salt: 7n } })).nullifier).not.toBe(input.nullifier);
  });

  it('refuses a nullifier that is not the one of this position, round and commitment', async () => {
    expect(await circuitAccepts({ ...input, nullifier: input.nullifier + 1n })).toBe(false);
    // The liquidator is not part of the nullifier (it is bound by the proof instead): any id satisfies it.
    expect(await circuitAccepts({ ...input, liquidator: idToField('someone-else') })).toBe(true);
    expect(await verifyLiquidationProof(valid.proof, withSignal(valid.publicSignals, 'nullifier', 1n))).toBe(false);
  });

  describe('values that would overflow', () => {
    it('the builder refuses amounts, prices and parameters outside the range-checked widths', () => {
      expect(() => buildWitnessInput(testClaim({ opening: { collateral: 1n << 88n } }))).toThrow(/2\^88/);
      expect(() => buildWitnessInput(testClaim({ opening: { scaledDebt: -1n } }))).toThrow(WitnessError);
      expect(() => buildWitnessInput(testClaim({ roundPrice: { price: 1n << 88n } }))).toThrow(/price/);
      expect(() => buildWitnessInput(testClaim({ pool: { borrowIndex: 1n << 128n } }))).toThrow(/borrowIndex/);
      expect(() => buildWitnessInput(testClaim({ pool: { collateralDecimals: 19 } }))).toThrow(/decimals/);
    });

    it('the circuit refuses collateral, debt or price of 2^88 even when the commitment opens', async () => {
      // Huge debt would make the position liquidatable; the range check must stop it first.
      for (const opening of [{ scaledDebt: 1n << 88n }, { collateral: 1n << 88n }]) {
        const big = rehash(buildWitnessInput(testClaim({ opening }), { unchecked: true }));
        expect(await circuitAccepts(big)).toBe(false);
      }
      const bigPrice = buildWitnessInput(testClaim({ roundPrice: { price: 1n << 88n } }), { unchecked: true });
      expect(await circuitAccepts(bigPrice)).toBe(false);
    });

    it('the circuit refuses field-wrapping values (p − x standing for −x)', async () => {
      // collateral = p − 1 is "−1" in the field: without range checks a negative collateral value
      // would make any position look liquidatable.
      const wrapped = rehash({ ...input, collateral: FIELD_MODULUS - 1n });
      expect(await circuitAccepts(wrapped)).toBe(false);
      // A debt that wraps: scaledDebt · borrowIndex ≡ small (mod p) with a huge scaledDebt. The small
      // product is no multiple of the index, or scaledDebt would be its honest quotient.
      const inverse = modInverse(input.borrowIndex, FIELD_MODULUS);
      const wrappingDebt = rehash({ ...input, scaledDebt: ((10n ** 40n + 1n) * inverse) % FIELD_MODULUS });
      expect(wrappingDebt.scaledDebt >= 1n << 88n).toBe(true);
      expect(await circuitAccepts(wrappingDebt)).toBe(false);
      // Signals at or above the modulus are not field elements: refused before any pairing.
      const overflow = withSignal(valid.publicSignals, 'threshold', FIELD_MODULUS + 9_000n);
      expect(await verifyLiquidationProof(valid.proof, overflow)).toBe(false);
    });
  });

  it('refuses malformed proofs and signals instead of throwing', async () => {
    expect(await verifyLiquidationProof({}, valid.publicSignals)).toBe(false);
    expect(await verifyLiquidationProof(null, valid.publicSignals)).toBe(false);
    expect(await verifyLiquidationProof(valid.proof, valid.publicSignals.slice(1))).toBe(false);
    expect(await verifyLiquidationProof(valid.proof, [...valid.publicSignals.slice(1), '0x1'])).toBe(false);
    const offCurve = { ...valid.proof, pi_a: ['1', '3', '1'] };
    expect(await verifyLiquidationProof(offCurve, valid.publicSignals)).toBe(false);
  });
});

function modInverse(a: bigint, m: bigint): bigint {
  // Fermat: m is prime.
  let result = 1n;
  let base = a % m;
  for (let e = m - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % m;
    base = (base * base) % m;
  }
  return result;
}
