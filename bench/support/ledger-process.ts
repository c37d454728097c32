/** The ledger as its own process, on the embedded defaults and a throwaway data directory. */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface LedgerProcess {
  url: string;
  pid: number;
  /** The embedded event store's connection string. */
  eventStore: string;
  post<T = unknown>(route: string, body: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startLedgerProcess(port = 38000 + Math.floor(Math.random() * 1000)): Promise<LedgerProcess> {
  const eventStorePort = port + 1000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-ledger-'));
  const child: ChildProcess = spawn(process.execPath, [...(process.env.LEDGER_NODE_OPTIONS ? process.env.LEDGER_NODE_OPTIONS.split(' ') : []), path.join(__dirname, '../../src/main.js')], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), EVENTSTORE_PORT: String(eventStorePort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ledger listening') && resolve());
    child.once('exit', (code) => reject(new Error(`ledger exited with ${code}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: child.pid!,
    eventStore: `esdb://127.0.0.1:${eventStorePort}?tls=false`,
    async post<T>(route: string, body: unknown): Promise<T> {
      const res = await fetch(url + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${route}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
