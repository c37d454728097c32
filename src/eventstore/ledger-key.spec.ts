import { generateKeyPairSync } from 'node:crypto';
import { chainHash, GENESIS_HASH } from './event-codec';
import { LedgerKeys, linkSigner } from './ledger-key';

/** A stored event with its link, signed by `sign`. */
function linked(sign: ReturnType<typeof linkSigner>, data: Record<string, unknown>) {
  const meta = { schemaVersion: 1, commandId: 'c', at: '2026-12-06T00:00:00.000Z', prevHash: GENESIS_HASH };
  const hash = chainHash(GENESIS_HASH, 'position-p', 0n, 'DebtDrawn', data, meta);
  return { stream: 'position-p', revision: 0n, type: 'DebtDrawn', data, metadata: { ...meta, hash, ...sign(hash) } };
}

describe('a link this process signed itself', () => {
  const key = generateKeyPairSync('ed25519');
  const sign = linkSigner(key.privateKey);

  it('checks like any other', () => {
    const keys = new LedgerKeys(key.publicKey);
    const event = linked(sign, { amount: '1' });
    keys.signedHere(event.metadata.hash, event.metadata);
    expect(keys.checkEvent(event, 10n)).toBeUndefined();
  });

  it('still has its content checked against the link: an altered amount is refused', () => {
    const keys = new LedgerKeys(key.publicKey);
    const event = linked(sign, { amount: '1' });
    keys.signedHere(event.metadata.hash, event.metadata);
    expect(keys.checkEvent({ ...event, data: { amount: '1000' } }, 10n)).toMatchObject({ reason: 'BAD_SIGNATURE' });
  });

  it('vouches for that signature of that hash only: another signature of the same hash is verified, and a forged one refused', () => {
    const keys = new LedgerKeys(key.publicKey);
    const event = linked(sign, { amount: '1' });
    keys.signedHere(event.metadata.hash, event.metadata);
    const other = generateKeyPairSync('ed25519');
    const forged = { ...event.metadata, signature: linkSigner(other.privateKey)(event.metadata.hash).signature };
    expect(keys.checkEvent({ ...event, metadata: forged }, 10n)).toMatchObject({ reason: 'BAD_SIGNATURE', message: expect.stringContaining('does not verify') });
  });

  it('vouches for no key outside the history: a signature remembered under a key the ledger never had is refused', () => {
    const keys = new LedgerKeys(key.publicKey);
    const stranger = linkSigner(generateKeyPairSync('ed25519').privateKey);
    const event = linked(stranger, { amount: '1' });
    keys.signedHere(event.metadata.hash, event.metadata);
    expect(keys.checkEvent(event, 10n)).toMatchObject({ reason: 'BAD_SIGNATURE', message: expect.stringContaining('not one of the ledger') });
  });
});
