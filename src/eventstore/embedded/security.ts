/**
 * The embedded store's secure mode, as EventStoreDB defines its own:
 *
 * - TLS. A CA and a node certificate for localhost/127.0.0.1 are generated at first start into the data
 *   directory (`certs/ca/ca.crt`, `certs/node/node.crt` and their keys, as EventStoreDB's dev
 *   certificates are laid out), or supplied as files.
 * - Users with passwords, sent as gRPC basic-auth metadata. A user is the last `$User` event of its
 *   `$user-<login>` stream (a salted scrypt hash, never the password). At first start an `admin` in
 *   `$admins` is created with a random password, written to `admin.password` (mode 0600) in the data
 *   directory.
 * - Stream ACLs: a stream's `$acl` metadata (`$r`, `$w`, `$d`, `$mr`, `$mw`), else the defaults in
 *   `$settings` (`$userStreamAcl`, `$systemStreamAcl`), written at first start as `$admins` only.
 *   Members of `$admins` may do anything; a caller without credentials may do nothing; reading `$all`
 *   follows the `$$$all` metadata.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded
import * as x509 from '@peculiar/x509';
import { KeyObject, randomBytes, scryptSync, timingSafeEqual, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { EventStoreEngine } from './store';
import { jsonStoredEvent } from './log-record';

x509.cryptoProvider.set(webcrypto as never);

export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial extends TlsFiles {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** TLS files named by EVENTSTORE_CERT_FILE, EVENTSTORE_KEY_FILE and EVENTSTORE_CA_FILE (all three), if set. */
export function tlsFilesFromEnv(env: NodeJS.ProcessEnv = process.env): TlsFiles | undefined {
  const { EVENTSTORE_CERT_FILE: certFile, EVENTSTORE_KEY_FILE: keyFile, EVENTSTORE_CA_FILE: caFile } = env;
  if (!certFile && !keyFile && !caFile) return undefined;
  if (!certFile || !keyFile || !caFile) throw new Error('EVENTSTORE_CERT_FILE, EVENTSTORE_KEY_FILE and EVENTSTORE_CA_FILE go together');
  return { certFile, keyFile, caFile };
}

/** The store's TLS files: those supplied, or else the ones in the data directory, generated at first start. */
export async function tlsMaterial(dataDir: string, supplied?: TlsFiles): Promise<TlsMaterial> {
  const files = supplied ?? {
    caFile: path.join(dataDir, 'certs', 'ca', 'ca.crt'),
    certFile: path.join(dataDir, 'certs', 'node', 'node.crt'),
    keyFile: path.join(dataDir, 'certs', 'node', 'node.key'),
  };
  if (!supplied && !(await exists(files.certFile))) await generateDevCertificates(files);
  const [ca, cert, key] = await Promise.all([readFile(files.caFile), readFile(files.certFile), readFile(files.keyFile)]);
  return { ...files, ca, cert, key };
}

async function generateDevCertificates(files: TlsFiles): Promise<void> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const nodeKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=EventStoreDB CA (embedded)',
    keys: caKeys as never,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey as never),
    ],
  });
  const node = await x509.X509CertificateGenerator.create({
    subject: 'CN=eventstoredb-node',
    issuer: ca.subject,
    publicKey: nodeKeys.publicKey as never,
    signingKey: caKeys.privateKey as never,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ]),
    ],
  });
  const pem = (key: webcrypto.CryptoKey) => KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
  await mkdir(path.dirname(files.caFile), { recursive: true });
  await mkdir(path.dirname(files.certFile), { recursive: true });
  await writeFile(path.join(path.dirname(files.caFile), 'ca.key'), pem((caKeys as webcrypto.CryptoKeyPair).privateKey), { mode: 0o600 });
  await writeFile(files.caFile, ca.toString('pem'));
  await writeFile(files.keyFile, pem((nodeKeys as webcrypto.CryptoKeyPair).privateKey), { mode: 0o600 });
  await writeFile(files.certFile, node.toString('pem'));
}

// ---- users ----

export const ADMINS = '$admins';
/** The group of read-only integrator users, which public streams' ACLs name. */
export const INTEGRATORS = 'integrators';
export const USER_EVENT = '$User';
export const SETTINGS_STREAM = '$settings';

export const userStream = (login: string) => `$user-${login}`;

export interface UserRecord {
  loginName: string;
  groups: string[];
  salt: string;
  hash: string;
  disabled: boolean;
}

/** A user's stored record: a salted scrypt hash of the password, never the password. */
export function userRecord(loginName: string, password: string, groups: string[]): UserRecord {
  const salt = randomBytes(16).toString('hex');
  return { loginName, groups, salt, hash: scryptSync(password, salt, 32).toString('hex'), disabled: false };
}

