/**
 * Where the store ends: what a rebuild catches up to and an audit of a running store counts its
 * progress against.
 */
import type { EventStoreDBClient } from '@eventstore/db-client';

/** The `$all` position of the store's last event (for progress), or -1 for an empty store. */
export async function lastStorePosition(client: EventStoreDBClient): Promise<bigint> {
  let last = -1n;
  for await (const e of client.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 })) last = e.event?.position?.commit ?? last;
  return last;
}
