/**
 * One client's WebSocket connection to a public stream: the WebSocket counterpart of SseChannel. Each
 * event is one text message, its JSON as the SSE `data` carries it. What is sent within `flushMs` goes
 * out in one write (the socket is corked around the batch), so a client costs a write per interval
 * rather than one per event. A client whose `bufferedAmount` passes SSE_MAX_BUFFER_BYTES is sent
 * `{ event: "dropped", code: "SLOW_CONSUMER", resumeFrom }` and closed with 1008 (policy violation):
 * its memory on the server stays bounded whatever the stream's rate. A ping goes out every heartbeat;
 * a client that has not answered the previous one is cut off (a dead peer holds nothing for long).
 */
import { WebSocket } from 'ws';

/** Close codes the server uses (RFC 6455 §7.4.1). */
export const WS_CLOSE = {
  /** The ledger is stopping: reconnect later and resume. */
  GOING_AWAY: 1001,
  /** The client fell too far behind (SLOW_CONSUMER): resume from the revision given. */
  SLOW_CONSUMER: 1008,
  /** The stream could not be read: reconnect and resume. */
  INTERNAL_ERROR: 1011,
  /** The stream's live subscription ended: reconnect and resume. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** What the channel batches writes on: the connection's socket (the one the upgrade came in on). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export class WebSocketChannel {
  private pending: string[] = [];
  /** The revision of the last event handed to the socket. */
  private written?: bigint;
  private last?: bigint;
  private closed = false;
  /** Whether the client answered the last ping (or none was sent yet). */
  private answered = true;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxBufferBytes: number,
    private readonly onClose: () => void,
    private readonly flushMs = 0,
    private readonly socket?: Corkable,
  ) {
    ws.on('pong', () => (this.answered = true));
    // The peer closed, or the connection failed (ws closes it then): nothing more goes out.
    ws.on('close', () => this.finish());
    ws.on('error', () => this.finish());
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  /** Queues one event's JSON for the next write; answers false once the client is gone. */
  send(revision: bigint, json: string): boolean {
    if (!this.open) return false;
    this.pending.push(json);
    this.last = revision;
    if (this.pending.length === 1) {
      if (this.flushMs > 0) setTimeout(() => this.flush(), this.flushMs);
      else setImmediate(() => this.flush());
    }
    return true;
  }

  /** Pings the client, or cuts it off when it has not answered the previous ping. */
  heartbeat(): void {
    if (!this.open) return;
    if (!this.answered) {
      this.finish();
      this.ws.terminate();
      return;
    }
    this.answered = false;
    this.ws.ping();
  }

  /** Closes the connection with `code` (what is still queued is not sent: the client resumes after what it had). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    const open = this.ws.readyState === WebSocket.OPEN;
    this.finish();
    if (open) this.ws.close(code, reason);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.onClose();
  }

  private flush(): void {
    if (!this.open || this.pending.length === 0) return;
    this.socket?.cork();
    try {
      for (const json of this.pending) this.ws.send(json);
    } finally {
      this.socket?.uncork();
    }
    this.pending = [];
    this.written = this.last;
    if (this.ws.bufferedAmount <= this.maxBufferBytes) return;
    const resumeFrom = (this.written! + 1n).toString();
    this.ws.send(JSON.stringify({ event: 'dropped', code: 'SLOW_CONSUMER', message: 'the client fell too far behind; resume from the revision given', resumeFrom }));
    this.close(WS_CLOSE.SLOW_CONSUMER, 'SLOW_CONSUMER');
  }
}
