/**
 * The issue's fan-out target: 1,000 concurrent SSE subscribers on one public stream while 1,000
 * events/s are appended to it. Target: p99 delivery under 100 ms; also the server's memory.
 *
 * The ledger runs as its own process (support/ledger-process.ts) on its embedded defaults, so its
 * memory is read apart from the subscribers', from /proc/<pid>/status. Events are appended straight to
 * `public-prices` in the ledger's embedded event store with `@eventstore/db-client` (signed oracle
 * reports over HTTP cannot reach 1,000/s here), each carrying its send time, so what is measured is
 * exactly the fan-out path: append → store → the stream's one shared subscription → SSE → client. Delivery
 * latency = arrival in this process − the time the append was sent (both on this process's clock), per
 * subscriber per event; it includes the append itself (reported apart as well).
 *
 * The same run measures a narrow peer (10 subscribers) first, on a fresh ledger, so the cost of the
 * fan-out width shows. BENCH_SSE_SUBSCRIBERS, BENCH_SSE_RATE (events/s), BENCH_SSE_SECONDS and
 * BENCH_SSE_DRAIN_SECONDS (longest wait for deliveries after the last append) override the defaults.
 * Linux only: it reads /proc.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import * as http from 'node:http';
import { Benchmark, BenchRow, fmt, percentile } from './bench';
import { startLedgerProcess } from './support/ledger-process';
import { cpuSeconds, rssMiB } from './support/proc';

const STREAM = 'public-prices';
const PEER_SUBSCRIBERS = 10;
const TICK_MS = 10;
/** An append never carries more than this many events (100 ms worth at the default rate). */
const MAX_BATCH = 100;
/** Subscribers connect in waves of this many, under the server's listen backlog. */
const CONNECT_WAVE = 100;
const IDLE_SETTLE_MS = 3_000;
const SAMPLE_MS = 100;
const STOP_GRACE_MS = 15_000;
function envInt(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- Subscribers ------------------------------------------------------------------------------------

/** Latencies in ms, in a growable typed array: millions of them stay compact and sort fast. */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  sorted(): number[] {
    return Array.from(this.data.subarray(0, this.length).sort());
  }
}

interface Subscriber {
  req: http.ClientRequest;
  /** Unparsed tail of what has arrived: at most one incomplete frame. */
  rest: string;
  received: number;
  /** The revision expected next: each subscriber must get 0, 1, 2, ... with nothing missed or twice. */
  next: number;
  outOfOrder: number;
  dropped: boolean;
  closed: boolean;
}

const SENT_AT = '"sentAt":';

/**
 * Opens one SSE connection and resolves once the server's first frame (`retry:`) has arrived. Frames
 * are parsed minimally: the `id:` line, the `sentAt` in the data, and `event: dropped`; all frames of
 * one chunk share its arrival time.
 */
