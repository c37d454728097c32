/**
 * The fan-outs of the public streams, one per followed stream, shared by both transports: an SSE
 * client and a WebSocket client of the same stream hang off the same live subscription, and each event
 * is encoded to JSON once for all of them.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/config';
import { publicMessage } from './public-stream-protocol';
import { StreamFanOut } from './stream-fan-out';

@Injectable()
export class PublicStreamFanOuts implements BeforeApplicationShutdown {
  /** One live subscription per followed stream, shared by its clients; dropped when its last client leaves. */
  private readonly fanOuts = new Map<string, StreamFanOut>();

  constructor(
    private readonly client: EventStoreDBClient,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  of(stream: string): StreamFanOut {
    let fanOut = this.fanOuts.get(stream);
    if (!fanOut) {
      fanOut = new StreamFanOut(this.client, stream, (event) => JSON.stringify(publicMessage(stream, event)), this.config.sseFlushMs, () => this.fanOuts.delete(stream));
      this.fanOuts.set(stream, fanOut);
    }
    return fanOut;
  }

  /** How many clients, SSE and WebSocket together, follow `stream` on its one live subscription (0: none, no subscription). */
  clients(stream: string): number {
    return this.fanOuts.get(stream)?.size ?? 0;
  }

  /**
   * The ledger is stopping: clients still following (WebSocket clients are closed before this, with
   * 1001) are ended, so the HTTP server can close, and the subscriptions are released.
   */
  beforeApplicationShutdown(): void {
    for (const fanOut of [...this.fanOuts.values()]) fanOut.end();
  }
}
