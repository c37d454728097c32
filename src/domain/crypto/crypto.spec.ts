import { loadCrypto, poseidonHash, publicKeyOf, signMessage, verifySignature, FIELD_MODULUS } from './crypto';

describe('crypto', () => {
  beforeAll(() => loadCrypto());
  const key = new Uint8Array(32).fill(7);

  it('matches the circomlib Poseidon reference vector for [1, 2]', () => {
    // Published test vector of circomlib's poseidon (t=3).
    expect(poseidonHash([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });

  it('refuses Poseidon inputs outside the field', () => {
    expect(() => poseidonHash([FIELD_MODULUS])).toThrow(RangeError);
    expect(() => poseidonHash([-1n])).toThrow(RangeError);
  });

  it('verifies a signature by the right key only, over the signed message only', () => {
    const sig = signMessage(key, 42n);
    const pub = publicKeyOf(key);
    expect(verifySignature(42n, sig, pub)).toBe(true);
    expect(verifySignature(43n, sig, pub)).toBe(false);
    expect(verifySignature(42n, sig, publicKeyOf(new Uint8Array(32).fill(8)))).toBe(false);
    expect(verifySignature(42n, { ...sig, s: sig.s + 1n }, pub)).toBe(false);
    expect(verifySignature(42n, { ...sig, r8x: 5n }, pub)).toBe(false);
  });
});
