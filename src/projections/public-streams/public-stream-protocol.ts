/**
 * What the two transports of the public streams (server-sent events and WebSocket) share: which
 * streams they serve, the revision a client starts from, and the JSON each event is sent as. Pure.
 */
import { DomainError } from '../../domain/decider';
import { isPublicStream } from './public-streams';

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
