/**
 * The embedded EventStoreDB-protocol server: the durable engine behind a gRPC endpoint on loopback,
 * reachable by `@eventstore/db-client` (the ledger's own client) and by any integrator's client.
 * Secure unless told otherwise: TLS, users and stream ACLs (security.ts).
 */
import * as grpc from '@grpc/grpc-js';
import { openFrontDoor } from './front-door';
import { createGrpcServer } from './grpc-server';
import { EventStoreEngine } from './store';
import { Authorizer, ensureUser, prepareUsers, tlsMaterial, TlsFiles } from './security';

export interface EmbeddedEventStoreOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Plain gRPC without users or ACLs, as EventStoreDB's `--insecure`: anyone who reaches the port may do anything. */
  insecure?: boolean;
  /** The node's certificate, key and CA; by default generated into the data directory at first start. */
  tls?: TlsFiles;
}

export interface EmbeddedEventStore {
  /** As the admin: `esdb://admin:PASSWORD@HOST:PORT?tls=true&tlsCAFile=CA` (`esdb://HOST:PORT?tls=false` insecure). */
  connectionString: string;
  /** As another user (or, with no login, as nobody). */
  connectionStringFor(login?: string, password?: string): string;
  /** The CA file clients verify the node against (secure mode). */
  caFile?: string;
  /** Secure mode: the user, created with a random password on first call (kept in `<login>.password`); answers its connection string. */
  connectionStringAs(login: string, groups: string[]): Promise<string>;
  port: number;
  engine: EventStoreEngine;
  close(): Promise<void>;
}

/** What a client needs to reach the store: `esdb://[login:password@]host:port?tls=…`. */
export function connectionStringOf(at: { host: string; port: number; caFile?: string }, login?: string, password?: string): string {
  const user = login ? `${encodeURIComponent(login)}:${encodeURIComponent(password ?? '')}@` : '';
  return at.caFile ? `esdb://${user}${at.host}:${at.port}?tls=true&tlsCAFile=${encodeURIComponent(at.caFile)}` : `esdb://${at.host}:${at.port}?tls=false`;
}

export async function startEmbeddedEventStore(options: EmbeddedEventStoreOptions): Promise<EmbeddedEventStore> {
  const host = options.host ?? '127.0.0.1';
  const engine = await EventStoreEngine.open(options.dataDir);
  let server: grpc.Server;
  let tlsKeys: { key: Buffer; cert: Buffer } | undefined;
  let adminPassword: string | undefined;
  let caFile: string | undefined;
  try {
    if (options.insecure) {
      server = createGrpcServer(engine);
    } else {
      const tls = await tlsMaterial(options.dataDir, options.tls);
      caFile = tls.caFile;
      adminPassword = await prepareUsers(engine, options.dataDir);
      server = createGrpcServer(engine, new Authorizer(engine));
      tlsKeys = { key: tls.key, cert: tls.cert };
    }
  } catch (err) {
    await engine.close();
    throw err;
  }
  const door = await openFrontDoor(server, host, options.port ?? 0, tlsKeys).catch(async (err) => {
    await engine.close();
    throw err;
  });
  const port = door.port;
  const connectionStringFor = (login?: string, password?: string) => connectionStringOf({ host, port, caFile }, login, password);
  return {
    connectionString: connectionStringFor(adminPassword === undefined ? undefined : 'admin', adminPassword),
    connectionStringFor,
    caFile,
    async connectionStringAs(login, groups) {
      if (!caFile) return connectionStringFor();
      const password = await ensureUser(engine, options.dataDir, login, groups);
      if (password === undefined) throw new Error(`the password file of event store user ${login} is missing from ${options.dataDir}`);
      return connectionStringFor(login, password);
    },
    port,
    engine,
    async close() {
      // Stop taking calls and give running ones a moment; live subscriptions never end by themselves,
      // so they are then cut. Appends already taken still reach the disk before the engine closes.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (server.forceShutdown(), resolve()), 500);
        server.tryShutdown(() => (clearTimeout(timer), resolve()));
      });
      await door.close();
      await engine.close();
    },
  };
}
