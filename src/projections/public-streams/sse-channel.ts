/**
 * One client's server-sent events connection: frames, heartbeats, and the bound on what the server
 * holds for it. What is sent within `flushMs` goes out in one write, so a client costs a write per
 * interval rather than one per event (with thousands of clients, writes are the cost). A client that has not taken SSE_MAX_BUFFER_BYTES of what
 * was written is sent a `dropped` event naming the revision to resume from, and closed: its memory on
 * the server stays bounded whatever the stream's rate.
 */
export interface SseTarget {
  write(chunk: string): boolean;
  end(): void;
  readonly writableLength: number;
  readonly writableEnded: boolean;
}

/** The SSE frame of one event of a stream: its revision as the id, its JSON as the data. */
export const sseFrame = (revision: bigint, json: string) => `id: ${revision}\ndata: ${json}\n\n`;

export class SseChannel {
  private pending: string[] = [];
  /** The revision of the last event handed to the socket. */
  private written?: bigint;
  private last?: bigint;

  constructor(
    private readonly out: SseTarget,
    private readonly maxBufferBytes: number,
    private readonly onClose: () => void,
    private readonly flushMs = 0,
  ) {
    // Browsers reconnect after this long, with Last-Event-ID.
    out.write('retry: 1000\n\n');
  }

  get open(): boolean {
    return !this.out.writableEnded;
  }

  /** Queues one event's frame for the next write; answers false once the client is gone. */
  send(revision: bigint, frame: string): boolean {
    if (!this.open) return false;
    this.pending.push(frame);
    this.last = revision;
    if (this.pending.length === 1) {
      if (this.flushMs > 0) setTimeout(() => this.flush(), this.flushMs);
      else setImmediate(() => this.flush());
    }
    return true;
  }

  heartbeat(): void {
    if (this.open && this.pending.length === 0) this.out.write(': heartbeat\n\n');
  }

  close(): void {
    if (!this.open) return;
    this.pending = [];
    this.out.end();
    this.onClose();
  }

  private flush(): void {
    if (!this.open || this.pending.length === 0) return;
    this.out.write(this.pending.join(''));
    this.pending = [];
    this.written = this.last;
    if (this.out.writableLength <= this.maxBufferBytes) return;
    const resumeFrom = (this.written! + 1n).toString();
    this.out.write(`event: dropped\ndata: ${JSON.stringify({ code: 'SLOW_CONSUMER', message: 'the client fell too far behind; resume from the revision given', resumeFrom })}\n\n`);
    this.close();
  }
}
