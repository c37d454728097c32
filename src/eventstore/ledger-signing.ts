/**
 * The live ledger's side of ledger-key.ts: its private key, in a file outside the event store (made at
 * first start, mode 0600), the history of its public keys (trusted from the file beside it, and from
 * the rotations in the store, each checked), the signing of what it appends, and rotation.
 *
 * A rotation waits for the appends under way to finish and holds new ones until it is recorded, so
 * every event signed by the old key comes before the rotation in `$all` and every one signed by the
 * new key after it: the order the checks hold each key to.
 */
import { EventStoreDBClient, jsonEvent, NO_STREAM, StreamNotFoundError } from '@eventstore/db-client';
import { Logger } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { keyIdOf, LEDGER_KEY_ROTATED, LEDGER_KEY_STREAM, LedgerKeyDocument, LedgerKeys, LinkSignature, rotationFrom, linkSigner } from './ledger-key';

export type SignLink = (hash: string) => LinkSignature;

export class LedgerSigning {
  private readonly logger = new Logger('ledger-key');
  private appending = 0;
  private drained?: () => void;
  private rotating?: Promise<void>;
  private sign: SignLink;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly file: string,
    private privateKey: KeyObject,
    readonly keys: LedgerKeys,
    /** The revision of `ledger-keys`, which the next rotation expects. */
    private revision: bigint,
  ) {
    this.sign = this.signerWith(privateKey);
  }

  /** Signs links with `privateKey`, and tells the key history each signature it made (see LedgerKeys.signedHere). */
  private signerWith(privateKey: KeyObject): SignLink {
    const sign = linkSigner(privateKey);
    return (hash) => {
      const signature = sign(hash);
      this.keys.signedHere(hash, signature);
      return signature;
    };
  }

  /** The key from `file` (made there if there is none), with the key history it and the store tell. */
  static async open(client: EventStoreDBClient, file: string): Promise<LedgerSigning> {
    const logger = new Logger('ledger-key');
    let privateKey = await readKey(file);
    if (!privateKey) {
      privateKey = generateKeyPairSync('ed25519').privateKey;
      await writeKey(file, privateKey);
      logger.log(`made the ledger's signing key ${keyIdOf(createPublicKey(privateKey))} in ${file}`);
    }
    // The first key comes from the ledger's own record, never from the store, which anyone with
    // write access could have started with a rotation of their own.
    const known = await readDocument(file);
    const keys = new LedgerKeys(createPublicKey(known?.keys[0].publicKey ?? privateKey));
    let revision = -1n;
    try {
      for await (const { event } of client.readStream(LEDGER_KEY_STREAM)) {
        if (!event) continue;
        revision = event.revision;
        const problem = event.type === LEDGER_KEY_ROTATED ? keys.rotate(event.data, event.position!.commit) : 'not a key rotation';
        if (problem) logger.error(`${LEDGER_KEY_STREAM}@${event.revision} is not taken: ${problem}`);
      }
    } catch (err) {
      if (!(err instanceof StreamNotFoundError)) throw err;
    }
    // A rotation stopped between recording itself and putting its key in place: finish it.
    const next = await readKey(`${file}.next`);
    if (next && keys.current.keyId === keyIdOf(createPublicKey(next))) {
      await rename(`${file}.next`, file);
      privateKey = next;
    } else if (next) {
      await rm(`${file}.next`);
    }
    const own = keyIdOf(createPublicKey(privateKey));
    if (own !== keys.current.keyId) {
      throw new Error(`the ledger's key in ${file} is ${own}, but the key in office by its key history is ${keys.current.keyId}: restore that key file`);
    }
    await writeDocument(file, keys.document());
    return new LedgerSigning(client, file, privateKey, keys, revision);
  }

  /**
   * Runs an append whose links `use` signs with the key in office. A rotation waits for the appends
   * under way, and holds new ones until it is recorded.
   */
  async signing<T>(use: (sign: SignLink) => Promise<T>): Promise<T> {
    while (this.rotating) await this.rotating;
    this.appending++;
    try {
      return await use(this.sign);
    } finally {
      if (--this.appending === 0) this.drained?.();
    }
  }

  /** Retires the key in office for a new one: LedgerKeyRotated, signed by both, in `ledger-keys`. */
  async rotate(now: Date): Promise<LedgerKeyDocument> {
    while (this.rotating) await this.rotating;
    let done!: () => void;
    this.rotating = new Promise<void>((resolve) => (done = resolve));
    try {
      if (this.appending) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      const next = generateKeyPairSync('ed25519').privateKey;
      await writeKey(`${this.file}.next`, next);
      const rotation = rotationFrom(this.privateKey, next, now);
      const result = await this.client.appendToStream(LEDGER_KEY_STREAM, jsonEvent({ type: LEDGER_KEY_ROTATED, data: { ...rotation } }), {
        expectedRevision: this.revision < 0n ? NO_STREAM : this.revision,
      });
      this.revision = result.nextExpectedRevision;
      const problem = this.keys.rotate(rotation, result.position!.commit);
      if (problem) throw new Error(problem);
      await rename(`${this.file}.next`, this.file);
      this.privateKey = next;
      this.sign = this.signerWith(next);
      await writeDocument(this.file, this.keys.document());
      this.logger.log(`rotated the ledger's signing key: ${rotation.previousKeyId} retired, ${rotation.keyId} in office`);
      return this.keys.document();
    } finally {
      this.rotating = undefined;
      done();
    }
  }
}

async function readKey(file: string): Promise<KeyObject | undefined> {
  try {
    return createPrivateKey(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeKey(file: string, key: KeyObject): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, key.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
}

const documentFile = (keyFile: string) => `${keyFile}.keys.json`;

async function readDocument(keyFile: string): Promise<LedgerKeyDocument | undefined> {
  try {
    return JSON.parse(await readFile(documentFile(keyFile), 'utf8')) as LedgerKeyDocument;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writeDocument(keyFile: string, doc: LedgerKeyDocument): Promise<void> {
  await writeFile(documentFile(keyFile), JSON.stringify(doc, null, 2) + '\n');
}
