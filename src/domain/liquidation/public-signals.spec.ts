/**
 * The proof's public signals: eleven, in the circuit's order; each a field element written as snarkjs
 * writes it (a plain decimal), refused otherwise; a mismatch names only the signals compared; the
 * nullifier is Poseidon of its tag, the position, the round and the commitment.
 */
import fc from 'fast-check';
import { FIELD_MODULUS, idToField, loadCrypto, poseidonHash } from '../crypto/crypto';
import {
  formatPublicSignals, liquidationNullifier, LiquidationPublicSignals, mismatchedSignals, NULLIFIER_TAG, parseFieldElement, parsePublicSignals,
  PUBLIC_SIGNAL_INDEX, PUBLIC_SIGNAL_NAMES, PublicSignalsError,
} from './public-signals';

beforeAll(() => loadCrypto());

const named = (values: bigint[]): LiquidationPublicSignals => Object.fromEntries(PUBLIC_SIGNAL_NAMES.map((name, i) => [name, values[i]])) as LiquidationPublicSignals;
const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof PublicSignalsError ? { name: err.name, message: err.message } : err;
  }
  return undefined;
};

describe('the public signals', () => {
  it('are the circuit’s eleven inputs, in its order, each at its index', () => {
    expect(PUBLIC_SIGNAL_NAMES).toEqual(['commitment', 'feed', 'round', 'price', 'threshold', 'positionId', 'liquidator', 'nullifier', 'borrowIndex', 'collateralUnit', 'debtUnit']);
    PUBLIC_SIGNAL_NAMES.forEach((name, i) => expect(PUBLIC_SIGNAL_INDEX[name]).toBe(i));
    expect(Object.isFrozen(PUBLIC_SIGNAL_INDEX)).toBe(true);
  });

  it('parse a plain decimal below the field modulus, and refuse anything else, naming the signal', () => {
    expect(parseFieldElement('0')).toBe(0n);
    expect(parseFieldElement((FIELD_MODULUS - 1n).toString())).toBe(FIELD_MODULUS - 1n);
    expect(errorOf(() => parseFieldElement(FIELD_MODULUS.toString(), 'price'))).toEqual({ name: 'PublicSignalsError', message: 'price is not below the field modulus' });
    for (const text of ['', '01', '-1', '1.0', ' 1', '0x1', '1e3']) {
      expect(errorOf(() => parseFieldElement(text))).toEqual({ name: 'PublicSignalsError', message: `signal is not a decimal field element: ${text}` });
    }
    expect(errorOf(() => parseFieldElement(7 as never, 'round'))).toEqual({ name: 'PublicSignalsError', message: 'round is not a decimal field element: 7' });
  });

  it('read the snarkjs array into names and write it back (a property), refusing a wrong length', () => {
    const element = fc.bigInt({ min: 0n, max: FIELD_MODULUS - 1n });
    fc.assert(
      fc.property(fc.array(element, { minLength: 11, maxLength: 11 }), (values) => {
        const text = values.map(String);
        const signals = parsePublicSignals(text);
        expect(signals).toEqual(named(values));
        expect(formatPublicSignals(signals)).toEqual(text);
      }),
    );
    const eleven = Array.from({ length: 11 }, (_, i) => String(i));
    expect(errorOf(() => parsePublicSignals(eleven.slice(1)))).toEqual({ name: 'PublicSignalsError', message: 'expected 11 public signals' });
    expect(errorOf(() => parsePublicSignals([...eleven, '0']))).toEqual({ name: 'PublicSignalsError', message: 'expected 11 public signals' });
    expect(errorOf(() => parsePublicSignals('01234567890' as never))).toEqual({ name: 'PublicSignalsError', message: 'expected 11 public signals' });
    expect(errorOf(() => parsePublicSignals([...eleven.slice(0, 10), 'x']))).toEqual({ name: 'PublicSignalsError', message: 'debtUnit is not a decimal field element: x' });
  });

  it('refuse to write a value outside the field, naming it', () => {
    const values = Array.from({ length: 11 }, (_, i) => BigInt(i));
    expect(errorOf(() => formatPublicSignals(named(values.map((v, i) => (i === 3 ? -1n : v)))))).toEqual({ name: 'PublicSignalsError', message: 'price is not a field element' });
    expect(errorOf(() => formatPublicSignals(named(values.map((v, i) => (i === 8 ? FIELD_MODULUS : v)))))).toEqual({ name: 'PublicSignalsError', message: 'borrowIndex is not a field element' });
    expect(formatPublicSignals(named(values.map((v, i) => (i === 8 ? FIELD_MODULUS - 1n : v))))[8]).toBe((FIELD_MODULUS - 1n).toString());
  });

  it('name the signals that differ from those expected, in order, comparing only those given', () => {
    const actual = named(Array.from({ length: 11 }, (_, i) => BigInt(i)));
    expect(mismatchedSignals(actual, {})).toEqual([]);
    expect(mismatchedSignals(actual, { threshold: 4n, price: 3n })).toEqual([]);
    expect(mismatchedSignals(actual, { debtUnit: 0n, feed: 9n, threshold: 4n })).toEqual(['feed', 'debtUnit']);
    expect(mismatchedSignals(actual, { commitment: 1n })).toEqual(['commitment']);
  });

  it('give each position state and round one nullifier: Poseidon of the tag, the position, the round and the commitment', () => {
    expect(NULLIFIER_TAG).toBe(idToField('liquidation-ledger/nullifier/v1'));
    expect(liquidationNullifier(1n, 2n, 3n)).toBe(poseidonHash([NULLIFIER_TAG, 1n, 2n, 3n]));
    expect(liquidationNullifier(1n, 2n, 3n)).not.toBe(liquidationNullifier(1n, 3n, 3n));
  });
});