function subscribe(agent: http.Agent, url: string, latencies: Samples): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/streams/${STREAM}/events`, { agent, headers: { accept: 'text/event-stream' } });
    const sub: Subscriber = { req, rest: '', received: 0, next: 0, outOfOrder: 0, dropped: false, closed: false };
    req.on('error', (err) => ((sub.closed = true), reject(err)));
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`GET /streams/${STREAM}/events answered ${res.statusCode}`));
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const now = performance.now();
        const buf = sub.rest + chunk;
        let pos = 0;
        for (;;) {
          const end = buf.indexOf('\n\n', pos);
          if (end < 0) break;
          if (buf.startsWith('id: ', pos)) {
            const revision = parseInt(buf.slice(pos + 4, pos + 24), 10);
            if (revision !== sub.next) sub.outOfOrder++;
            sub.next = revision + 1;
            const at = buf.indexOf(SENT_AT, pos);
            if (at >= 0 && at < end) {
              latencies.push(now - parseFloat(buf.slice(at + SENT_AT.length, at + SENT_AT.length + 24)));
              sub.received++;
            }
          } else if (buf.startsWith('event: dropped', pos)) {
            sub.dropped = true;
          } else if (buf.startsWith('retry:', pos)) {
            resolve(sub);
          }
          pos = end + 2;
        }
        sub.rest = buf.slice(pos);
      });
      res.once('close', () => (sub.closed = true));
      res.on('error', () => (sub.closed = true));
    });
  });
}

async function openSubscribers(count: number, agent: http.Agent, url: string, latencies: Samples): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < count; i += CONNECT_WAVE) {
    const wave = Math.min(CONNECT_WAVE, count - i);
    subscribers.push(...(await Promise.all(Array.from({ length: wave }, () => subscribe(agent, url, latencies)))));
  }
  return subscribers;
}

/**
 * Waits for the ledger's graceful stop; a ledger still busy with a backlog after `graceMs` is killed
 * (its stop() then resolves on the exit), so the benchmark never hangs on it.
 */
async function stopWithin(stopping: Promise<void>, pid: number | undefined, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      if (pid !== undefined) {
        console.error(`the ledger (pid ${pid}) did not stop within ${graceMs} ms: killed`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
      }
      resolve();
    }, graceMs);
  });
  await Promise.race([stopping, killed]);
  clearTimeout(timer);
  await stopping;
}

// --- One configuration ------------------------------------------------------------------------------

interface Run {
  subscribers: number;
  rate: number;
  seconds: number;
  drainSeconds: number;
}

async function fanOut({ subscribers: count, rate, seconds, drainSeconds }: Run): Promise<BenchRow> {
  const ledger = await startLedgerProcess();
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  let writer: EventStoreDBClient | undefined;
  let subscribers: Subscriber[] = [];
  let ledgerPid: number | undefined;
  try {
    const pid = (ledgerPid = ledger.pid);
    writer = EventStoreDBClient.connectionString(ledger.eventStore);
    // Warm the writer's connection on a stream no subscriber follows (nor the projector: not a ledger prefix).
    await writer.appendToStream('bench-warmup', jsonEvent({ type: 'Warmup', data: {} }));
    await sleep(1_000);
    const rssBefore = rssMiB(pid);

    const latencies = new Samples();
    subscribers = await openSubscribers(count, agent, ledger.url, latencies);
    await sleep(IDLE_SETTLE_MS);
    const rssIdle = rssMiB(pid);

    let rssPeak = rssIdle;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), SAMPLE_MS);
    const cpuServerStart = cpuSeconds(pid);
    const cpuBenchStart = process.cpuUsage();

    // Paced appends: every tick, what the schedule says is due (one append in flight at a time, so a
    // slow store shows as a lower achieved rate rather than as a queue in this process).
    const appendLatencies = new Samples();
    let appended = 0;
    const started = performance.now();
    let elapsed = 0;
    while ((elapsed = performance.now() - started) < seconds * 1000) {
      const due = Math.min(MAX_BATCH, Math.floor((elapsed / 1000) * rate) - appended);
      if (due > 0) {
        const sentAt = performance.now();
        const events = Array.from({ length: due }, (_, i) => {
          const round = appended + i + 1;
          return jsonEvent({
            type: 'PriceUpdated',
            data: { feed: 'ETH-USD', round: String(round), price: (2000 + (round % 100) / 100).toFixed(2), at: Math.floor(Date.now() / 1000), sentAt },
            metadata: { source: { stream: 'oracle-ETH-USD', revision: String(round), commit: String(round * 1000), prepare: String(round * 1000) } },
          });
        });
        await writer.appendToStream(STREAM, events);
        appendLatencies.push(performance.now() - sentAt);
        appended += due;
      }
      await sleep(TICK_MS);
    }
    const appendSeconds = (performance.now() - started) / 1000;
    const cpuServer = (cpuSeconds(pid) - cpuServerStart) / appendSeconds;
    const cpuBenchUsage = process.cpuUsage(cpuBenchStart);
    const cpuBench = (cpuBenchUsage.user + cpuBenchUsage.system) / 1e6 / appendSeconds;

    // Deliveries still under way: wait until every subscriber still connected has everything, or give up.
    const drainStarted = performance.now();
    const pending = () => subscribers.filter((s) => !s.closed && !s.dropped && s.received < appended).length;
    while (pending() > 0 && performance.now() - drainStarted < drainSeconds * 1000) await sleep(50);
    const drained = pending() === 0;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, rssMiB(pid));

    const delivered = subscribers.reduce((sum, s) => sum + s.received, 0);
    const dropped = subscribers.filter((s) => s.dropped).length;
    const disconnected = subscribers.filter((s) => s.closed && !s.dropped).length;
    const outOfOrder = subscribers.reduce((sum, s) => sum + s.outOfOrder, 0);
    if (outOfOrder > 0) console.error(`${count} subscribers: ${outOfOrder} events arrived out of order, duplicated or after a gap`);
    if (disconnected > 0) console.error(`${count} subscribers: ${disconnected} connections closed without being dropped`);
    if (!drained) console.error(`${count} subscribers: ${pending()} subscribers still short of ${appended} events ${drainSeconds} s after the last append`);

    const sorted = latencies.sorted();
    const p99 = percentile(sorted, 99);
    const share = delivered / (count * appended);
    const met = p99 < 100 && share === 1 ? 'met' : p99 < 100 ? `not met (${fmt((1 - share) * 100, 2)}% undelivered)` : 'not met';
    return {
      subscribers: count,
      'target rate (ev/s)': rate,
      'appended (ev/s)': fmt(appended / appendSeconds, 0),
      'append p99 (ms)': fmt(percentile(appendLatencies.sorted(), 99)),
      'delivered (events)': delivered,
      'delivered share': `${fmt(share * 100, 2)}%`,
      'latency p50 (ms)': fmt(percentile(sorted, 50)),
      'latency p99 (ms)': fmt(p99),
      'latency max (ms)': fmt(sorted[sorted.length - 1]),
      'RSS before (MiB)': fmt(rssBefore),
      'RSS idle subs (MiB)': fmt(rssIdle),
      'RSS peak (MiB)': fmt(rssPeak),
      'dropped as slow': dropped,
      'CPU server/bench (cores)': `${fmt(cpuServer, 2)}/${fmt(cpuBench, 2)}`,
      'p99 < 100 ms': met,
    };
  } finally {
    for (const s of subscribers) s.req.destroy();
    agent.destroy();
    await writer?.dispose();
    await stopWithin(ledger.stop(), ledgerPid, STOP_GRACE_MS);
  }
}

export const projectionsBenchmark: Benchmark = {
  name: 'projections',
  title: 'SSE fan-out on public-prices: delivery latency and server memory while events are appended (target: 1,000 subscribers at 1,000 events/s, p99 < 100 ms)',
  async run(): Promise<BenchRow[]> {
    const subscribers = envInt('BENCH_SSE_SUBSCRIBERS', 1_000);
    const rate = envInt('BENCH_SSE_RATE', 1_000);
    const seconds = envInt('BENCH_SSE_SECONDS', 10);
    const drainSeconds = envInt('BENCH_SSE_DRAIN_SECONDS', 15);
    const rows: BenchRow[] = [];
    // The narrow peer first, each on a fresh ledger so neither inherits the other's heap.
    for (const count of [...new Set([Math.min(PEER_SUBSCRIBERS, subscribers), subscribers])]) {
      rows.push(await fanOut({ subscribers: count, rate, seconds, drainSeconds }));
    }
    return rows;
  },
};
