/**
 * Starts the ledger as `npm start` does (embedded event store, embedded PGlite) on fresh or given data
 * directories and ephemeral ports, and talks to it over HTTP like any client.
 */
import { isSnapshotStream } from '../../src/eventstore/aggregate-snapshots';
import { INestApplication } from '@nestjs/common';
import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createApp } from '../../src/app';
import { AUDIT_CHECKPOINT_STREAM } from '../../src/audit/hash-chain';
import { PUBLIC_STREAM_PREFIX } from '../../src/projections/public-streams/public-stream-protocol';
import { LIQUIDATION_PROOF_STREAM_PREFIX } from '../../src/domain/liquidation/detected-liquidation-proof';
import { Role } from '../../src/domain/access/access-registry';
import { readFile } from 'node:fs/promises';
import { OpenApiConformance } from './openapi-conformance';

export type Api = <T = any>(method: string, route: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiResponse<T>>;

/** A principal the test acts as: its id and its API key. */
export interface Actor {
  id: string;
  apiKey: string;
}

export interface RunningLedger {
  app: INestApplication;
  url: string;
  dataDir: string;
  /** Calls without a key: an anonymous caller. */
  api: Api;
  /** Calls as the holder of this key (or actor). */
  as(who: string | Actor): Api;
  /** The development admin the ledger issued a key to at its first start (ADMIN_KEY_FILE; no key when that is set empty). */
  admin: Actor;
  /** Registers a principal as the admin, or issues it a new key when it exists (a restarted ledger). */
  principal(id: string, role: Role, feeds?: string[]): Promise<Actor>;
  /**
   * The `$all` commit position of the last ledger event in the store: equal before and after means the
   * ledger appended nothing. What the ledger and the store write on their own does not count
   * (`countsAsCommanded`).
   */
  lastPosition(): Promise<bigint>;
  stop(): Promise<void>;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  text: string;
  contentType: string | null;
}

export async function newDataDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'ledger-'));
}

export async function removeDataDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export async function startLedger(dataDir?: string, env: Record<string, string> = {}): Promise<RunningLedger> {
  const dir = dataDir ?? (await newDataDir());
  const saved = { ...process.env };
  const adminKeyFile = path.join(dir, 'admin.key');
  // Scenarios send commands as fast as the machine allows; a test of the rate limits sets its own.
  const limits = { COMMAND_RATE_LIMIT: '100000', PROOF_RATE_LIMIT: '100000' };
  Object.assign(process.env, { DATA_DIR: dir, PORT: '0', EVENTSTORE_PORT: '0', LOG_LEVEL: 'warn', ADMIN_KEY_FILE: adminKeyFile, ...limits, ...env });
  delete process.env.EVENTSTORE_CONNECTION_STRING;
  delete process.env.DATABASE_URL;
  Object.assign(process.env, env);
  let app: INestApplication;
  try {
    app = await createApp();
    await app.listen(0, '127.0.0.1');
  } finally {
    process.env = saved;
  }
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  // Every exchange below is held to the ledger's own OpenAPI document.
  const conformance = new OpenApiConformance((await call<ConstructorParameters<typeof OpenApiConformance>[0]>(url, 'GET', '/docs/openapi.json')).body);
  const checked: Api = async <T>(method: string, route: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await call<T>(url, method, route, body, headers);
    const mismatches = conformance.mismatches(method, route, body, res.status, res.contentType, res.body);
    if (mismatches.length) throw new Error(`the answer does not match the OpenAPI document:\n${mismatches.join('\n')}`);
    return res;
  };
  // Told to print the key (ADMIN_KEY_FILE empty), the ledger wrote no file: then the test holds no admin key.
  const admin: Actor = { id: 'admin', apiKey: env.ADMIN_KEY_FILE === '' ? '' : (await readFile(adminKeyFile, 'utf8')).trim() };
  const as = (who: string | Actor): Api => {
    const apiKey = typeof who === 'string' ? who : who.apiKey;
    return (method, route, body, headers) => checked(method, route, body, { authorization: `Bearer ${apiKey}`, ...headers });
  };
  let registered = 0;
  return {
    app,
    url,
    dataDir: dir,
    api: checked,
    as,
    admin,
    async principal(id, role, feeds = []) {
      const commandId = `principal-${id}-${++registered}-${Date.now()}`;
      let res = await as(admin)<{ apiKey?: string; code?: string }>('POST', '/principals', { commandId, principalId: id, role, ...(feeds.length ? { feeds } : {}) });
      if (res.status === 422 && res.body.code === 'PRINCIPAL_EXISTS') res = await as(admin)('POST', `/principals/${encodeURIComponent(id)}/keys`, { commandId });
      if (res.status !== 201 || !res.body.apiKey) throw new Error(`cannot register ${role} ${id}: ${res.status} ${res.text}`);
      return { id, apiKey: res.body.apiKey };
    },
    async lastPosition() {
      let last = -1n;
      // Drained rather than broken out of: an abandoned read leaves its call open.
      for await (const e of app.get(EventStoreDBClient).readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 50 })) {
        if (last < 0n && e.event && countsAsCommanded(e.event.streamId)) last = e.event.position?.commit ?? last;
      }
      return last;
    },
    stop: () => app.close(),
  };
}

/**
 * Whether an event in this stream can be a command's doing. Not: what the ledger and its store write on
 * their own, after the events they follow or at start: audit checkpoints, public projection streams,
 * the ledger's proofs of its detections (proven in the background after the trigger), the snapshots it
 * records of long streams, and the store's system streams (users, settings, stream ACLs).
 */
function countsAsCommanded(stream: string): boolean {
  return stream !== AUDIT_CHECKPOINT_STREAM && !stream.startsWith(PUBLIC_STREAM_PREFIX) && !stream.startsWith(LIQUIDATION_PROOF_STREAM_PREFIX) && !isSnapshotStream(stream) && !stream.startsWith('$');
}

export async function call<T>(
  url: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  const res = await fetch(url + route, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (metrics, HTML): keep the text
  }
  return { status: res.status, body: parsed as T, text, contentType: res.headers.get('content-type') };
}
