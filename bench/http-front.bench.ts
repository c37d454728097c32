/**
 * Issue 19 item 3: what the HTTP front costs per command, and what Fastify would save. The draw-debt
 * route with its real body class, answering at once (no command behind it), is served by each front
 * in its own process (support/http-front-server.ts) and loaded by 32 clients; each row gives the
 * server's CPU per request from /proc beside its rate. Interleaved rounds, so each front sees the same
 * machine; the median round is reported.
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Benchmark, BenchRow, fmt } from './bench';
import { cpuSeconds } from './support/proc';

const FRONTS = ['express+log+metric', 'express', 'express+log', 'express+metric', 'fastify', 'fastify+log+metric', 'fastify-schema', 'fastify-schema+log+metric'] as const;
const WHAT: Record<(typeof FRONTS)[number], string> = {
  'express+log+metric': 'Express + class-validator + request log + metric (the ledger before 2026-12-06)',
  express: 'Express + class-validator',
  'express+log': 'Express + class-validator + request log',
  'express+metric': 'Express + class-validator + metric',
  fastify: 'Fastify + class-validator',
  'fastify+log+metric': 'Fastify + class-validator + request log + metric (the ledger since)',
  'fastify-schema': 'Fastify + JSON schema (Ajv)',
  'fastify-schema+log+metric': 'Fastify + JSON schema + request log + metric',
};
const ROUNDS = 3;
const SECONDS = 5;

async function startFront(front: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'support/http-front-server.js')], { env: { ...process.env, HTTP_FRONT: front }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${front} exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

interface Round {
  rate: number;
  cpuMicros: number;
  p99: number;
  non2xx: number;
}

async function load(front: string): Promise<Round> {
  const { child, url } = await startFront(front);
  try {
    let sequence = 0;
    const run = (duration: number) =>
      autocannon({
        url,
        connections: 32,
        duration,
        requests: [
          {
            method: 'POST',
            path: '/positions/p1/debt/draw',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request: any) => ({ ...request, body: JSON.stringify({ commandId: `draw-${++sequence}`, amount: '0.01' }) }),
          },
        ],
      } as autocannon.Options);
    await run(1); // warm: the JIT, and Ajv's compiled schema
    const before = cpuSeconds(child.pid!);
    const result = await run(SECONDS);
    const cpu = cpuSeconds(child.pid!) - before;
    return { rate: result.requests.average, cpuMicros: (cpu * 1e6) / result.requests.total, p99: result.latency.p99, non2xx: result.non2xx };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const httpFrontBenchmark: Benchmark = {
  name: 'http-front',
  title: 'the HTTP front alone (draw-debt route, real body class, no command behind it), 32 clients: Express vs Fastify, class-validator vs JSON schema, with and without request log and metric (issue 19)',
  async run(): Promise<BenchRow[]> {
    const rounds = new Map<string, Round[]>(FRONTS.map((f) => [f, []]));
    for (let round = 0; round < ROUNDS; round++) for (const front of FRONTS) rounds.get(front)!.push(await load(front));
    const baseline = median(rounds.get('express+log+metric')!.map((r) => r.cpuMicros));
    return FRONTS.map((front) => {
      const runs = rounds.get(front)!;
      const cpu = median(runs.map((r) => r.cpuMicros));
      return {
        front: WHAT[front],
        'requests/s': fmt(median(runs.map((r) => r.rate)), 0),
        'CPU µs/request': fmt(cpu, 0),
        'vs Express': `${fmt(cpu / baseline, 2)}×`,
        'p99 ms': median(runs.map((r) => r.p99)),
        'non-2xx': runs.reduce((n, r) => n + r.non2xx, 0),
      };
    });
  },
};
