/**
 * A process that only hashes (a liquidator proving) loads Poseidon alone: the same hashes as with
 * EdDSA loaded, and the EdDSA functions refuse until `loadCrypto()`. A file of its own, since the
 * other crypto tests load everything first.
 */
import { loadCrypto, loadPoseidon, poseidonHash, positionCommitment, publicKeyOf } from './crypto';

/** circomlib's own test vector: Poseidon(1, 2). */
const POSEIDON_1_2 = 7853200120776062878684798364095072458815029376092732009249414926327459813530n;

it('hashes with Poseidon alone, refuses EdDSA until it is loaded, and hashes the same after', async () => {
  await loadPoseidon();
  expect(poseidonHash([1n, 2n])).toBe(POSEIDON_1_2);
  const commitment = positionCommitment(10n ** 18n, 1490n * 10n ** 6n, 12345n);
  expect(() => publicKeyOf(new Uint8Array(32))).toThrow(/EdDSA not loaded/);
  await loadCrypto();
  expect(publicKeyOf(new Uint8Array(32)).x).toBeGreaterThan(0n);
  expect(poseidonHash([1n, 2n])).toBe(POSEIDON_1_2);
  expect(positionCommitment(10n ** 18n, 1490n * 10n ** 6n, 12345n)).toBe(commitment);
}, 60_000);
