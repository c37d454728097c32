/**
 * The ledger's signature on its history. The hash chain (event-codec's chainHash) is keyless: anyone
 * who can write to the store can compute a link that fits. So the ledger signs each link with an
 * Ed25519 key kept outside the store (a file in its data dir, mode 0600), and whoever folds an event
 * (the live ledger, an auditor) checks the signature with the public key: an event the ledger did not
 * write does not verify. Ed25519 rather than a keyed MAC, because an auditor then needs only the public
 * key, and a signature costs tens of microseconds per event (docs/event-store-security.md has numbers).
 *
 * Key rotation is an event, LedgerKeyRotated on the stream `ledger-keys`, signed by the key it retires
 * and by the key it brings in, so the history of keys can be followed from either end. An event signed
 * by a key verifies only between that key's rotations: a retired key, perhaps stolen, signs nothing
 * that counts after its retirement.
 */
import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { chainHash, isLedgerMetadata } from './event-codec';

export const LEDGER_KEY_STREAM = 'ledger-keys';
export const LEDGER_KEY_ROTATED = 'LedgerKeyRotated';

/** What a signed link adds to an event's metadata. */
export interface LinkSignature {
  /** keyIdOf the key that signed. */
  signedBy: string;
  /** Ed25519 over the link (the event's chain hash), base64. */
  signature: string;
}

/** Why an event's link is not the ledger's (a quarantine reason, and an audit finding). */
export interface LinkProblem {
  reason: 'UNSIGNED' | 'BAD_SIGNATURE';
  message: string;
}

/** The body of LedgerKeyRotated. */
export interface LedgerKeyRotation {
  /** The key retired, and the key brought in (SPKI PEM), with their ids. */
  previousPublicKey: string;
  previousKeyId: string;
  publicKey: string;
  keyId: string;
  /** When, ISO-8601. */
  at: string;
  /** Both keys sign rotationMessage: the old one hands over, the new one accepts. */
  signatureByPrevious: string;
  signatureByNew: string;
}

/** One key's time in office, as `$all` commit positions (exclusive); open ends for the first and the current key. */
export interface KeyPeriod {
  keyId: string;
  publicKey: KeyObject;
  from?: bigint;
  until?: bigint;
}

/** The published form of the keys (GET /audit/ledger-key, an export's header): what an auditor starts from. */
export interface LedgerKeyDocument {
  algorithm: 'Ed25519';
  /** The key signing now. */
  keyId: string;
  publicKey: string;
  /** Every key, oldest first, with the positions between which it signs. */
  keys: { keyId: string; publicKey: string; from: string | null; until: string | null }[];
}

const LINK_DOMAIN = 'ledger-link/1 ';
const ROTATION_DOMAIN = 'ledger-key-rotation/1 ';

export const publicKeyPem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

/** A short, stable name for a public key: the first 16 hex digits of the SHA-256 of its SPKI encoding. */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Signs links with `privateKey` (its id worked out once). */
export function linkSigner(privateKey: KeyObject): (hash: string) => LinkSignature {
  const signedBy = keyIdOf(createPublicKey(privateKey));
  return (hash) => ({ signedBy, signature: sign(null, Buffer.from(LINK_DOMAIN + hash), privateKey).toString('base64') });
}

/** What the two keys of a rotation sign: which key hands over to which, and when. */
function rotationMessage(r: Pick<LedgerKeyRotation, 'previousKeyId' | 'keyId' | 'publicKey' | 'at'>): Buffer {
  return Buffer.from(ROTATION_DOMAIN + JSON.stringify([r.previousKeyId, r.keyId, r.publicKey, r.at]));
}

/** A rotation from `previous` to `next`, signed by both. */
export function rotationFrom(previous: KeyObject, next: KeyObject, at: Date): LedgerKeyRotation {
  const unsigned = {
    previousPublicKey: publicKeyPem(createPublicKey(previous)),
    previousKeyId: keyIdOf(createPublicKey(previous)),
    publicKey: publicKeyPem(createPublicKey(next)),
    keyId: keyIdOf(createPublicKey(next)),
    at: at.toISOString(),
  };
  const message = rotationMessage(unsigned);
  return { ...unsigned, signatureByPrevious: sign(null, message, previous).toString('base64'), signatureByNew: sign(null, message, next).toString('base64') };
}

/** Signatures already checked, so the several consumers of one event (ledger, read models, detector) verify it once. */
const VERIFIED_KEPT = 50_000;

const rememberedAs = (hash: string, { signedBy, signature }: LinkSignature) => `${signedBy}:${hash}:${signature}`;

/**
 * The ledger's public keys over the history, and the check of a link against them. Starts from the
 * first key; each rotation, in `$all` order, must be signed by the key in office and the key it brings in.
 */
export class LedgerKeys {
  readonly periods: KeyPeriod[];
  private verified = new Set<string>();

