/**
 * Every setting the ledger reads from its environment, in one place; the README lists the same.
 * Unset event store and database settings mean the embedded defaults.
 */
import * as path from 'node:path';
import bytes from 'bytes';

export interface LedgerConfig {
  /** HTTP port of the API. */
  port: number;
  host: string;
  /** A real EventStoreDB/KurrentDB; unset starts the embedded server. */
  eventStoreConnectionString?: string;
  /** Data directory and gRPC port of the embedded event store. */
  eventStoreDataDir: string;
  eventStorePort: number;
  /** The embedded store without TLS, users or ACLs (EVENTSTORE_INSECURE=true): only with that explicit setting. */
  eventStoreInsecure: boolean;
  /** The embedded store runs on a worker thread of its own (EVENTSTORE_THREAD, default on), beside the ledger's main thread. */
  eventStoreOwnThread: boolean;
  /**
   * The ledger's Ed25519 key signing every event's link (PKCS#8 PEM, mode 0600), generated here at
   * first start; kept outside the event store, so that a writer to the store cannot sign. The public
   * key history is kept beside it (`<file>.keys.json`).
   */
  ledgerKeyFile: string;
  /** A real PostgreSQL server; unset opens embedded PGlite. */
  databaseUrl?: string;
  pgliteDataDir: string;
  logLevel: string;
  /** Logs go to this file instead of standard output. */
  logFile?: string;
  /** Largest JSON request body the API accepts, in bytes (`BODY_LIMIT`: `64kb`, `1mb`, or a number of bytes). */
  bodyLimitBytes: number;
  /** An audit checkpoint of the `$all` prefix every this many ledger events... */
  auditCheckpointEvery: number;
  /** ...or after this long with events waiting. */
  auditCheckpointIdleMs: number;
  /**
   * Whether the ledger triggers liquidations itself as prices, interest and parameters move. Off, only
   * liquidators' proofs trigger them (the privacy-first deployment the zk module serves).
   */
  liquidationDetection: boolean;
  /**
   * Whether the ledger proves each liquidation it detects (on worker threads, after the trigger), so
   * that every liquidation can be checked from the public streams alone. Off only to spare the CPU
   * where nobody verifies (a benchmark of something else).
   */
  ledgerProofs: boolean;
  /** Worker threads proving the ledger's detections (default: cores − 1, at least 1). */
  proverThreads?: number;
  /** Server-sent events: a comment line this often keeps idle connections (and their proxies) open... */
  sseHeartbeatMs: number;
  /** ...and a client whose unsent data passes this many bytes is dropped (it can resume). */
  sseMaxBufferBytes: number;
  /** A public stream's live events within this many milliseconds go out to its clients together, one write each (0: each turn of the event loop). */
  sseFlushMs: number;
  /** Development mode: a ledger without an admin key issues one at start and prints it once... */
  devAdminKey: boolean;
  /** ...or writes it to this file (mode 0600) instead of printing it. */
  adminKeyFile?: string;
  /** Commands each principal may send per second, and liquidation proofs per minute (each costs a verification). */
  commandRateLimit: number;
  proofRateLimit: number;
  /** Proofs waiting for a verifier beyond this many are refused (503 VERIFIER_BUSY)... */
  verifyQueueLimit: number;
  /** ...and so is one that waits longer than this for a verifier, or whose verification runs longer. */
  verifyTimeoutMs: number;
  /** A request not received in full (headers and body) within this long is cut off with 408. */
  requestTimeoutMs: number;
}

