/**
 * The EventStoreDB gRPC protocol over the engine: the streams service (append, read a stream or `$all`
 * in both directions, catch-up subscriptions with server-side filters and checkpoints, delete,
 * tombstone) and the server-features query. Service and message definitions are the ones shipped with
 * `@eventstore/db-client`, so any EventStoreDB client sees the responses it expects.
 */
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { AccessDenied as AccessDeniedDetails, Empty, StreamIdentifier, Timeout, UUID, WrongExpectedVersion as WrongExpectedVersionDetails, StreamDeleted, MaximumAppendSizeExceeded, Unknown, AllStreamPosition } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtobufEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  DeleteReq,
  DeleteResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import { AllPosition, AppendOutcome, comparePosition, DeleteOutcome, EventStoreEngine, ExpectedRevision, MAX_APPEND_SIZE, ReadEvent } from './store';
import { jsonStoredEvent, StoredEvent } from './log-record';
import { AccessDenied, Authorizer, BadCredentials, Operation } from './security';
import { uuidBytes, uuidText } from './uuid';
import { encodeReadEventResponse } from './read-event-encoding';

const SERVER_VERSION = '24.10.0';
/** Events read from storage per step of a read or subscription before yielding to others. */
const PAGE = 512;
/** EventStoreDB's default search window: a filtered subscription checkpoints every multiplier × this. */
const SEARCH_WINDOW = 32;
const MAX_STREAM_NAME_BYTES = 1024;

/** The server; with an authorizer (secure mode) every stream operation needs a user the ACLs allow. */
export function createGrpcServer(engine: EventStoreEngine, authorizer?: Authorizer): grpc.Server {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * MAX_APPEND_SIZE });
  const streams = new StreamsHandlers(engine, authorizer);
  // Read responses are written as bytes: events pre-encoded, the rest serialized by the generated classes.
  const service = { ...StreamsService, read: { ...StreamsService.read, responseSerialize: (bytes: Buffer) => bytes } };
  server.addService(service as unknown as grpc.ServiceDefinition, {
    read: (call: grpc.ServerWritableStream<ReadReq, Buffer>) => streams.read(call),
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, cb: grpc.sendUnaryData<AppendResp>) => streams.append(call, cb),
    delete: (call: grpc.ServerUnaryCall<DeleteReq, DeleteResp>, cb: grpc.sendUnaryData<DeleteResp>) => streams.delete(call, cb),
    tombstone: (call: grpc.ServerUnaryCall<TombstoneReq, TombstoneResp>, cb: grpc.sendUnaryData<TombstoneResp>) => streams.tombstone(call, cb),
    batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => streams.batchAppend(call),
  });
  server.addService(ServerFeaturesService, {
    getSupportedMethods: (_call: unknown, cb: grpc.sendUnaryData<SupportedMethods>) => cb(null, supportedMethods()),
  });
  return server;
}

/** What this server implements, so a client picks the append and read paths it can use. */
function supportedMethods(): SupportedMethods {
  const method = (service: string, name: string, features: string[] = []) =>
    new SupportedMethod().setServiceName(service).setMethodName(name).setFeaturesList(features);
  const streams = 'event_store.client.streams.Streams';
  return new SupportedMethods()
    .setEventStoreServerVersion(SERVER_VERSION)
    .setMethodsList([
      method(streams, 'Read', ['position', 'events']),
      method(streams, 'Append'),
      method(streams, 'BatchAppend'),
      method(streams, 'Delete'),
      method(streams, 'Tombstone'),
      method('event_store.client.server_features.ServerFeatures', 'GetSupportedMethods'),
    ]);
}

/** A gRPC error the official clients turn into their typed errors (they read the `exception` trailer). */
function protocolError(code: grpc.status, details: string, trailers: Record<string, string> = {}): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(trailers)) metadata.set(k, v);
  return Object.assign(new Error(details), { code, details, metadata }) as grpc.ServiceError;
}

const accessDenied = (details: string) => protocolError(grpc.status.PERMISSION_DENIED, details, { exception: 'access-denied' });
const badCredentials = () => protocolError(grpc.status.UNAUTHENTICATED, 'Bad credentials.', { exception: 'not-authenticated' });

