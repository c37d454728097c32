import { isFieldElement, isOraclePublicKey, loadCrypto, poseidonHash, publicKeyOf, signMessage, verifySignature, FIELD_MODULUS } from './crypto';

/** The BN254 scalar order as published (EIP-196), written out to check the one read from the library. */
const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

describe('crypto', () => {
  beforeAll(() => loadCrypto());
  const key = new Uint8Array(32).fill(7);

  it('matches the circomlib Poseidon reference vector for [1, 2]', () => {
    // Published test vector of circomlib's poseidon (t=3).
    expect(poseidonHash([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });

  it('takes the field order from the library: the BN254 scalar order r', () => {
    expect(FIELD_MODULUS).toBe(BN254_R);
    expect([BN254_R - 1n, BN254_R, BN254_R + 1n].map(isFieldElement)).toEqual([true, false, false]);
  });

  it('tells a point of Baby Jubjub from coordinates that are not one', () => {
    const pub = publicKeyOf(key);
    expect(isOraclePublicKey(pub)).toBe(true);
    expect(isOraclePublicKey({ ...pub, x: pub.x + 1n })).toBe(false);
    // The same point with a coordinate plus r: equal in the field, refused as written.
    expect(isOraclePublicKey({ ...pub, y: pub.y + BN254_R })).toBe(false);
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
