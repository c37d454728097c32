/**
 * The public projection streams over HTTP, as server-sent events. Each event's SSE id is its revision
 * in the stream, so a client that reconnects with `Last-Event-ID` (browsers do so on their own) or
 * `?from=` gets exactly what it has not had: nothing missed, nothing twice.
 *
 * All clients of a stream share one subscription (StreamFanOut). A client that reads slower than the
 * stream grows is dropped rather than buffered for (SseChannel).
 */
import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Request, Response } from 'express';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/config';
import { DomainError } from '../../domain/decider';
import { isPublicStream } from './public-streams';
import { SseChannel, sseFrame } from './sse-channel';
import { StreamFanOut } from './stream-fan-out';
import { Access } from '../../access/access-policy';

const REVISION = /^(0|[1-9][0-9]{0,18})$/;

@ApiTags('projection streams')
@Controller('streams')
export class PublicStreamsController {
  /** One live subscription per followed stream, shared by its clients. */
  private readonly fanOuts = new Map<string, StreamFanOut>();

  constructor(
    private readonly client: EventStoreDBClient,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get(':stream/events')
  @Access({ allow: 'anyone' })
  @ApiOperation({
    summary: 'Follow a public projection stream (server-sent events)',
    description:
      'Streams `public-prices`, `public-liquidations`, `public-auctions` and `public-pool-state-<pool>`: public and size-free. Each SSE message has `id` = its revision ' +
      'and `data` = `{ stream, revision, type, data, source }` (source: the ledger event in `$all` it was derived from). A comment line ' +
      'is sent as a heartbeat. A client too slow to keep up gets `event: dropped` with `{ code: "SLOW_CONSUMER", resumeFrom }` and is disconnected.',
  })
  @ApiParam({ name: 'stream', example: 'public-pool-state-weth-usdc' })
  @ApiQuery({ name: 'from', required: false, description: 'First revision to send (default 0). Last-Event-ID, when sent, wins: it resumes after that revision.' })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The last revision received: resume after it' })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'text/event-stream' })
  @ApiResponse({ status: 404, description: 'STREAM_NOT_FOUND: not a public projection stream' })
  @ApiResponse({ status: 422, description: 'INVALID_CHECKPOINT: `from` or Last-Event-ID is not a revision' })
  follow(
    @Param('stream') stream: string,
    @Query('from') from: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): void {
    if (!isPublicStream(stream)) throw new DomainError('STREAM_NOT_FOUND', `${stream.slice(0, 80)} is not a public projection stream`);
    const first = firstRevision(from, lastEventId);

    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();

    let leave: (() => void) | undefined;
    const heartbeat = setInterval(() => channel.heartbeat(), this.config.sseHeartbeatMs);
    const channel = new SseChannel(
      res,
      this.config.sseMaxBufferBytes,
      () => {
        clearInterval(heartbeat);
        leave?.();
      },
      this.config.sseFlushMs,
    );
    req.on('close', () => channel.close());
    this.fanOutOf(stream)
      .follow({ send: (revision, frame) => channel.send(revision, frame), close: () => channel.close() }, first)
      .then(
        (stop) => (channel.open ? (leave = stop) : stop()),
        () => channel.close(),
      );
  }

  private fanOutOf(stream: string): StreamFanOut {
    let fanOut = this.fanOuts.get(stream);
    if (!fanOut) {
      fanOut = new StreamFanOut(this.client, stream, (event) => sseFrame(event.revision, JSON.stringify(publicMessage(stream, event))), () => this.fanOuts.delete(stream));
      this.fanOuts.set(stream, fanOut);
    }
    return fanOut;
  }
}

/** What a client receives of a public event: the event and where it came from in `$all`. */
function publicMessage(stream: string, event: { revision: bigint; type: string; data: unknown; metadata?: unknown }) {
  const source = (event.metadata as { source?: unknown } | undefined)?.source;
  return { stream, revision: event.revision.toString(), type: event.type, data: event.data, source };
}

/** The first revision to send: after Last-Event-ID when the client sends one, else `from`, else 0. */
function firstRevision(from: string | undefined, lastEventId: string | undefined): bigint {
  if (lastEventId !== undefined && lastEventId !== '') {
    if (!REVISION.test(lastEventId)) throw new DomainError('INVALID_CHECKPOINT', 'Last-Event-ID must be a revision the stream sent');
    return BigInt(lastEventId) + 1n;
  }
  if (from === undefined) return 0n;
  if (!REVISION.test(from)) throw new DomainError('INVALID_CHECKPOINT', '`from` must be a stream revision, a whole number');
  return BigInt(from);
}
