/**
 * Proof verification off the event loop: a fixed set of worker threads, each with its own
 * single-threaded bn128 engine, fed from a bounded queue. A full queue refuses new work at once
 * (VerifierBusyError) so a burst of submissions turns into fast "try later" answers instead of
 * unbounded memory and latency. Time is bounded too: a job that waited longer than the timeout for a
 * worker is refused, and so is one whose verification runs longer (its worker is replaced), both with
 * VerifierBusyError, so no caller waits forever.
 *
 * The worker's code is a plain JavaScript string run with `eval: true`, so it needs no separate file:
 * it behaves the same under ts-jest (TypeScript sources) and after tsc (dist/), and it loads snarkjs by
 * the absolute path resolved here, whatever the working directory.
 */
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { loadVerificationKey } from './artifacts';
import { LiquidationPublicSignals } from '../domain/liquidation/public-signals';
import { FFJAVASCRIPT_ENTRY, SNARKJS_ENTRY, WEB_WORKER_NO_SCRIPT, VerificationKey } from './snarkjs';
import { isWellFormedProof, normalizeSignals } from './verifier';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const snarkjs = require(workerData.snarkjsEntry);
const ffjavascript = require(workerData.ffjavascriptEntry);
// One single-threaded engine per worker, placed where snarkjs looks for its cached engine, so that
// verification does not start helper threads of its own inside this thread.
const ready = ffjavascript.buildBn128(true).then((curve) => { globalThis.curve_bn128 = curve; return curve; });
// Same rule as verifier.ts: B must be in the order-r subgroup G2, not only on the twist.
function inG2(curve, piB) {
  const b = curve.G2.fromObject(piB.map((row) => row.map(BigInt)));
  return curve.G2.isValid(b) && curve.G2.isZero(curve.G2.timesScalar(b, curve.r));
}
parentPort.on('message', async (job) => {
  try {
    const curve = await ready;
    const ok = (await snarkjs.groth16.verify(workerData.verificationKey, job.publicSignals, job.proof)) === true
      && inG2(curve, job.proof.pi_b);
    parentPort.postMessage({ id: job.id, ok });
  } catch (err) {
    parentPort.postMessage({ id: job.id, ok: false, error: String((err && err.message) || err) });
  }
});
`;

export class VerifierBusyError extends Error {
  override readonly name = 'VerifierBusyError';
}

export class VerifierClosedError extends Error {
  override readonly name = 'VerifierClosedError';
}

export interface VerifierPoolOptions {
  /** Worker threads (default: cores − 1, at least 1). */
  size?: number;
  /** Jobs allowed to wait for a worker; beyond it verify() rejects with VerifierBusyError (default 64). */
  maxQueue?: number;
  /** The longest a job waits for a worker, and the longest its verification may run (default 5000 ms). */
  timeoutMs?: number;
  verificationKey?: VerificationKey;
}

export interface VerifierPool {
  /** Resolves true iff the proof verifies; false for an invalid or malformed proof. */
  verify(proof: unknown, publicSignals: readonly string[] | LiquidationPublicSignals): Promise<boolean>;
  /** Jobs waiting for a worker (not counting those being verified). */
  readonly queued: number;
  readonly size: number;
  /** Stops the workers; pending and later calls reject with VerifierClosedError. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  /** Date.now() past which the job, still waiting, is refused rather than verified. */
  deadline: number;
  proof: unknown;
  publicSignals: string[];
  resolve(ok: boolean): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  timer?: NodeJS.Timeout;
}

interface Reply {
  id: number;
  ok: boolean;
  error?: string;
}

export function createVerifierPool(options: VerifierPoolOptions = {}): VerifierPool {
  const size = options.size ?? Math.max(1, cpus().length - 1);
  const maxQueue = options.maxQueue ?? 64;
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isInteger(size) || size < 1) throw new RangeError('pool size must be a positive integer');
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be a non-negative integer');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new RangeError('timeoutMs must be a positive integer');
  const workerData = {
    ...WEB_WORKER_NO_SCRIPT,
    snarkjsEntry: SNARKJS_ENTRY,
    ffjavascriptEntry: FFJAVASCRIPT_ENTRY,
    verificationKey: options.verificationKey ?? loadVerificationKey(),
  };

  const queue: Job[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true, workerData }), job: undefined };
    slot.worker.on('message', (reply: Reply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      job.resolve(reply.ok);
      pump();
    });
    // A crashed worker fails its job (an internal error, not an invalid proof) and is replaced.
    slot.worker.on('error', (err) => retire(slot, err));
    slot.worker.on('exit', (code) => {
      if (!closed) retire(slot, new Error(`verifier worker exited (code ${code})`));
    });
    return slot;
  }

  /** Takes a slot's worker out of service: its job, if any, is refused with `err`, and a fresh worker takes its place. */
  function retire(slot: Slot, err: Error): void {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = undefined;
    job?.reject(err);
    if (closed) return;
    const at = slots.indexOf(slot);
    if (at >= 0) slots[at] = spawn();
    pump();
  }

  function pump(): void {
    for (const slot of slots) {
      if (slot.job) continue;
      const job = nextInTime();
      if (!job) return;
      slot.job = job;
      // A verification running this long is stuck: refuse its job, and put a fresh worker in its
      // place at once (the stuck one may take a while to stop, and must not be handed the next job).
      slot.timer = setTimeout(() => {
        slot.worker.removeAllListeners();
        void slot.worker.terminate();
        retire(slot, new VerifierBusyError(`verification took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      slot.worker.postMessage({ id: job.id, proof: job.proof, publicSignals: job.publicSignals });
    }
  }

  /** The oldest waiting job still within its deadline; those past it are refused on the way. */
  function nextInTime(): Job | undefined {
    for (let job = queue.shift(); job; job = queue.shift()) {
      if (Date.now() < job.deadline) return job;
      job.reject(new VerifierBusyError(`waited longer than ${timeoutMs} ms for a verifier`));
    }
    return undefined;
  }

  for (let i = 0; i < size; i++) slots.push(spawn());

  return {
    size,
    get queued() {
      return queue.length;
    },
    verify(proof, publicSignals) {
      if (closed) return Promise.reject(new VerifierClosedError('the verifier pool is closed'));
      // Shape and field checks are cheap: refuse malformed input here, without a round trip.
      const signals = normalizeSignals(publicSignals);
      if (!signals || !isWellFormedProof(proof)) return Promise.resolve(false);
      const idle = slots.some((s) => !s.job);
      if (!idle && queue.length >= maxQueue) {
        return Promise.reject(new VerifierBusyError(`verification queue full (${maxQueue} waiting)`));
      }
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ id: nextId++, deadline: Date.now() + timeoutMs, proof, publicSignals: signals, resolve, reject });
        pump();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new VerifierClosedError('the verifier pool was closed');
      for (const job of queue.splice(0)) job.reject(error);
      await Promise.all(
        slots.map(async (slot) => {
          clearTimeout(slot.timer);
          slot.job?.reject(error);
          slot.job = undefined;
          await slot.worker.terminate();
        }),
      );
    },
  };
}
