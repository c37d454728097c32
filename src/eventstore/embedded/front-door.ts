/**
 * The store's one port. gRPC (HTTP/2) connections go to the gRPC server; an HTTP/1.1 request, which
 * `@eventstore/db-client` sends where it falls back to EventStoreDB's HTTP API (listing persistent
 * subscriptions, for one), gets a clean 501 naming what is not supported instead of a torn connection.
 * In secure mode TLS ends here and ALPN tells the two apart; in insecure mode the connection preface does.
 */
import * as grpc from '@grpc/grpc-js';
import { createServer as createHttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTcpServer, Server, Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');
export const HTTP_NOT_SUPPORTED = 'Not supported: this embedded EventStoreDB-protocol server speaks gRPC only, not the HTTP API';

export interface FrontDoor {
  port: number;
  /** Stops taking connections and cuts those still open (after the gRPC server's shutdown has ended its calls). */
  close(): Promise<void>;
}

export async function openFrontDoor(
  server: grpc.Server,
  host: string,
  port: number,
  tls?: { key: Buffer; cert: Buffer },
): Promise<FrontDoor> {
  // TLS, when there is any, has ended at this door: what reaches the gRPC server is plain HTTP/2.
  const grpcConnections = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const http1 = createHttpServer(notSupported);
  const toHttp1 = (socket: Socket) => http1.emit('connection', socket);

  let door: Server;
  if (tls) {
    door = createTlsServer({ key: tls.key, cert: tls.cert, ALPNProtocols: ['h2', 'http/1.1'] }, (socket: TLSSocket) => {
      socket.on('error', ignore);
      if (socket.alpnProtocol === 'h2') grpcConnections.injectConnection(socket);
      else toHttp1(socket);
    });
  } else {
    door = createTcpServer((socket) => {
      socket.on('error', ignore);
      socket.once('data', (first: Buffer) => {
        socket.pause();
        socket.unshift(first);
        const h2 = first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE.subarray(0, Math.min(first.length, HTTP2_PREFACE.length)));
        if (h2) grpcConnections.injectConnection(socket);
        else {
          toHttp1(socket);
          socket.resume();
        }
      });
    });
  }
  door.on('tlsClientError', ignore);
  const open = new Set<Socket>();
  door.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  const bound = await new Promise<number>((resolve, reject) => {
    door.once('error', reject);
    door.listen(port, host, () => resolve((door.address() as { port: number }).port));
  });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        http1.close();
        door.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}

/** A peer that drops or garbles its connection is its own problem, never the store's. */
const ignore = () => undefined;

function notSupported(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.statusMessage = HTTP_NOT_SUPPORTED;
  res.writeHead(501, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ error: 'NOT_SUPPORTED', message: HTTP_NOT_SUPPORTED, path: req.url }));
}
