import { checkArtifacts, loadCircuitInfo, loadVerificationKey, readManifest } from './artifacts';
import { PUBLIC_SIGNAL_NAMES } from '../domain/liquidation/public-signals';

describe('committed circuit artifacts', () => {
  it('match the hashes in circuits/build/artifacts.sha256, circuit source included', () => {
    const files = readManifest().map((e) => e.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'liquidation.circom',
        'build/liquidation.wasm',
        'build/liquidation.zkey',
        'build/verification_key.json',
      ]),
    );
    const mismatched = checkArtifacts().filter((c) => !c.ok);
    // A failure here means the circuit or an artifact changed without `npm run circuits:build`.
    expect(mismatched).toEqual([]);
  });

  it('hold a Groth16 bn128 key for exactly the documented public signals', () => {
    const vk = loadVerificationKey();
    expect([vk.protocol, vk.curve]).toEqual(['groth16', 'bn128']);
    expect(vk.nPublic).toBe(PUBLIC_SIGNAL_NAMES.length);
    expect(vk.IC).toHaveLength(PUBLIC_SIGNAL_NAMES.length + 1);
  });

  it('come from a circuit small enough for 2^13 powers of tau', () => {
    const info = loadCircuitInfo();
    expect(info.constraints).toBeLessThan(2 ** 13);
    expect(info.publicInputs).toBe(PUBLIC_SIGNAL_NAMES.length);
  });
});
