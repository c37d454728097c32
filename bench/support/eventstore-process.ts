/** The embedded event store as its own process (as `npm run eventstore` runs it), on a throwaway data directory. */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { withCredentials } from '../../src/eventstore/connection-string';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface EventStoreProcess {
  connectionString: string;
  pid: number;
  stop(): Promise<void>;
}

/** Secure (TLS, the admin's credentials on every call) unless `insecure`. */
export async function startEventStoreProcess(insecure = false): Promise<EventStoreProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-es-'));
  const port = 21130 + Math.floor(Math.random() * 500);
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, '../../src/eventstore/embedded/main.js')], {
    env: { ...process.env, EVENTSTORE_DATA_DIR: dataDir, EVENTSTORE_PORT: String(port), EVENTSTORE_INSECURE: String(insecure) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<{ connectionString: string; adminPasswordFile?: string }>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const line = chunk.toString().split('\n').find((l) => l.includes('event store ready'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`embedded event store exited with ${code}`)));
  });
  const password = ready.adminPasswordFile && readFileSync(ready.adminPasswordFile, 'utf8').trim();
  return {
    connectionString: password ? withCredentials(ready.connectionString, 'admin', password) : ready.connectionString,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
