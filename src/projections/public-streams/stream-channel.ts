/**
 * What a client's connection to a public stream does whatever its transport (SseChannel,
 * WebSocketChannel): it writes each batch the fan-out hands it in one write, and a client that has
 * more than `maxBufferBytes` still unsent after a write is dropped, told the revision to resume from.
 * The client's memory on the server stays bounded whatever the stream's rate.
 */
import { StreamBatch } from './stream-fan-out';

/** What a dropped client is told, whatever its transport. */
export interface SlowConsumerNotice {
  code: 'SLOW_CONSUMER';
  message: string;
  /** The revision to resume from: the one after the last event written to the client. */
  resumeFrom: string;
}

export abstract class StreamChannel {
  constructor(private readonly maxBufferBytes: number) {}

  abstract get open(): boolean;
  /** Writes a batch of events as one write. */
  protected abstract write(batch: StreamBatch): void;
  /** Bytes written and not yet taken by the client. */
  protected abstract get unsent(): number;
  /** Tells the client it was dropped and where to resume, and closes the connection. */
  protected abstract drop(notice: SlowConsumerNotice): void;

  /** Writes a batch of events; answers false once the client is gone. */
  send(batch: StreamBatch): boolean {
    if (!this.open) return false;
    this.write(batch);
    if (this.unsent > this.maxBufferBytes) {
      this.drop({ code: 'SLOW_CONSUMER', message: 'the client fell too far behind; resume from the revision given', resumeFrom: (batch.last + 1n).toString() });
    }
    return true;
  }
}
