/**
 * The ledger as its own process, on the embedded defaults and a throwaway data directory. The ledger
 * issues its development admin key at its first start into ADMIN_KEY_FILE in that directory; calls go
 * as the admin unless given another principal's key.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Role } from '../../src/domain/access/access-registry';
import { withCredentials } from '../../src/eventstore/connection-string';

/** The ledger's embedded store as its admin: TLS with the CA and the password the store wrote at first start. */
function storeConnectionString(dataDir: string, port: number): string {
  const storeDir = path.join(dataDir, 'eventstore');
  const password = readFileSync(path.join(storeDir, 'admin.password'), 'utf8').trim();
  return withCredentials(`esdb://127.0.0.1:${port}?tls=true&tlsCAFile=${encodeURIComponent(path.join(storeDir, 'certs', 'ca', 'ca.crt'))}`, 'admin', password);
}

export interface LedgerProcessOptions {
  /** The HTTP port (default: a random one in 38000..38999); the embedded event store listens 1000 above it. */
  port?: number;
  /** More environment for the ledger, over this process's (e.g. COMMAND_RATE_LIMIT). */
  env?: Record<string, string>;
}

export interface LedgerProcess {
  url: string;
  pid: number;
  /** Its event store's connection string: the embedded one's, or the one it was given. */
  eventStore: string;
  /** The development admin's API key, as the ledger wrote it to ADMIN_KEY_FILE. */
  adminKey: string;
  /** Its data directory (its ledger key is `ledger-key.pem` there). */
  dataDir: string;
  /** Registers a principal (as the admin) and answers its API key. */
  principal(id: string, role: Role, feeds?: string[]): Promise<string>;
  /** POSTs as the holder of `apiKey` (the admin unless told) and answers the body; throws unless 2xx. */
  post<T = unknown>(route: string, body: unknown, apiKey?: string): Promise<T>;
  stop(): Promise<void>;
}

/** `options` may be just the port, as before. */
export async function startLedgerProcess(options: LedgerProcessOptions | number = {}): Promise<LedgerProcess> {
  const { port = 38000 + Math.floor(Math.random() * 1000), env = {} } = typeof options === 'number' ? { port: options } : options;
  const eventStorePort = port + 1000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-ledger-'));
  const adminKeyFile = path.join(dataDir, 'admin.key');
  const child: ChildProcess = spawn(process.execPath, [...(process.env.LEDGER_NODE_OPTIONS ? process.env.LEDGER_NODE_OPTIONS.split(' ') : []), path.join(__dirname, '../../src/main.js')], {
    env: { ...process.env, ...env, DATA_DIR: dataDir, PORT: String(port), EVENTSTORE_PORT: String(eventStorePort), LOG_LEVEL: 'warn', ADMIN_KEY_FILE: adminKeyFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ledger listening') && resolve());
      child.once('exit', (code) => reject(new Error(`ledger exited with ${code}`)));
    });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  // Written at bootstrap, before the ledger listens; not by a ledger on a store that has its admin already.
  const adminKey = existsSync(adminKeyFile) ? readFileSync(adminKeyFile, 'utf8').trim() : '';
  const url = `http://127.0.0.1:${port}`;
  const post = async <T>(route: string, body: unknown, apiKey = adminKey): Promise<T> => {
    const res = await fetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    url,
    pid: child.pid!,
    eventStore:
      env.EVENTSTORE_CONNECTION_STRING ?? (env.EVENTSTORE_INSECURE === 'true' ? `esdb://127.0.0.1:${eventStorePort}?tls=false` : storeConnectionString(dataDir, eventStorePort)),
    adminKey,
    dataDir,
    async principal(id, role, feeds = []) {
      const { apiKey } = await post<{ apiKey: string }>('/principals', { commandId: `principal-${id}`, principalId: id, role, ...(feeds.length ? { feeds } : {}) });
      return apiKey;
    },
    post,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // A ledger whose embedded store another process used can hang in its graceful shutdown: a second signal ends it.
      const timer = setTimeout(() => {
        console.error(`ledger ${child.pid} still running 15 s after SIGTERM; sending it again`);
        child.kill('SIGTERM');
      }, 15_000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
