/**
 * Durability under SIGKILL: a child appends continuously and is killed at random moments; after each
 * restart on the same data directory every event it had acknowledged is read back intact and in order.
 * In secure mode (the default: TLS, users, ACLs, the first start's certificates and admin written
 * into the data directory) and in insecure mode.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventStoreEngine } from '../../src/eventstore/embedded/store';

const ROUNDS = 4;

async function runAndKill(dataDir: string, stream: string, from: number, mode: Mode): Promise<number[]> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '../support/ts-register.js'), path.join(__dirname, 'crash-child.ts'), dataDir, stream, String(from), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // Kill at a random moment once appends are flowing.
  await new Promise<void>((resolve, reject) => {
    child.once('exit', () => reject(new Error('the child exited before it was killed')));
    const started = setInterval(() => {
      if (out.includes('\n')) {
        clearInterval(started);
        setTimeout(resolve, 100 + Math.floor(Math.random() * 600));
      }
    }, 20);
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  // Only whole lines were acknowledged; a cut-off last line was not.
  return out
    .split('\n')
    .slice(0, -1)
    .map(Number);
}

async function storedNumbers(dataDir: string, stream: string): Promise<Map<number, number[]>> {
  const engine = await EventStoreEngine.open(dataDir);
  const byStream = new Map<number, number[]>();
  for (let s = 0; s < 4; s++) {
    const events = engine.readStream(`${stream}-${s}`, 'start', 'forwards', Number.MAX_SAFE_INTEGER);
    byStream.set(s, events.map((e) => JSON.parse(e.data.toString()).n as number));
  }
  await engine.close();
  return byStream;
}

type Mode = 'secure' | 'insecure';

it.each<Mode>(['secure', 'insecure'])(`keeps every acknowledged event through ${ROUNDS} SIGKILLs mid-append, %s`, async (mode) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'es-crash-'));
  const stream = 'crash';
  let from = 0;
  let acknowledgedTotal = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const acknowledged = await runAndKill(dataDir, stream, from, mode);
      acknowledgedTotal += acknowledged.length;
      const stored = await storedNumbers(dataDir, stream);
      const storedAll = new Set([...stored.values()].flat());
      const lost = acknowledged.filter((n) => !storedAll.has(n));
      expect(lost).toEqual([]);
      // Each stream holds its events in the order they were appended, with nothing torn or repeated.
      for (const numbers of stored.values()) {
        expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
        expect(new Set(numbers).size).toBe(numbers.length);
      }
      from = Math.max(from, ...storedAll, ...acknowledged) + 1;
    }
    expect(acknowledgedTotal).toBeGreaterThan(0);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 120_000);
