/** The embedded event store as its own process (as `npm run eventstore` runs it), on a throwaway data directory. */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface EventStoreProcess {
  connectionString: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startEventStoreProcess(): Promise<EventStoreProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-es-'));
  const port = 21130 + Math.floor(Math.random() * 500);
  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, '../../src/eventstore/embedded/main.js')], {
    env: { ...process.env, EVENTSTORE_DATA_DIR: dataDir, EVENTSTORE_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('event store ready') && resolve());
    child.once('exit', (code) => reject(new Error(`embedded event store exited with ${code}`)));
  });
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