  constructor(first: KeyObject) {
    this.periods = [{ keyId: keyIdOf(first), publicKey: first }];
  }

  /** Starts from a published key document's first key. */
  static fromDocument(doc: LedgerKeyDocument): LedgerKeys {
    return new LedgerKeys(createPublicKey(doc.keys[0].publicKey));
  }

  get current(): KeyPeriod {
    return this.periods[this.periods.length - 1];
  }

  /** A LedgerKeyRotated at `position`: taken, or the reason it is not (then the key in office stays). */
  rotate(data: unknown, position: bigint): string | undefined {
    const r = data as Partial<LedgerKeyRotation>;
    const current = this.current;
    if (typeof r.publicKey !== 'string' || typeof r.at !== 'string' || typeof r.signatureByPrevious !== 'string' || typeof r.signatureByNew !== 'string') {
      return 'the rotation lacks its keys or signatures';
    }
    let next: KeyObject;
    try {
      next = createPublicKey(r.publicKey);
    } catch {
      return 'the rotation’s new key is not a public key';
    }
    const message = rotationMessage({ previousKeyId: current.keyId, keyId: keyIdOf(next), publicKey: r.publicKey, at: r.at });
    if (r.previousKeyId !== current.keyId || !verify(null, message, current.publicKey, Buffer.from(r.signatureByPrevious, 'base64'))) {
      return `the rotation is not signed by the key in office (${current.keyId})`;
    }
    if (!verify(null, message, next, Buffer.from(r.signatureByNew, 'base64'))) return 'the rotation is not signed by the key it brings in';
    current.until = position;
    this.periods.push({ keyId: keyIdOf(next), publicKey: next, from: position });
    return undefined;
  }

  /** The problem with a stored event's link (its chain hash recomputed, then its signature), or undefined. */
  checkEvent(e: { stream: string; revision: bigint; type: string; data: unknown; metadata?: unknown }, position: bigint | undefined): LinkProblem | undefined {
    const meta = e.metadata;
    if (!isLedgerMetadata(meta) || typeof meta.hash !== 'string' || typeof meta.prevHash !== 'string') return { reason: 'UNSIGNED', message: `${e.type} carries no hash-chain link` };
    if (chainHash(meta.prevHash, e.stream, e.revision, e.type, e.data, meta) !== meta.hash) {
      return { reason: 'BAD_SIGNATURE', message: `${e.type} does not match its own link: its content is not what was signed` };
    }
    return this.checkSignature(meta.hash, meta, position);
  }

  /** The problem with a signature of `hash` (a link, or a checkpoint's), or undefined. */
  checkSignature(hash: string, meta: unknown, position: bigint | undefined): LinkProblem | undefined {
    const { signedBy, signature } = (meta ?? {}) as Partial<LinkSignature>;
    if (typeof signedBy !== 'string' || typeof signature !== 'string') return { reason: 'UNSIGNED', message: 'not signed by the ledger’s key' };
    const period = this.periods.find((p) => p.keyId === signedBy);
    if (!period) return { reason: 'BAD_SIGNATURE', message: `signed by ${signedBy}, which is not one of the ledger’s keys` };
    if (position !== undefined && ((period.from !== undefined && position <= period.from) || (period.until !== undefined && position >= period.until))) {
      return { reason: 'BAD_SIGNATURE', message: `signed by ${signedBy} outside its time in office (${period.from ?? 'start'} to ${period.until ?? 'now'})` };
    }
    const remembered = rememberedAs(hash, { signedBy, signature });
    if (this.verified.has(remembered)) return undefined;
    if (!verify(null, Buffer.from(LINK_DOMAIN + hash), period.publicKey, Buffer.from(signature, 'base64'))) {
      return { reason: 'BAD_SIGNATURE', message: `the signature does not verify under ${signedBy}` };
    }
    this.remember(remembered);
    return undefined;
  }

  /**
   * A link this process signed itself, with a key it holds: valid by construction, so when its event
   * comes back from the store only its content is checked against the link, not the signature again
   * (about 100 µs of CPU an event). Only this exact key, hash and signature are taken as checked.
   */
  signedHere(hash: string, signature: LinkSignature): void {
    this.remember(rememberedAs(hash, signature));
  }

  private remember(entry: string): void {
    if (this.verified.size >= VERIFIED_KEPT) this.verified = new Set();
    this.verified.add(entry);
  }

  document(): LedgerKeyDocument {
    const pem = (p: KeyPeriod) => publicKeyPem(p.publicKey);
    return {
      algorithm: 'Ed25519',
      keyId: this.current.keyId,
      publicKey: pem(this.current),
      keys: this.periods.map((p) => ({ keyId: p.keyId, publicKey: pem(p), from: p.from?.toString() ?? null, until: p.until?.toString() ?? null })),
    };
  }
}
