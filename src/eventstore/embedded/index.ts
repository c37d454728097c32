/**
 * The embedded EventStoreDB-protocol server: the durable engine behind a gRPC endpoint on loopback,
 * reachable by `@eventstore/db-client` (the ledger's own client) and by any integrator's client.
 */
import * as grpc from '@grpc/grpc-js';
import { createGrpcServer } from './grpc-server';
import { EventStoreEngine } from './store';

export interface EmbeddedEventStoreOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface EmbeddedEventStore {
  /** `esdb://HOST:PORT?tls=false` */
  connectionString: string;
  port: number;
  engine: EventStoreEngine;
  close(): Promise<void>;
}

export async function startEmbeddedEventStore(options: EmbeddedEventStoreOptions): Promise<EmbeddedEventStore> {
  const host = options.host ?? '127.0.0.1';
  const engine = await EventStoreEngine.open(options.dataDir);
  const server = createGrpcServer(engine);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return {
    connectionString: `esdb://${host}:${port}?tls=false`,
    port,
    engine,
    async close() {
      // Stop taking calls and give running ones a moment; live subscriptions never end by themselves,
      // so they are then cut. Appends already taken still reach the disk before the engine closes.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (server.forceShutdown(), resolve()), 500);
        server.tryShutdown(() => (clearTimeout(timer), resolve()));
      });
      await engine.close();
    },
  };
}
