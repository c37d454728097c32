/**
 * One client's server-sent events connection: frames, heartbeats, and the bound on what the server
 * holds for it. A client that has not taken SSE_MAX_BUFFER_BYTES of what was written is sent a
 * `dropped` event naming the revision to resume from, and closed: its memory on the server stays
 * bounded whatever the stream's rate.
 */
export interface SseTarget {
  write(chunk: string): boolean;
  end(): void;
  readonly writableLength: number;
  readonly writableEnded: boolean;
}

export class SseChannel {
  constructor(
    private readonly out: SseTarget,
    private readonly maxBufferBytes: number,
    private readonly onClose: () => void,
  ) {
    // Browsers reconnect after this long, with Last-Event-ID.
    out.write('retry: 1000\n\n');
  }

  get open(): boolean {
    return !this.out.writableEnded;
  }

  /** Sends one event; answers false once the client has been dropped (or was closed). */
  send(revision: bigint, message: unknown): boolean {
    if (!this.open) return false;
    this.out.write(`id: ${revision}\ndata: ${JSON.stringify(message)}\n\n`);
    if (this.out.writableLength <= this.maxBufferBytes) return true;
    const resumeFrom = (revision + 1n).toString();
    this.out.write(`event: dropped\ndata: ${JSON.stringify({ code: 'SLOW_CONSUMER', message: 'the client fell too far behind; resume from the revision given', resumeFrom })}\n\n`);
    this.close();
    return false;
  }

  heartbeat(): void {
    if (this.open) this.out.write(': heartbeat\n\n');
  }

  close(): void {
    if (!this.open) return;
    this.out.end();
    this.onClose();
  }
}
