/**
 * Proving off the event loop: the ledger proves every liquidation it detects, and a Groth16 proof is
 * hundreds of milliseconds of field arithmetic that must not hold up requests or triggers. A fixed set
 * of worker threads, each with its own single-threaded bn128 engine and the circuit and proving key in
 * memory, takes jobs in arrival order; each proof is checked against the verification key before it is
 * handed back. A worker that dies is replaced and its job is failed, not lost silently.
 *
 * As in verifier-pool.ts, the worker is a JavaScript string run with `eval: true`, which behaves the
 * same under ts-jest and after tsc.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { artifactPaths, loadVerificationKey } from './artifacts';
import { LiquidationProof } from './prover';
import { FFJAVASCRIPT_ENTRY, SNARKJS_ENTRY, WEB_WORKER_NO_SCRIPT } from './snarkjs';
import { LiquidationWitnessInput, toCircuitInput } from './witness';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const snarkjs = require(workerData.snarkjsEntry);
const ffjavascript = require(workerData.ffjavascriptEntry);
const ready = ffjavascript.buildBn128(true).then((curve) => { globalThis.curve_bn128 = curve; return curve; });
const wasm = { type: 'mem', data: workerData.wasm };
const zkey = { type: 'mem', data: workerData.zkey };
parentPort.on('message', async (job) => {
  try {
    await ready;
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(job.input, wasm, zkey);
    const verified = (await snarkjs.groth16.verify(workerData.verificationKey, publicSignals, proof)) === true;
    parentPort.postMessage({ id: job.id, proof, publicSignals, verified });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String((err && err.message) || err) });
  }
});
`;

export class ProverClosedError extends Error {
  override readonly name = 'ProverClosedError';
}

/** A proof, and whether it verified against the committed verification key. */
export type ProvenLiquidation = LiquidationProof & { verified: boolean };

export interface ProverPool {
  prove(input: LiquidationWitnessInput): Promise<ProvenLiquidation>;
  /** Jobs waiting for a worker (not counting those being proven). */
  readonly queued: number;
  readonly size: number;
  close(): Promise<void>;
}

interface Job {
  id: number;
  input: Record<string, string>;
  resolve(result: ProvenLiquidation): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

/** Worker threads (default: cores − 1, at least 1). */
export function createProverPool(size = Math.max(1, cpus().length - 1)): ProverPool {
  const { wasm, zkey } = artifactPaths();
  const workerData = {
    ...WEB_WORKER_NO_SCRIPT,
    snarkjsEntry: SNARKJS_ENTRY,
    ffjavascriptEntry: FFJAVASCRIPT_ENTRY,
    verificationKey: loadVerificationKey(),
    wasm: new Uint8Array(readFileSync(wasm)),
    zkey: new Uint8Array(readFileSync(zkey)),
  };
  const waiting: Job[] = [];
  let nextId = 0;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true, workerData }) };
    slot.worker.on('message', (message: { id: number; error?: string } & Partial<ProvenLiquidation>) => {
      const job = slot.job;
      if (!job || job.id !== message.id) return;
      slot.job = undefined;
      if (message.error !== undefined) job.reject(new Error(`proving failed: ${message.error}`));
      else job.resolve({ proof: message.proof!, publicSignals: message.publicSignals!, verified: message.verified === true });
      next(slot);
    });
    slot.worker.on('error', (err) => retire(slot, err));
    slot.worker.on('exit', (code) => retire(slot, new Error(`a prover worker exited with code ${code}`)));
    return slot;
  };

  const slots: Slot[] = Array.from({ length: size }, spawn);

  function next(slot: Slot): void {
    const job = waiting.shift();
    if (!job) return;
    slot.job = job;
    slot.worker.postMessage({ id: job.id, input: job.input });
  }

  /** A worker that failed: its job fails with the cause, and a fresh worker takes its place. */
  function retire(slot: Slot, err: Error): void {
    const i = slots.indexOf(slot);
    if (i < 0) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    slot.job?.reject(err);
    slot.job = undefined;
    if (closed) {
      slots.splice(i, 1);
      return;
    }
    slots[i] = spawn();
    next(slots[i]);
  }

  return {
    prove(input) {
      if (closed) return Promise.reject(new ProverClosedError('the prover pool is closed'));
      return new Promise<ProvenLiquidation>((resolve, reject) => {
        waiting.push({ id: nextId++, input: toCircuitInput(input), resolve, reject });
        const idle = slots.find((s) => !s.job);
        if (idle) next(idle);
      });
    },
    get queued() {
      return waiting.length;
    },
    size,
    async close() {
      closed = true;
      for (const job of waiting.splice(0)) job.reject(new ProverClosedError('the prover pool is closed'));
      await Promise.all(
        slots.splice(0).map((slot) => {
          slot.worker.removeAllListeners();
          slot.job?.reject(new ProverClosedError('the prover pool is closed'));
          return slot.worker.terminate();
        }),
      );
    },
  };
}