/** The parent of everything the ledger and its CLI write: DATA_DIR, default ./data. */
export function dataDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATA_DIR ?? path.resolve('data');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  refuseSettingsNowEvents(env);
  const dataDir = dataDirOf(env);
  return {
    port: intFrom(env.PORT, 3000, 'PORT'),
    host: env.HOST ?? '127.0.0.1',
    eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING || undefined,
    eventStoreDataDir: env.EVENTSTORE_DATA_DIR ?? path.join(dataDir, 'eventstore'),
    eventStorePort: intFrom(env.EVENTSTORE_PORT, 2113, 'EVENTSTORE_PORT'),
    eventStoreInsecure: env.EVENTSTORE_INSECURE === 'true',
    eventStoreOwnThread: switchFrom(env.EVENTSTORE_THREAD, true, 'EVENTSTORE_THREAD'),
    ledgerKeyFile: env.LEDGER_KEY_FILE || path.join(dataDir, 'ledger-key.pem'),
    databaseUrl: env.DATABASE_URL || undefined,
    pgliteDataDir: env.PGLITE_DATA_DIR ?? path.join(dataDir, 'pglite'),
    logLevel: env.LOG_LEVEL ?? 'info',
    logFile: env.LOG_FILE || undefined,
    bodyLimitBytes: bytesFrom(env.BODY_LIMIT, '64kb', 'BODY_LIMIT'),
    auditCheckpointEvery: positiveIntFrom(env.AUDIT_CHECKPOINT_EVERY, 1000, 'AUDIT_CHECKPOINT_EVERY'),
    auditCheckpointIdleMs: positiveIntFrom(env.AUDIT_CHECKPOINT_IDLE_MS, 10_000, 'AUDIT_CHECKPOINT_IDLE_MS'),
    liquidationDetection: switchFrom(env.LIQUIDATION_DETECTION, true, 'LIQUIDATION_DETECTION'),
    ledgerProofs: switchFrom(env.LEDGER_PROOFS, true, 'LEDGER_PROOFS'),
    proverThreads: env.PROVER_THREADS === undefined ? undefined : positiveIntFrom(env.PROVER_THREADS, 1, 'PROVER_THREADS'),
    sseHeartbeatMs: positiveIntFrom(env.SSE_HEARTBEAT_MS, 15_000, 'SSE_HEARTBEAT_MS'),
    sseMaxBufferBytes: positiveIntFrom(env.SSE_MAX_BUFFER_BYTES, 1 << 20, 'SSE_MAX_BUFFER_BYTES'),
    sseFlushMs: positiveIntFrom(env.SSE_FLUSH_MS, 20, 'SSE_FLUSH_MS', 0),
    devAdminKey: switchFrom(env.DEV_ADMIN_KEY, true, 'DEV_ADMIN_KEY'),
    adminKeyFile: env.ADMIN_KEY_FILE || undefined,
    commandRateLimit: positiveIntFrom(env.COMMAND_RATE_LIMIT, 100, 'COMMAND_RATE_LIMIT'),
    proofRateLimit: positiveIntFrom(env.PROOF_RATE_LIMIT, 30, 'PROOF_RATE_LIMIT'),
    verifyQueueLimit: positiveIntFrom(env.VERIFY_QUEUE_LIMIT, 64, 'VERIFY_QUEUE_LIMIT', 0),
    verifyTimeoutMs: positiveIntFrom(env.VERIFY_TIMEOUT_MS, 5000, 'VERIFY_TIMEOUT_MS'),
    requestTimeoutMs: positiveIntFrom(env.REQUEST_TIMEOUT_MS, 30_000, 'REQUEST_TIMEOUT_MS'),
  };
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${value}"`);
  return n;
}

function positiveIntFrom(value: string | undefined, fallback: number, name: string, least = 1): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < least) throw new Error(`${name} must be a whole number of at least ${least}, got "${value}"`);
  return n;
}

function bytesFrom(value: string | undefined, fallback: string, name: string): number {
  const n = bytes.parse(value === undefined || value === '' ? fallback : value);
  if (n === null || !Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a size such as 64kb or 1mb, got "${value}"`);
  return n;
}

function switchFrom(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`${name} must be "on" or "off", got "${value}"`);
}

/**
 * Settings that moved into the ledger's history: a start that still names one stops, rather than run
 * without what its operator asked for.
 */
const SETTINGS_NOW_EVENTS: Record<string, string> = {
  LIQUIDATION_GLOBAL_DEBT_CAP: 'the global liquidation cap is set by an admin with PUT /liquidations/global-cap, and recorded as an event the audit checks',
};

function refuseSettingsNowEvents(env: NodeJS.ProcessEnv): void {
  for (const [name, instead] of Object.entries(SETTINGS_NOW_EVENTS)) {
    if (env[name] !== undefined && env[name] !== '') throw new Error(`${name} is no longer read: ${instead}`);
  }
}

export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
