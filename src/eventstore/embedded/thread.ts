/**
 * The embedded store on a worker thread of its own, so its CPU (TLS, gRPC, encoding, the log) runs
 * beside the ledger's main thread instead of taking turns with it: the two talk over loopback gRPC
 * either way. The worker runs the compiled store (`index.js` beside this file); where there is none
 * (the TypeScript sources run directly, as under the test runner), the store starts on this thread.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { connectionStringOf, EmbeddedEventStore, EmbeddedEventStoreOptions, startEmbeddedEventStore } from './index';

/** The store as its users see it; its engine stays on the thread that runs it. */
export type EmbeddedEventStoreEndpoint = Omit<EmbeddedEventStore, 'engine'> & { onOwnThread: boolean };

const COMPILED_STORE = path.join(__dirname, 'index.js');

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.preload) require(workerData.preload);
const { startEmbeddedEventStore } = require(workerData.store);
startEmbeddedEventStore(workerData.options).then(
  (store) => {
    parentPort.postMessage({ id: 0, value: { port: store.port, caFile: store.caFile, connectionString: store.connectionString } });
    parentPort.on('message', async (m) => {
      try {
        if (m.kind === 'userConnectionString') return parentPort.postMessage({ id: m.id, value: await store.connectionStringAs(m.login, m.groups) });
        await store.close();
        parentPort.postMessage({ id: m.id });
        parentPort.close();
      } catch (err) {
        parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
      }
    });
  },
  (err) => parentPort.postMessage({ id: 0, error: String(err && err.message || err) }),
);
`;

type Request = { kind: 'userConnectionString'; login: string; groups: string[] } | { kind: 'close' };

/** What the worker runs: the store's module, and a module to load first (a test's TypeScript loader). */
export interface StoreModule {
  store: string;
  preload?: string;
}

/** Starts the store on a thread of its own, or on this one when told (`ownThread: false`) or when there is no compiled store. */
export async function startEmbeddedEventStoreEndpoint(
  options: EmbeddedEventStoreOptions,
  { ownThread = true, module = { store: COMPILED_STORE } }: { ownThread?: boolean; module?: StoreModule } = {},
): Promise<EmbeddedEventStoreEndpoint> {
  if (!ownThread || !existsSync(module.store)) return { ...(await startEmbeddedEventStore(options)), onOwnThread: false };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...module, options } });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (error !== undefined) w?.reject(new Error(error));
    else w?.resolve(value);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the event store's thread exited (code ${code})`)));
  const answer = <T>(id: number) => new Promise<T>((resolve, reject) => (failure ? reject(failure) : waiting.set(id, { resolve: resolve as (value: unknown) => void, reject })));
  let nextId = 1;
  const call = <T>(request: Request): Promise<T> => {
    const id = nextId++;
    const reply = answer<T>(id);
    if (!failure) worker.postMessage({ id, ...request });
    return reply;
  };
  const started = await answer<{ port: number; caFile?: string; connectionString: string }>(0).catch(async (err) => {
    await worker.terminate();
    throw err;
  });
  const at = { host: options.host ?? '127.0.0.1', port: started.port, caFile: started.caFile };
  return {
    connectionString: started.connectionString,
    connectionStringFor: (login, password) => connectionStringOf(at, login, password),
    caFile: started.caFile,
    connectionStringAs: (login, groups) => call<string>({ kind: 'userConnectionString', login, groups }),
    port: started.port,
    onOwnThread: true,
    async close() {
      await call({ kind: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
