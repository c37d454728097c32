/**
 * Notices a stream the ledger depends on being deleted under it. EventStoreDB records a soft delete as
 * the stream's metadata with truncate-before (a `$metadata` event of `$$<stream>`, the embedded store
 * does the same) and a tombstone as a `$streamDeleted` event; both pass through `$all`, which this
 * follows on the live feed from the start, so a deletion is known before the ledger serves and as soon as it happens.
 * A tombstone the store does not publish is still noticed by the first command that meets it.
 */
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AllStreamSubscription, START } from '@eventstore/db-client';
import { isLedgerStream } from '../domain/events';
import { isAccessStream } from '../domain/access/access-registry';
import { Quarantine } from './quarantine';
import { LedgerFeed } from './ledger-feed';

@Injectable()
export class StreamDeletionWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: AllStreamSubscription;

  constructor(
    private readonly feed: LedgerFeed,
    private readonly quarantine: Quarantine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const subscription = this.feed.subscribeToAll({ fromPosition: START, filter: { eventType: /^\$(metadata|streamDeleted)$/ } });
    this.subscription = subscription;
    subscription.on('data', ({ event }) => {
      if (!event) return;
      if (event.type === '$streamDeleted' && dependedOn(event.streamId)) this.quarantine.noticeDeleted(event.streamId, 'tombstoned');
      if (event.type === '$metadata' && event.streamId.startsWith('$$') && dependedOn(event.streamId.slice(2)) && truncates(event.data)) {
        this.quarantine.noticeDeleted(event.streamId.slice(2), 'deleted');
      }
    });
    await new Promise<void>((resolve, reject) => {
      subscription.once('caughtUp', () => resolve());
      subscription.once('error', reject);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.unsubscribe().catch(() => undefined); // the connection may be closing too
  }
}

function dependedOn(stream: string): boolean {
  return isLedgerStream(stream) || isAccessStream(stream);
}

/** Metadata that cuts off the start of the stream: its history is gone, whatever the writer meant. */
function truncates(data: unknown): boolean {
  const tb = (data as { $tb?: unknown } | undefined)?.$tb;
  return typeof tb === 'number' && tb > 0;
}
