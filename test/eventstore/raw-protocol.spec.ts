/**
 * The raw gRPC protocol: requests no client library would send (garbage bytes, missing options) get a
 * gRPC error status, and the store keeps serving well-formed clients. Sent as the admin, over TLS
 * (the store's secure mode), so they reach the request handling.
 */
import * as grpc from '@grpc/grpc-js';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EmbeddedEventStore, startEmbeddedEventStore } from '../../src/eventstore/embedded';
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';

let store: EmbeddedEventStore;
let dataDir: string;
let raw: grpc.Client;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'es-malformed-'));
  store = await startEmbeddedEventStore({ dataDir });
  raw = new grpc.Client(`127.0.0.1:${store.port}`, asAdmin());
});
afterAll(async () => {
  raw.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

const identity = (b: Buffer) => b;

/** TLS verified against the store's CA, with the admin's basic-auth credentials on every call. */
function asAdmin(): grpc.ChannelCredentials {
  const url = new URL(store.connectionString.replace(/^esdb:/, 'http:'));
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  const perCall = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Basic ${basic}`);
    callback(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(grpc.credentials.createSsl(readFileSync(store.caFile!)), perCall);
}

function serverStream(method: string, body: Buffer): Promise<grpc.ServiceError> {
  return new Promise((resolve, reject) => {
    const call = raw.makeServerStreamRequest(`/event_store.client.streams.Streams/${method}`, identity, identity, body);
    call.on('data', () => undefined);
    call.on('error', resolve);
    call.on('end', () => reject(new Error('the call ended without an error')));
  });
}

function unary(method: string, body: Buffer): Promise<grpc.ServiceError> {
  return new Promise((resolve, reject) =>
    raw.makeUnaryRequest(`/event_store.client.streams.Streams/${method}`, identity, identity, body, (err) => (err ? resolve(err) : reject(new Error('no error')))),
  );
}

it('answers bytes that are not a request with an error status', async () => {
  const err = await serverStream('Read', Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));
  expect(err.code).toBe(grpc.status.INTERNAL);
  const del = await unary('Delete', Buffer.from([0x0a, 0xff, 0xff]));
  expect(del.code).toBe(grpc.status.INTERNAL);
});

it('answers a read without options as an invalid argument', async () => {
  const err = await serverStream('Read', Buffer.from(new ReadReq().serializeBinary()));
  expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
});

it('answers an append with no options as an invalid argument', async () => {
  const err = await new Promise<grpc.ServiceError>((resolve, reject) => {
    const call = raw.makeClientStreamRequest('/event_store.client.streams.Streams/Append', identity, identity, (e) => (e ? resolve(e) : reject(new Error('no error'))));
    call.end();
  });
  expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
});

it('keeps serving well-formed clients afterwards', async () => {
  const client = EventStoreDBClient.connectionString(store.connectionString);
  const result = await client.appendToStream('after-bad-input', jsonEvent({ type: 'Fine', data: {} }));
  expect(result.nextExpectedRevision).toBe(0n);
  await client.dispose();
});

it('appends through the classic Append call too, which clients use when they send credentials', async () => {
  const { StreamsClient } = await import('@eventstore/db-client/generated/streams_grpc_pb');
  const { AppendReq, AppendResp } = await import('@eventstore/db-client/generated/streams_pb');
  const { Empty, StreamIdentifier, UUID } = await import('@eventstore/db-client/generated/shared_pb');
  const streams = new StreamsClient(`127.0.0.1:${store.port}`, asAdmin());
  const resp = await new Promise<InstanceType<typeof AppendResp>>((resolve, reject) => {
    const call = streams.append((err, r) => (err ? reject(err) : resolve(r!)));
    const options = new AppendReq.Options().setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from('classic-append'))).setNoStream(new Empty());
    call.write(new AppendReq().setOptions(options));
    const message = new AppendReq.ProposedMessage().setId(new UUID().setString('11111111-2222-4333-8444-555555555555')).setData(Buffer.from('{"x":1}'));
    message.getMetadataMap().set('type', 'Classic').set('content-type', 'application/json');
    call.write(new AppendReq().setProposedMessage(message));
    call.end();
  });
  streams.close();
  expect(resp.getSuccess()?.getCurrentRevision()).toBe('0');
  const client = EventStoreDBClient.connectionString(store.connectionString);
  const read = [];
  for await (const e of client.readStream('classic-append')) read.push([e.event!.id, e.event!.type, e.event!.data]);
  await client.dispose();
  expect(read).toEqual([['11111111-2222-4333-8444-555555555555', 'Classic', { x: 1 }]]);
});

describe('insecure mode', () => {
  let insecure: EmbeddedEventStore;
  let insecureDir: string;
  beforeAll(async () => {
    insecureDir = await mkdtemp(path.join(tmpdir(), 'es-insecure-'));
    insecure = await startEmbeddedEventStore({ dataDir: insecureDir, insecure: true });
  });
  afterAll(async () => {
    await insecure.close();
    await rm(insecureDir, { recursive: true, force: true });
  });

  it('answers a plain HTTP/1.1 request with 501 "not supported", and gRPC on the same port still works', async () => {
    const response = await fetch(`http://127.0.0.1:${insecure.port}/subscriptions`);
    expect(response.status).toBe(501);
    expect(await response.json()).toMatchObject({ error: 'NOT_SUPPORTED' });
    const client = EventStoreDBClient.connectionString(insecure.connectionString);
    await expect(client.listAllPersistentSubscriptions()).rejects.toThrow(/Not supported/);
    expect((await client.appendToStream('after-http', jsonEvent({ type: 'Fine', data: {} }))).nextExpectedRevision).toBe(0n);
    await client.dispose();
  });
});
