/**
 * The WebSocket variant of the public projection streams: `GET /streams/{stream}/ws?from=<revision>`
 * upgraded on the ledger's own HTTP server and port. Each text message is the JSON an SSE client gets
 * as `data` (`{ stream, revision, type, data, source }`), from revision `from` (default 0) on, so a
 * client that reconnects with `from` = its last revision + 1 gets exactly what it has not had.
 *
 * Clients hang off the same fan-out as the SSE clients (PublicStreamFanOuts): one live subscription
 * per stream, each event encoded once. Like the SSE endpoint, it is readable by anyone, and serves the
 * public streams and nothing else: every refusal (a stream that is not public, a `from` that is not a
 * revision, any other path) is an HTTP answer to the upgrade request, with the API's error body, before
 * anything is upgraded or read. Slow clients and dead peers are dropped (WebSocketChannel).
 */
import { IncomingMessage, Server, STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocket, WebSocketServer } from 'ws';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/config';
import { DomainError } from '../../domain/decider';
import { ErrorBody, toErrorBody } from '../../observability/errors';
import { assertPublicStream, firstRevision } from './public-stream-protocol';
import { PublicStreamFanOuts } from './public-stream-fan-outs';
import { WebSocketChannel, WS_CLOSE } from './websocket-channel';

const ROUTE = /^\/streams\/([^/]+)\/ws\/?$/;
/** How long a closing client has to answer the close frame at shutdown before its socket is cut. */
const CLOSE_GRACE_MS = 1_000;

@Injectable()
export class PublicStreamsWebSocket implements OnApplicationBootstrap, OnModuleDestroy {
  /** Handshakes only: the server listens nowhere of its own, keeps no client list, and takes tiny messages (clients have nothing to say). */
  private readonly wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: 1024 });
  /** Every connection not yet closed, and its channel. */
  private readonly clients = new Map<WebSocket, WebSocketChannel>();
  private server?: Server;
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly fanOuts: PublicStreamFanOuts,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Only the HTTP application has a server to attach to.
    this.server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!this.server) return;
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => {
      for (const channel of this.clients.values()) channel.heartbeat();
    }, this.config.sseHeartbeatMs);
  }

  /**
   * Before the HTTP server closes (which waits for every connection): no more upgrades, and each open
   * client is closed with 1001, its socket cut if it does not answer in time. Each leaves its fan-out.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.server?.off('upgrade', this.onUpgrade);
    clearInterval(this.heartbeat);
    this.wss.close();
    await Promise.all([...this.clients.keys()].map((ws) => this.goAway(ws)));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let stream: string;
    let first: bigint;
    try {
      ({ stream, first } = this.route(req));
    } catch (err) {
      return refuse(socket, toErrorBody(err));
    }
    // ws answers a malformed handshake itself (400, or 405 for a method other than GET).
    this.wss.handleUpgrade(req, socket, head, (ws) => this.follow(ws, socket, stream, first));
  };

  /** The stream and first revision a request names, or the refusal the SSE endpoint would give. */
  private route(req: IncomingMessage): { stream: string; first: bigint } {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const match = req.method === 'GET' ? ROUTE.exec(path) : null;
    const stream = match ? decoded(match[1]) : undefined;
    if (stream === undefined) throw new DomainError('ROUTE_NOT_FOUND', `Cannot upgrade ${req.method ?? ''} ${path.slice(0, 80)}: only GET /streams/{stream}/ws is a WebSocket`);
    assertPublicStream(stream);
    // Repeated, `from` is refused as the SSE endpoint refuses it (Express reads it as a list).
    const from = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)).getAll('from');
    return { stream, first: firstRevision(from.length > 1 ? from.join(',') : from[0]) };
  }

  private follow(ws: WebSocket, socket: Duplex, stream: string, first: bigint): void {
    let leave: (() => void) | undefined;
    const channel = new WebSocketChannel(
      ws,
      this.config.sseMaxBufferBytes,
      () => leave?.(),
      socket,
    );
    if (this.stopping) return channel.close(WS_CLOSE.GOING_AWAY, 'the ledger is stopping');
    // Held until its socket is closed, not just its channel: a client being closed still counts at shutdown.
    this.clients.set(ws, channel);
    ws.once('close', () => this.clients.delete(ws));
    this.fanOuts
      .of(stream)
      .follow({ send: (batch) => channel.send(batch), close: () => channel.close(WS_CLOSE.TRY_AGAIN_LATER, 'stream unavailable; reconnect and resume') }, first)
      .then(
        (stop) => (channel.open ? (leave = stop) : stop()),
        () => channel.close(WS_CLOSE.INTERNAL_ERROR, 'the stream could not be read; reconnect and resume'),
      );
  }

  /** Closes a client with 1001 and waits for its socket to close, cutting it when it does not answer in time. */
  private goAway(ws: WebSocket): Promise<void> {
    return new Promise<void>((resolve) => {
      const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(cut);
        resolve();
      });
      this.clients.get(ws)?.close(WS_CLOSE.GOING_AWAY, 'the ledger is stopping');
      if (ws.readyState === WebSocket.CLOSED) {
        clearTimeout(cut);
        resolve();
      }
    });
  }
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Answers the upgrade request with the API's error body and closes the connection. */
function refuse(socket: Duplex, body: ErrorBody): void {
  const json = JSON.stringify(body);
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${body.statusCode} ${STATUS_CODES[body.statusCode] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      '\r\n' +
      json,
  );
}