const invalid = (details: string) => protocolError(grpc.status.INVALID_ARGUMENT, details, { exception: 'invalid-argument' });
const streamDeleted = (stream: string) =>
  protocolError(grpc.status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, { exception: 'stream-deleted', 'stream-name': stream });

const appendTooLarge = () =>
  protocolError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`, {
    exception: 'maximum-append-size-exceeded',
    'maximum-append-size': String(MAX_APPEND_SIZE),
  });

/** The getters Append's and BatchAppend's proposed messages share. */
interface ProposedMessage {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

function toStoredEvent(message: ProposedMessage): StoredEvent {
  const id = uuidBytes(message.getId());
  if (!id) throw invalid('every event needs a well-formed UUID id');
  const meta = message.getMetadataMap();
  const type = meta.get('type');
  if (!type) throw invalid("every event needs a 'type'");
  const contentType = meta.get('content-type') ?? 'application/octet-stream';
  if (contentType !== 'application/json' && contentType !== 'application/octet-stream') {
    throw invalid(`content-type must be application/json or application/octet-stream, not '${contentType}'`);
  }
  return {
    id,
    type,
    isJson: contentType === 'application/json',
    created: BigInt(Date.now()) * 10_000n,
    data: Buffer.from(message.getData_asU8()),
    metadata: Buffer.from(message.getCustomMetadata_asU8()),
  };
}

function streamName(identifier: StreamIdentifier | undefined): string {
  const raw = identifier?.getStreamName_asU8();
  if (!raw || raw.length === 0) throw invalid('a stream name is required');
  if (raw.length > MAX_STREAM_NAME_BYTES) throw invalid(`stream names are at most ${MAX_STREAM_NAME_BYTES} bytes`);
  const name = Buffer.from(raw).toString('utf8');
  if (name === '$all') throw invalid("'$all' cannot be written to or read as a stream");
  return name;
}

function expectedOf(o: { hasAny(): boolean; hasNoStream(): boolean; hasRevision(): boolean; getRevision(): string; hasStreamExists?(): boolean }): ExpectedRevision {
  if (o.hasNoStream()) return { kind: 'no_stream' };
  if (o.hasStreamExists?.()) return { kind: 'stream_exists' };
  if (o.hasRevision()) return { kind: 'exact', revision: BigInt(o.getRevision()) };
  return { kind: 'any' };
}

interface Filter {
  on: 'stream' | 'type';
  matches: (value: string) => boolean;
  checkpointEvery: number;
}

class StreamsHandlers {
  constructor(
    private readonly engine: EventStoreEngine,
    private readonly authorizer?: Authorizer,
  ) {}

  /** Throws the protocol's error unless the call's user may do `op` on the stream (anything goes in insecure mode). */
  private allow(metadata: grpc.Metadata, op: Operation, stream: string): void {
    if (!this.authorizer) return;
    try {
      this.authorizer.authorize(this.authorizer.authenticate(metadata.get('authorization')[0]?.toString()), op, stream);
    } catch (err) {
      if (err instanceof BadCredentials) throw badCredentials();
      if (err instanceof AccessDenied) throw accessDenied(err.message);
      throw err;
    }
  }

  // ---- append ----

  append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, cb: grpc.sendUnaryData<AppendResp>): void {
    let options: AppendReq.Options | undefined;
    const events: StoredEvent[] = [];
    let size = 0;
    let failed = false;
    const fail = (err: grpc.ServiceError) => {
      if (failed) return;
      failed = true;
      cb(err);
    };
    call.on('data', (req: AppendReq) => {
      if (failed) return;
      try {
        if (req.hasOptions()) {
          if (options) throw invalid('append options were sent twice');
          options = req.getOptions();
          return;
        }
        if (!options) throw invalid('append options must come before the events');
        const event = toStoredEvent(req.getProposedMessage()!);
        size += event.data.length + event.metadata.length;
        if (size > MAX_APPEND_SIZE) throw appendTooLarge();
        events.push(event);
      } catch (err) {
        fail(err as grpc.ServiceError);
      }
    });
    call.on('error', () => (failed = true));
    call.on('end', () => {
      if (failed) return;
      void this.finishAppend(options, events, call.metadata).then(
        (resp) => cb(null, resp),
        (err) => fail(err as grpc.ServiceError),
      );
    });
  }

  private async finishAppend(options: AppendReq.Options | undefined, events: StoredEvent[], metadata: grpc.Metadata): Promise<AppendResp> {
    if (!options) throw invalid('an append needs its options');
    const stream = streamName(options.getStreamIdentifier());
    this.allow(metadata, '$w', stream);
    const outcome = await this.engine.append(stream, expectedOf(options), events);
    if (outcome.status === 'stream_deleted') throw streamDeleted(stream);
    const resp = new AppendResp();
    if (outcome.status === 'ok') {
      const success = new AppendResp.Success().setCurrentRevision(outcome.nextRevision.toString());
      success.setPosition(new AppendResp.Position().setCommitPosition(outcome.position.commit.toString()).setPreparePosition(outcome.position.prepare.toString()));
      return resp.setSuccess(success);
    }
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentRevision(outcome.current.toString());
    const expected = outcome.expected;
    if (expected.kind === 'exact') wrong.setExpectedRevision(expected.revision.toString());
    else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new Empty());
    else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
    else wrong.setExpectedAny(new Empty());
    return resp.setWrongExpectedVersion(wrong);
  }

  // ---- batch append: one long-lived stream carrying many appends, told apart by correlation id ----

  batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    // Credentials are the call's: wrong ones end it, as EventStoreDB does, before any append is taken.
    try {
      this.authorizer?.authenticate(call.metadata.get('authorization')[0]?.toString());
    } catch {
      call.emit('error', badCredentials());
      return;
    }
    const pending = new Map<string, { options?: BatchAppendReq.Options; events: StoredEvent[]; size: number; failed: boolean }>();
    call.on('data', (req: BatchAppendReq) => {
      const correlation = req.getCorrelationId();
      const key = correlation ? uuidText(uuidBytes(correlation) ?? Buffer.alloc(16)) : '';
      const entry = pending.get(key) ?? { events: [], size: 0, failed: false };
      pending.set(key, entry);
      const reply = (fill: (resp: BatchAppendResp) => void) => {
        const resp = new BatchAppendResp();
        if (correlation) resp.setCorrelationId(correlation);
        const identifier = entry.options?.getStreamIdentifier();
        if (identifier) resp.setStreamIdentifier(identifier);
        fill(resp);
        call.write(resp);
      };
      try {
        if (entry.failed) return void (req.getIsFinal() && pending.delete(key));
        if (req.hasOptions()) entry.options = req.getOptions();
        for (const message of req.getProposedMessagesList()) {
          const event = toStoredEvent(message);
          entry.size += event.data.length + event.metadata.length;
          if (entry.size > MAX_APPEND_SIZE) throw appendTooLarge();
          entry.events.push(event);
        }
        if (!req.getIsFinal()) return;
        pending.delete(key);
        const options = entry.options;
        if (!options) throw invalid('an append needs its options');
        const stream = streamName(options.getStreamIdentifier());
        this.allow(call.metadata, '$w', stream);
        // The append's own deadline (the call itself has none): past it, nothing is written.
        const deadline = options.getDeadline()?.toDate();
        if (deadline && deadline.getTime() < Date.now()) return reply((resp) => resp.setError(status(grpc.status.DEADLINE_EXCEEDED, 'Timeout', new Timeout(), 'event_store.client.Timeout')));
        const expected: ExpectedRevision = options.hasNoStream()
          ? { kind: 'no_stream' }
          : options.hasStreamExists()
            ? { kind: 'stream_exists' }
            : options.hasStreamPosition()
              ? { kind: 'exact', revision: BigInt(options.getStreamPosition()) }
              : { kind: 'any' };
        void this.engine.append(stream, expected, entry.events).then(
          (outcome) => reply((resp) => fillBatchOutcome(resp, stream, outcome)),
          (err: unknown) => reply((resp) => resp.setError(statusOf(err))),
        );
      } catch (err) {
        entry.failed = !req.getIsFinal();
        if (req.getIsFinal()) pending.delete(key);
        reply((resp) => resp.setError(statusOf(err)));
      }
    });
    call.on('end', () => call.end());
    call.on('error', () => pending.clear());
  }

  // ---- delete and tombstone ----

  delete(call: grpc.ServerUnaryCall<DeleteReq, DeleteResp>, cb: grpc.sendUnaryData<DeleteResp>): void {
    void this.remove(call.request.getOptions(), false, call.metadata).then(
      (position) => cb(null, new DeleteResp().setPosition(new DeleteResp.Position().setCommitPosition(position.commit.toString()).setPreparePosition(position.prepare.toString()))),
      (err) => cb(err),
    );
  }

  tombstone(call: grpc.ServerUnaryCall<TombstoneReq, TombstoneResp>, cb: grpc.sendUnaryData<TombstoneResp>): void {
    void this.remove(call.request.getOptions(), true, call.metadata).then(
      (position) =>
        cb(null, new TombstoneResp().setPosition(new TombstoneResp.Position().setCommitPosition(position.commit.toString()).setPreparePosition(position.prepare.toString()))),
      (err) => cb(err),
    );
  }

  private async remove(options: DeleteReq.Options | TombstoneReq.Options | undefined, tombstone: boolean, metadata: grpc.Metadata): Promise<AllPosition> {
    if (!options) throw invalid('a delete needs its options');
    const stream = streamName(options.getStreamIdentifier());
    this.allow(metadata, '$d', stream);
    const outcome: DeleteOutcome = await this.engine.delete(stream, expectedOf(options), tombstone);
    if (outcome.status === 'stream_deleted') throw streamDeleted(stream);
    if (outcome.status === 'wrong_expected_version') {
      const expected = outcome.expected.kind === 'exact' ? outcome.expected.revision.toString() : outcome.expected.kind === 'no_stream' ? '-1' : '-2';
      throw protocolError(grpc.status.FAILED_PRECONDITION, 'Wrong expected version.', {
        exception: 'wrong-expected-version',
        'stream-name': stream,
        'expected-version': expected,
        ...(outcome.current === 'no_stream' ? {} : { 'actual-version': outcome.current.toString() }),
      });
    }
    if (!tombstone) await this.recordTruncation(stream);
    return outcome.position;
  }

  /**
   * EventStoreDB's soft delete is a write of the stream's metadata with truncate-before (`$tb`) past its
   * last event: recorded the same way here, so that a reader of the metadata or a follower of `$all`
   * sees that the stream was deleted. The rest of the metadata is kept.
   */
  private async recordTruncation(stream: string): Promise<void> {
    const metadataStream = `$$${stream}`;
    const [last] = this.engine.readStream(metadataStream, 'end', 'backwards', 1);
    let metadata: Record<string, unknown> = {};
    try {
      if (last?.isJson) metadata = JSON.parse(last.data.toString('utf8')) as Record<string, unknown>;
    } catch {
      // unreadable metadata: only the truncation is recorded
    }
    metadata.$tb = Number(this.engine.streamState(stream).firstRevision);
    await this.engine.append(metadataStream, { kind: 'any' }, [jsonStoredEvent('$metadata', metadata)]);
  }

  // ---- reads and subscriptions ----

  /** A link's target: undefined when it is gone or the caller may not read its stream. */
  private linkTarget(link: ReadEvent, metadata: grpc.Metadata): ReadEvent | undefined {
    const text = link.data.toString('utf8');
    const at = text.indexOf('@');
    const revision = /^\d+$/.test(text.slice(0, at)) ? BigInt(text.slice(0, at)) : undefined;
    const stream = text.slice(at + 1);
    if (revision === undefined || !stream) return undefined;
    try {
      this.allow(metadata, '$r', stream);
    } catch {
      return undefined;
    }
    const [target] = this.engine.readStream(stream, revision, 'forwards', 1);
    return target?.revision === revision ? target : undefined;
  }

  read(call: grpc.ServerWritableStream<ReadReq, Buffer>): void {
    void this.serveRead(call).catch((err: grpc.ServiceError) => {
      // Emitting 'error' is how a grpc-js server stream ends with a status of its own.
      if (!call.cancelled) call.emit('error', err.code !== undefined ? err : protocolError(grpc.status.INTERNAL, String(err)));
    });
  }

  private async serveRead(call: grpc.ServerWritableStream<ReadReq, Buffer>): Promise<void> {
    const options = call.request.getOptions();
    if (!options) throw invalid('a read needs its options');
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    // resolveLinkTos: a `$>` event is sent as its target (`revision@stream`), where the caller may read that stream.
    const resolveLink = options.getResolveLinks() ? (e: ReadEvent) => this.linkTarget(e, call.metadata) : undefined;
    const out = new ResponseWriter(call, structuredIds, resolveLink);
    const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
    const filter = options.hasFilter() ? toFilter(options.getFilter()!) : undefined;
    const subscription = options.hasSubscription();
    const max = subscription ? Infinity : Number(options.getCount() || '0');
    if (!subscription && !(max >= 0)) throw invalid('a read needs a count');

    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const stream = streamName(streamOptions.getStreamIdentifier());
      const from: bigint | 'start' | 'end' = streamOptions.hasRevision() ? BigInt(streamOptions.getRevision()) : streamOptions.hasEnd() ? 'end' : 'start';
      this.allow(call.metadata, '$r', stream);
      if (subscription) return this.subscribeToStream(out, stream, from);
      return this.readStream(out, stream, from, forwards ? 'forwards' : 'backwards', max);
    }
    const allOptions = options.getAll();
    if (!allOptions) throw invalid('a read names a stream or $all');
    this.allow(call.metadata, '$r', '$all');
    const from: AllPosition | 'start' | 'end' = allOptions.hasPosition()
      ? { commit: BigInt(allOptions.getPosition()!.getCommitPosition()), prepare: BigInt(allOptions.getPosition()!.getPreparePosition()) }
      : allOptions.hasEnd()
        ? 'end'
        : 'start';
    if (subscription) return this.subscribeToAll(out, from, filter);
    if (forwards) return this.readAllForwards(out, from, max, filter);
    const accept = filter ? (e: ReadEvent) => filter.matches(filter.on === 'stream' ? e.stream : e.type) : undefined;
    for (const e of this.engine.readAllBackwards(from === 'start' ? { commit: -1n, prepare: -1n } : from === 'end' ? 'end' : previous(from), max, accept)) {
      await out.event(e);
    }
    out.end();
  }

  private async readStream(out: ResponseWriter, stream: string, from: bigint | 'start' | 'end', direction: 'forwards' | 'backwards', max: number): Promise<void> {
    const state = this.engine.streamState(stream);
    if (state.tombstoned) throw streamDeleted(stream);
    if (!state.exists) {
      await out.streamNotFound(stream);
      return out.end();
    }
    let sent = 0;
    let next = from;
    while (sent < max) {
      const page = this.engine.readStream(stream, next, direction, Math.min(PAGE, max - sent));
      if (page.length === 0) break;
      for (const e of page) await out.event(e);
      sent += page.length;
      const last = page[page.length - 1].revision;
      next = direction === 'forwards' ? last + 1n : last - 1n;
      if (next < 0n) break;
    }
    out.end();
  }

  private async readAllForwards(out: ResponseWriter, from: AllPosition | 'start' | 'end', max: number, filter?: Filter): Promise<void> {
    const cursor = this.engine.allCursor(this.engine.offsetFor(from));
    let sent = 0;
    while (sent < max) {
      const e = cursor.next();
      if (!e) break;
      if (typeof from === 'object' && comparePosition(e.position, from) < 0) continue;
      if (filter && !filter.matches(filter.on === 'stream' ? e.stream : e.type)) continue;
      await out.event(e);
      sent++;
    }
    out.end();
  }

  private async subscribeToStream(out: ResponseWriter, stream: string, from: bigint | 'start' | 'end'): Promise<void> {
    if (this.engine.streamState(stream).tombstoned) throw streamDeleted(stream);
    await out.confirm();
    // From a revision, a subscription delivers the events after it; from the end, only new ones.
    let next = from === 'start' ? 0n : from === 'end' ? this.engine.streamState(stream).lastRevision + 1n : from + 1n;
    let live = false;
    while (!out.closed) {
      const page = this.engine.readStream(stream, next, 'forwards', PAGE);
      for (const e of page) await out.event(e);
      if (page.length) {
        next = page[page.length - 1].revision + 1n;
        continue;
      }
      if (this.engine.streamState(stream).tombstoned) throw streamDeleted(stream);
      if (!live) {
        live = true;
        await out.caughtUp();
      }
      await out.until(this.engine.changes, 'committed');
    }
  }

  private async subscribeToAll(out: ResponseWriter, from: AllPosition | 'start' | 'end', filter?: Filter): Promise<void> {
    await out.confirm();
    const cursor = this.engine.allCursor(this.engine.offsetFor(from));
    let scanned = 0;
    let lastScanned: AllPosition | undefined;
    let live = false;
    while (!out.closed) {
      const e = cursor.next();
      if (e) {
        // A subscription from a position delivers what comes after it.
        if (typeof from === 'object' && comparePosition(e.position, from) <= 0) continue;
        lastScanned = e.position;
        if (!filter || filter.matches(filter.on === 'stream' ? e.stream : e.type)) await out.event(e);
        if (filter && ++scanned >= filter.checkpointEvery) {
          scanned = 0;
          await out.checkpoint(e.position);
        }
        continue;
      }
      // Once, on catching up, a checkpoint for what was scanned; live, only every checkpointEvery events.
      if (filter && !live && scanned > 0 && lastScanned) {
        scanned = 0;
        await out.checkpoint(lastScanned);
      }
      if (!live) {
        live = true;
        await out.caughtUp();
      }
      await out.until(this.engine.changes, 'committed');
    }
  }
}

function fillBatchOutcome(resp: BatchAppendResp, stream: string, outcome: AppendOutcome): void {
  if (outcome.status === 'ok') {
    const position = new AllStreamPosition().setCommitPosition(outcome.position.commit.toString()).setPreparePosition(outcome.position.prepare.toString());
    resp.setSuccess(new BatchAppendResp.Success().setCurrentRevision(outcome.nextRevision.toString()).setPosition(position));
    return;
  }
  if (outcome.status === 'stream_deleted') {
    const details = new StreamDeleted().setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(stream, 'utf8')));
    resp.setError(status(grpc.status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, details, 'event_store.client.StreamDeleted'));
    return;
  }
  const details = new WrongExpectedVersionDetails();
  if (outcome.current === 'no_stream') details.setCurrentNoStream(new ProtobufEmpty());
  else details.setCurrentStreamRevision(outcome.current.toString());
  const expected = outcome.expected;
  if (expected.kind === 'exact') details.setExpectedStreamPosition(expected.revision.toString());
  else if (expected.kind === 'no_stream') details.setExpectedNoStream(new ProtobufEmpty());
  else if (expected.kind === 'stream_exists') details.setExpectedStreamExists(new ProtobufEmpty());
  else details.setExpectedAny(new ProtobufEmpty());
  resp.setError(status(grpc.status.FAILED_PRECONDITION, 'Wrong expected version.', details, 'event_store.client.WrongExpectedVersion'));
}

/** A google.rpc.Status whose details the clients unpack into their typed errors. */
function status(code: grpc.status, message: string, details: { serializeBinary(): Uint8Array }, typeName: string): Status {
  const any = new Any();
  any.pack(details.serializeBinary(), typeName);
  return new Status().setCode(code as number).setMessage(message).setDetails(any);
}

function statusOf(err: unknown): Status {
  const e = err as Partial<grpc.ServiceError>;
  const exception = e.metadata?.get('exception')[0];
  if (exception === 'access-denied') return status(grpc.status.PERMISSION_DENIED, String(e.details), new AccessDeniedDetails(), 'event_store.client.AccessDenied');
  if (exception === 'maximum-append-size-exceeded') {
    return status(grpc.status.INVALID_ARGUMENT, String(e.details), new MaximumAppendSizeExceeded().setMaxappendsize(MAX_APPEND_SIZE), 'event_store.client.MaximumAppendSizeExceeded');
  }
  return status(e.code ?? grpc.status.INTERNAL, String(e.details ?? e.message ?? err), new Unknown(), 'event_store.client.Unknown');
}

/** The position just before one, for backwards reads that start below it. */
function previous(p: AllPosition): AllPosition {
  return p.prepare > p.commit ? { commit: p.commit, prepare: p.prepare - 1n } : { commit: p.commit - 1n, prepare: p.commit - 1n };
}

function toFilter(options: ReadReq.Options.FilterOptions): Filter {
  const expression = options.hasStreamIdentifier() ? options.getStreamIdentifier()! : options.getEventType();
  if (!expression) throw invalid('a filter needs a stream-name or event-type expression');
  const prefixes = expression.getPrefixList();
  let matches: (value: string) => boolean;
  if (prefixes.length) {
    matches = (value) => prefixes.some((p) => value.startsWith(p));
  } else {
    let regex: RegExp;
    try {
      regex = new RegExp(expression.getRegex());
    } catch {
      throw invalid(`the filter's regular expression does not compile: ${expression.getRegex()}`);
    }
    matches = (value) => regex.test(value);
  }
  const window = options.hasMax() ? options.getMax() : SEARCH_WINDOW;
  return {
    on: options.hasStreamIdentifier() ? 'stream' : 'type',
    matches,
    checkpointEvery: Math.max(1, options.getCheckpointintervalmultiplier() || 1) * Math.max(1, window),
  };
}

