/** Reading the public projection streams as an integrator would, for the SSE and WebSocket suites. */
import { EventStoreDBClient, FORWARDS, START, StreamNotFoundError } from '@eventstore/db-client';
import { Actor, RunningLedger } from './ledger-app';
import { waitFor } from './wait';

/** A public event as a client receives it. */
export interface Received {
  revision: string;
  type: string;
  data: unknown;
  metadata?: any;
}

/** What a stream holds in the store, in order (nothing yet: empty). */
export async function readPublicStream(ledger: RunningLedger, stream: string): Promise<Received[]> {
  const out: Received[] = [];
  try {
    for await (const { event } of ledger.app.get(EventStoreDBClient).readStream(stream, { direction: FORWARDS, fromRevision: START })) {
      if (event) out.push({ revision: event.revision.toString(), type: event.type, data: event.data, metadata: event.metadata });
    }
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
  }
  return out;
}

/** Waits until the projector has caught up with the ledger (nothing waiting, as `integrator` sees it in GET /projections) and `stream` is at least `length` long. */
export async function projectorCaughtUp(ledger: RunningLedger, integrator: Actor, stream: string, length: number): Promise<Received[]> {
  return waitFor(async () => {
    const { status, body } = await ledger.as(integrator)('GET', '/projections');
    if (status !== 200) throw new Error(`GET /projections answered ${status}`);
    const projector = (body as Array<{ projection: string; lagEvents?: number }>).find((s) => s.projection === 'public-streams');
    if (projector?.lagEvents !== 0) return undefined;
    const events = await readPublicStream(ledger, stream);
    return events.length >= length ? events : undefined;
  });
}

/** What `public-prices` holds before the first price: the feed's registration and the three oracle keys of the test market. */
export const PRICE_STREAM_SETUP = 4;
