/**
 * The two libraries a process can compute with (`crypto-engine.ts`) are one function each: the same
 * field, the same hashes, keys and signatures, and the same verdicts, on valid inputs and forged ones.
 * If they ever differed, a report signed by a CLI call could fail at the ledger, or one ledger's audit
 * could disagree with another's.
 */
import { subOrder } from '@zk-kit/baby-jubjub';
import fc from 'fast-check';
import { buildCryptoEngine, type CryptoEngine } from './crypto-engine';

let throughput: CryptoEngine;
let quickStart: CryptoEngine;
beforeAll(async () => {
  [throughput, quickStart] = await Promise.all([buildCryptoEngine('throughput'), buildCryptoEngine('quick-start')]);
}, 60_000);

const field = () => fc.bigInt({ min: 0n, max: throughput.fieldModulus - 1n });
const privateKey = fc.uint8Array({ minLength: 32, maxLength: 32 });

it('read the same field: the BN254 scalar order', () => {
  expect(quickStart.fieldModulus).toBe(throughput.fieldModulus);
  expect(throughput.fieldModulus).toBe(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
});

it('hash alike, for every arity the ledger uses and at the field boundary', () => {
  fc.assert(
    fc.property(fc.array(field(), { minLength: 1, maxLength: 6 }), (inputs) => {
      expect(quickStart.hash(inputs)).toBe(throughput.hash(inputs));
    }),
    { numRuns: 60, examples: [[[throughput.fieldModulus - 1n, 0n, 1n]], [[0n]]] },
  );
});

it('derive the same keys and make the same signatures, each accepted by the other', () => {
  fc.assert(
    fc.property(privateKey, field(), (key, message) => {
      const pub = throughput.publicKeyOf(key);
      expect(quickStart.publicKeyOf(key)).toEqual(pub);
      const signature = throughput.sign(key, message);
      expect(quickStart.sign(key, message)).toEqual(signature);
      expect(quickStart.inCurve(pub)).toBe(true);
      expect(quickStart.verify(message, signature, pub)).toBe(true);
      expect(throughput.verify(message, signature, pub)).toBe(true);
    }),
    { numRuns: 8 },
  );
});

it('give the same verdict on forged signatures and keys', () => {
  const key = new Uint8Array(32).fill(9);
  const pub = throughput.publicKeyOf(key);
  const signature = throughput.sign(key, 42n);
  const verdicts = (engine: CryptoEngine) => [
    engine.verify(43n, signature, pub),
    engine.verify(42n, { ...signature, s: signature.s + 1n }, pub),
    // S at or past the curve's subgroup order would let one signature be written two ways.
    engine.verify(42n, { ...signature, s: signature.s + subOrder }, pub),
    engine.verify(42n, { ...signature, r8x: 5n }, pub),
    engine.verify(42n, signature, { ...pub, x: pub.x + 1n }),
    engine.inCurve({ ...pub, x: pub.x + 1n }),
  ];
  expect(verdicts(throughput)).toEqual([false, false, false, false, false, false]);
  expect(verdicts(quickStart)).toEqual(verdicts(throughput));
});