export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** The default ACLs written to `$settings` at first start: nothing for anyone but `$admins`. */
export const DEFAULT_SETTINGS = {
  $userStreamAcl: { $r: ADMINS, $w: ADMINS, $d: ADMINS, $mr: ADMINS, $mw: ADMINS },
  $systemStreamAcl: { $r: ADMINS, $w: ADMINS, $d: ADMINS, $mr: ADMINS, $mw: ADMINS },
};

/**
 * At first start: the `$settings` default ACLs and an `admin` user with a random password, written to
 * `admin.password` (mode 0600). Answers the admin's password, or undefined when its file is gone (an
 * operator took it away: the admin's connection string then carries no credentials).
 */
export async function prepareUsers(engine: EventStoreEngine, dataDir: string): Promise<string | undefined> {
  if (!engine.streamState(SETTINGS_STREAM).exists) await engine.append(SETTINGS_STREAM, { kind: 'no_stream' }, [jsonStoredEvent('$settings', DEFAULT_SETTINGS)]);
  return ensureUser(engine, dataDir, 'admin', [ADMINS]);
}

/**
 * A user created on first call with a random password kept in `<login>.password` in the data directory
 * (mode 0600); answers that password, or undefined when the user exists and its file is gone.
 */
export async function ensureUser(engine: EventStoreEngine, dataDir: string, login: string, groups: string[]): Promise<string | undefined> {
  const file = path.join(dataDir, `${login}.password`);
  if (!engine.streamState(userStream(login)).exists) {
    const password = newPassword();
    await writeFile(file, password + '\n', { mode: 0o600 });
    await engine.append(userStream(login), { kind: 'no_stream' }, [jsonStoredEvent(USER_EVENT, userRecord(login, password, groups))]);
  }
  return readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
}

// ---- authentication and authorization ----

export type Operation = '$r' | '$w' | '$d';

export interface Principal {
  login: string;
  groups: string[];
}

export class BadCredentials extends Error {}
export class AccessDenied extends Error {}

export class Authorizer {
  /** Checked `authorization` headers, each valid while its user's stream is unchanged. */
  private readonly verified = new Map<string, { principal: Principal; revision: bigint }>();

  constructor(private readonly engine: EventStoreEngine) {}

  /** The caller named by basic-auth metadata; undefined without credentials; BadCredentials when wrong. */
  authenticate(authorization: string | undefined): Principal | undefined {
    if (!authorization) return undefined;
    const [scheme, encoded] = authorization.split(' ');
    if (scheme?.toLowerCase() !== 'basic' || !encoded) throw new BadCredentials('only basic authentication is supported');
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const login = decoded.slice(0, colon);
    const state = this.engine.streamState(userStream(login));
    const known = this.verified.get(authorization);
    if (known && known.revision === state.lastRevision) return known.principal;
    const user = this.lastJson<UserRecord>(userStream(login));
    if (colon < 0 || !user || user.disabled || !matches(decoded.slice(colon + 1), user)) throw new BadCredentials('bad credentials');
    const principal = { login, groups: user.groups ?? [] };
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(authorization, { principal, revision: state.lastRevision });
    return principal;
  }

  /** Throws AccessDenied unless the caller may do `op` on the stream (`$all` for reading all of it). */
  authorize(principal: Principal | undefined, op: Operation, stream: string): void {
    if (!principal) throw new AccessDenied('access denied: no credentials');
    if (principal.groups.includes(ADMINS)) return;
    const metadataOf = stream.startsWith('$$') && stream !== '$$$all' ? stream.slice(2) : undefined;
    const target = metadataOf ?? stream;
    const entry = (metadataOf ? { $r: '$mr', $w: '$mw', $d: '$mw' } : { $r: '$r', $w: '$w', $d: '$d' })[op] as keyof Acl;
    const own = this.lastJson<{ $acl?: Acl }>(`$$${target}`)?.$acl?.[entry];
    const settings = this.lastJson<{ $userStreamAcl?: Acl; $systemStreamAcl?: Acl }>(SETTINGS_STREAM);
    const defaults = target.startsWith('$') ? settings?.$systemStreamAcl : settings?.$userStreamAcl;
    const roles = [own ?? defaults?.[entry] ?? ADMINS].flat();
    if (!roles.some((role) => role === '$all' || role === principal.login || principal.groups.includes(role))) {
      throw new AccessDenied(`access denied: ${principal.login} may not ${entry} ${stream}`);
    }
  }

  private lastJson<T>(stream: string): T | undefined {
    const [last] = this.engine.readStream(stream, 'end', 'backwards', 1);
    if (!last?.isJson) return undefined;
    try {
      return JSON.parse(last.data.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}

type Acl = Partial<Record<'$r' | '$w' | '$d' | '$mr' | '$mw', string | string[]>>;

function matches(password: string, user: UserRecord): boolean {
  const expected = Buffer.from(user.hash, 'hex');
  const actual = scryptSync(password, user.salt, expected.length || 32);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}
