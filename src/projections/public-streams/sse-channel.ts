/**
 * One client's server-sent events connection: frames and heartbeats, and the bound on what the server
 * holds for it (StreamChannel). A dropped client is sent a `dropped` event naming the revision to
 * resume from.
 */
import { SlowConsumerNotice, StreamChannel } from './stream-channel';
import type { StreamBatch } from './stream-fan-out';

export interface SseTarget {
  write(chunk: string | Buffer): boolean;
  end(): void;
  readonly writableLength: number;
  readonly writableEnded: boolean;
}

export class SseChannel extends StreamChannel {
  constructor(
    private readonly out: SseTarget,
    maxBufferBytes: number,
    private readonly onClose: () => void,
  ) {
    super(maxBufferBytes);
    // Browsers reconnect after this long, with Last-Event-ID.
    out.write('retry: 1000\n\n');
  }

  get open(): boolean {
    return !this.out.writableEnded;
  }

  heartbeat(): void {
    if (this.open) this.out.write(': heartbeat\n\n');
  }

  close(): void {
    if (!this.open) return;
    this.out.end();
    this.onClose();
  }

  protected write(batch: StreamBatch): void {
    this.out.write(batch.sse);
  }

  protected get unsent(): number {
    return this.out.writableLength;
  }

  protected drop(notice: SlowConsumerNotice): void {
    this.out.write(`event: dropped\ndata: ${JSON.stringify(notice)}\n\n`);
    this.close();
  }
}
