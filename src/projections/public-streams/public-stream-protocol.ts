/**
 * What integrators and the two transports of the public streams (server-sent events and WebSocket)
 * share: the streams' names, which streams are served, the revision a client starts from, and the
 * JSON (and SSE frame) each event is sent as. Pure.
 */
import { DomainError } from '../../domain/decider';

/**
 * Every public stream's name starts with this, and no ledger stream's does: one prefix rule separates
 * what integrators may read from the confidential streams (in the app, and in an EventStoreDB ACL).
 */
export const PUBLIC_STREAM_PREFIX = 'public-';
export const PRICES_STREAM = 'public-prices';
export const LIQUIDATIONS_STREAM = 'public-liquidations';
export const AUCTIONS_STREAM = 'public-auctions';
const POOL_STATE_STREAM_PREFIX = 'public-pool-state-';
export const poolStateStream = (poolId: string) => `${POOL_STATE_STREAM_PREFIX}${poolId}`;

/** Whether integrators may read `stream`: the public projection streams, and nothing else. */
export function isPublicStream(stream: string): boolean {
  return stream === PRICES_STREAM || stream === LIQUIDATIONS_STREAM || stream === AUCTIONS_STREAM || (stream.startsWith(POOL_STATE_STREAM_PREFIX) && stream.length > POOL_STATE_STREAM_PREFIX.length);
}

const REVISION = /^(0|[1-9][0-9]{0,18})$/;

/** Refuses (STREAM_NOT_FOUND, 404) a stream that is not a public projection stream. */
export function assertPublicStream(stream: string): void {
  if (!isPublicStream(stream)) throw new DomainError('STREAM_NOT_FOUND', `${stream.slice(0, 80)} is not a public projection stream`);
}

/**
 * The first revision to send: after Last-Event-ID when the client sends one (SSE only), else `from`,
 * else 0. Anything that is not a revision is refused with INVALID_CHECKPOINT (422).
 */
export function firstRevision(from: string | undefined, lastEventId?: string): bigint {
  if (lastEventId !== undefined && lastEventId !== '') {
    if (!REVISION.test(lastEventId)) throw new DomainError('INVALID_CHECKPOINT', 'Last-Event-ID must be a revision the stream sent');
    return BigInt(lastEventId) + 1n;
  }
  if (from === undefined) return 0n;
  if (!REVISION.test(from)) throw new DomainError('INVALID_CHECKPOINT', '`from` must be a stream revision, a whole number');
  return BigInt(from);
}

/** What a client receives of a public event: the event and where it came from in `$all`. */
export function publicMessage(stream: string, event: { revision: bigint; type: string; data: unknown; metadata?: unknown }) {
  const source = (event.metadata as { source?: unknown } | undefined)?.source;
  return { stream, revision: event.revision.toString(), type: event.type, data: event.data, source };
}

/** The SSE frame of one event of a stream: its revision as the id, its JSON as the data. */
export const sseFrame = (revision: bigint, json: string) => `id: ${revision}\ndata: ${json}\n\n`;
