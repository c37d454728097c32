/**
 * The public projection streams over HTTP, as server-sent events. Each event's SSE id is its revision
 * in the stream, so a client that reconnects with `Last-Event-ID` (browsers do so on their own) or
 * `?from=` gets exactly what it has not had: nothing missed, nothing twice.
 *
 * All clients of a stream share one subscription (StreamFanOut), those of the WebSocket variant
 * (public-streams.websocket.ts) too. A client that reads slower than the stream grows is dropped
 * rather than buffered for (SseChannel).
 */
import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LEDGER_CONFIG, LedgerConfig } from '../../config/config';
import { assertPublicStream, firstRevision } from './public-stream-protocol';
import { PublicStreamFanOuts } from './public-stream-fan-outs';
import { SseChannel } from './sse-channel';
import { Access } from '../../access/access-policy';

@ApiTags('projection streams')
@Controller('streams')
export class PublicStreamsController {
  constructor(
    private readonly fanOuts: PublicStreamFanOuts,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get(':stream/events')
  @Access({ allow: 'anyone' })
  @ApiOperation({
    summary: 'Follow a public projection stream (server-sent events)',
    description:
      'Streams `public-prices`, `public-liquidations`, `public-auctions` and `public-pool-state-<pool>`: public and size-free. Each SSE message has `id` = its revision ' +
      'and `data` = `{ stream, revision, type, data, source }` (source: the ledger event in `$all` it was derived from). A comment line ' +
      'is sent as a heartbeat. A client too slow to keep up gets `event: dropped` with `{ code: "SLOW_CONSUMER", resumeFrom }` and is disconnected. ' +
      'WebSocket variant (not describable here): `GET /streams/{stream}/ws?from=<revision>` upgraded on the same port, anyone may connect; each text message is the same JSON ' +
      'as an SSE `data`; refusals (404 `STREAM_NOT_FOUND`, 422 `INVALID_CHECKPOINT`) are HTTP answers to the upgrade request; a ping is sent every `SSE_HEARTBEAT_MS` ' +
      'and a client that has not answered the previous one is cut off; a client too slow to keep up gets `{ "event": "dropped", "code": "SLOW_CONSUMER", resumeFrom }` ' +
      'and close code 1008.',
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
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    assertPublicStream(stream);
    const first = firstRevision(from, lastEventId);

    // The connection is the stream's from here on: the framework sends nothing more on it.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
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
    );
    req.raw.on('close', () => channel.close());
    this.fanOuts
      .of(stream)
      .follow({ send: (batch) => channel.send(batch), close: () => channel.close() }, first)
      .then(
        (stop) => (channel.open ? (leave = stop) : stop()),
        () => channel.close(),
      );
  }
}

