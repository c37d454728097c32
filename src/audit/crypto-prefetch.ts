/**
 * The auditor's helper thread: for the next batch of events, it hashes the position openings (the
 * commitments re-deciding will compute) and verifies the oracle signatures (those re-deciding will
 * check), while the main thread re-decides the current batch. Those two are most of an audit's work.
 * The worker's code is a string run with `eval: true` (as in zk/verifier-pool.ts), so it is the same
 * under ts-jest and after tsc.
 */
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { isFieldElement, Opening, reportMessage, SignatureCheck } from '../domain/crypto/crypto';
import { HistoryEvent } from './history';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const circomlibjs = require(workerData.circomlibjs);
const ready = Promise.all([circomlibjs.buildPoseidon(), circomlibjs.buildEddsa()]);
parentPort.on('message', async ({ id, openings, checks }) => {
  const [poseidon, eddsa] = await ready;
  const F = eddsa.F;
  const commitments = openings.map((o) => poseidon.F.toObject(poseidon(o.map(BigInt))).toString());
  const verdicts = checks.map(([m, r8x, r8y, s, x, y]) => {
    try {
      return eddsa.verifyPoseidon(F.e(BigInt(m)), { R8: [F.e(BigInt(r8x)), F.e(BigInt(r8y))], S: BigInt(s) }, [F.e(BigInt(x)), F.e(BigInt(y))]);
    } catch {
      return false;
    }
  });
  parentPort.postMessage({ id, commitments, verdicts });
});
`;

export interface Prefetched {
  commitments: (readonly [Opening, bigint])[];
  verdicts: (readonly [SignatureCheck, boolean])[];
}

type Result = { commitments: string[]; verdicts: boolean[] };

/** One helper thread: jobs in, results out, holding the process open only while a job is pending. */
class Helper {
  // `mod`: circomlibjs loads the `web-worker` package, which inside any worker thread expects to have
  // started it and requires workerData.mod; a harmless module satisfies it (as in zk/verifier-pool.ts).
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { circomlibjs: require.resolve('circomlibjs'), mod: 'node:util' } });
  private readonly pending = new Map<number, { resolve: (r: Result) => void; reject: (err: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker.unref();
    this.worker.on('message', ({ id, ...result }: { id: number } & Result) => {
      this.pending.get(id)?.resolve(result);
      this.pending.delete(id);
      if (!this.pending.size) this.worker.unref();
    });
    this.worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  run(openings: readonly Opening[], checks: readonly SignatureCheck[]): Promise<Result> {
    if (!openings.length && !checks.length) return Promise.resolve({ commitments: [], verdicts: [] });
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({
        id,
        openings: openings.map((o) => o.map(String)),
        checks: checks.map(({ message, signature: s, key }) => [message, s.r8x, s.r8y, s.s, key.x, key.y].map(String)),
      });
    });
  }
}

/**
 * Helper threads, one per core (the main thread's own share of an audit is the smaller one), made on
 * first use and kept for the process. (Terminating a thread that has run circomlibjs's WebAssembly
 * has corrupted the heap here, so they are never terminated.)
 */
export class CryptoPrefetch {
  private static instance?: CryptoPrefetch;

  static shared(): CryptoPrefetch {
    return (CryptoPrefetch.instance ??= new CryptoPrefetch(Math.max(1, cpus().length)));
  }

  private readonly helpers: Helper[];

  private constructor(threads: number) {
    this.helpers = Array.from({ length: threads }, () => new Helper());
  }

  /** A batch's openings and signature checks, split evenly across the helpers. */
  async prefetch(batch: readonly HistoryEvent[]): Promise<Prefetched> {
    const openings = batch.flatMap(openingOf);
    const checks = batch.flatMap(signatureCheckOf);
    const n = this.helpers.length;
    const share = <T>(items: readonly T[], k: number) => items.slice(Math.floor((k * items.length) / n), Math.floor(((k + 1) * items.length) / n));
    const results = await Promise.all(this.helpers.map((h, k) => h.run(share(openings, k), share(checks, k))));
    const commitments = results.flatMap((r) => r.commitments);
    const verdicts = results.flatMap((r) => r.verdicts);
    return {
      commitments: openings.map((o, i) => [o, BigInt(commitments[i])] as const),
      verdicts: checks.map((c, i) => [c, verdicts[i]] as const),
    };
  }
}

const digits = (v: unknown): v is string => typeof v === 'string' && /^[0-9]{1,78}$/.test(v);

/** The opening a position event records (its balances after it and its salt). */
function openingOf(e: HistoryEvent): Opening[] {
  if (!e.stream.startsWith('position-')) return [];
  const d = e.data as Record<string, unknown>;
  if (!digits(d.collateral) || !digits(d.scaledDebt) || !digits(d.salt)) return [];
  const opening = [BigInt(d.collateral), BigInt(d.scaledDebt), BigInt(d.salt)] as const;
  return opening.every(isFieldElement) ? [opening] : [];
}

/** The signature an accepted report carries, over the message of its feed, round, price and time. */
function signatureCheckOf(e: HistoryEvent): SignatureCheck[] {
  if (e.type !== 'PriceReportAccepted' || !e.stream.startsWith('oracle-')) return [];
  const d = e.data as Record<string, any>;
  const values = [d.round, d.price, d.timestamp, d.signature?.r8x, d.signature?.r8y, d.signature?.s, d.publicKey?.x, d.publicKey?.y];
  if (!values.every(digits)) return [];
  const [round, price, timestamp, r8x, r8y, s, x, y] = values.map((v) => BigInt(v as string));
  if (![round, price, timestamp, r8x, r8y, x, y].every(isFieldElement)) return [];
  return [{ message: reportMessage(e.stream.slice('oracle-'.length), round, price, timestamp), signature: { r8x, r8y, s }, key: { x, y } }];
}