/**
 * Writes read responses with back-pressure: when the client's buffer is full, this reader waits for
 * it to drain, so a slow subscriber holds only its own read and never the writers or other readers.
 */
class ResponseWriter {
  closed = false;
  private readonly closedSignal: Promise<void>;

  constructor(
    private readonly call: grpc.ServerWritableStream<ReadReq, Buffer>,
    private readonly structuredIds: boolean,
    private readonly resolveLink?: (link: ReadEvent) => ReadEvent | undefined,
  ) {
    this.closedSignal = new Promise((resolve) => {
      const close = () => {
        this.closed = true;
        resolve();
      };
      call.once('cancelled', close);
      call.once('close', close);
      call.once('error', close);
      call.once('finish', close);
    });
  }

  confirm(): Promise<void> {
    return this.write(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
  }

  caughtUp(): Promise<void> {
    return this.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
  }

  checkpoint(p: AllPosition): Promise<void> {
    return this.write(new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(p.commit.toString()).setPreparePosition(p.prepare.toString())));
  }

  streamNotFound(stream: string): Promise<void> {
    const id = new StreamIdentifier().setStreamName(Buffer.from(stream, 'utf8'));
    return this.write(new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(id)));
  }

  /** Sends an event; returns a promise only when the client's buffer is full and this reader must wait. */
  event(e: ReadEvent): Promise<void> | undefined {
    if (this.resolveLink && e.type === '$>') return this.send(encodeReadEventResponse(this.resolveLink(e), this.structuredIds, e));
    return this.send(encodeReadEventResponse(e, this.structuredIds));
  }

  end(): void {
    if (!this.closed) this.call.end();
  }

  /** Waits for an emitter's event, or for this call to close. */
  async until(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
    let listener!: () => void;
    const signal = new Promise<void>((resolve) => emitter.once(event, (listener = resolve)));
    await Promise.race([signal, this.closedSignal]);
    emitter.removeListener(event, listener);
  }

  private async write(resp: ReadResp): Promise<void> {
    await this.send(Buffer.from(resp.serializeBinary()));
  }

  private send(bytes: Buffer): Promise<void> | undefined {
    if (this.closed || this.call.write(bytes)) return undefined;
    let listener!: () => void;
    const drained = new Promise<void>((resolve) => this.call.once('drain', (listener = resolve)));
    return Promise.race([drained, this.closedSignal]).then(() => void this.call.removeListener('drain', listener));
  }
}
