/**
 * One client's WebSocket connection to a public stream: the WebSocket counterpart of SseChannel. Each
 * event is one text message, its JSON as the SSE `data` carries it; a batch goes out in one write (the
 * socket is corked around it). A dropped client (StreamChannel) is sent
 * `{ event: "dropped", code: "SLOW_CONSUMER", resumeFrom }` and closed with 1008 (policy violation).
 * A ping goes out every heartbeat; a client that has not answered the previous one is cut off (a dead
 * peer holds nothing for long).
 */
import { WebSocket } from 'ws';
import { SlowConsumerNotice, StreamChannel } from './stream-channel';
import type { StreamBatch } from './stream-fan-out';

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

export class WebSocketChannel extends StreamChannel {
  private closed = false;
  /** Whether the client answered the last ping (or none was sent yet). */
  private answered = true;

  constructor(
    private readonly ws: WebSocket,
    maxBufferBytes: number,
    private readonly onClose: () => void,
    private readonly socket?: Corkable,
  ) {
    super(maxBufferBytes);
    ws.on('pong', () => (this.answered = true));
    // The peer closed, or the connection failed (ws closes it then): nothing more goes out.
    ws.on('close', () => this.finish());
    ws.on('error', () => this.finish());
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
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

  /** Closes the connection with `code`. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    const open = this.ws.readyState === WebSocket.OPEN;
    this.finish();
    if (open) this.ws.close(code, reason);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  protected write(batch: StreamBatch): void {
    this.socket?.cork();
    try {
      for (const m of batch.messages) this.ws.send(m.json);
    } finally {
      this.socket?.uncork();
    }
  }

  protected get unsent(): number {
    return this.ws.bufferedAmount;
  }

  protected drop(notice: SlowConsumerNotice): void {
    this.ws.send(JSON.stringify({ event: 'dropped', ...notice }));
    this.close(WS_CLOSE.SLOW_CONSUMER, 'SLOW_CONSUMER');
  }
}
