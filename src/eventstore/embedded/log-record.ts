/**
 * The on-disk record of the embedded store's append-only log. One record holds one whole append (all
 * its events) or one deletion, so an append is atomic on disk: its checksum covers every event.
 *
 *   record  = u32 payloadLength | u32 crc32(payload) | payload
 *   payload = u8 kind | u16 streamLength | stream | u64 firstRevision | body
 *   append body   = u32 count | count × event
 *   event         = 16-byte id | u16 typeLength | type | u8 flags (1 = JSON) | u64 created (ticks)
 *                   | u32 dataLength | data | u32 metadataLength | metadata
 *   delete body   = (nothing): soft delete, events below firstRevision are gone, the stream may go on
 *   tombstone body = (nothing): the stream is deleted for good
 *
 * A record's byte offset in the log is the commit position of its events in `$all`; event i of the
 * record has prepare position offset + i, which is below the next record's offset.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const RECORD_HEADER = 8;

export enum RecordKind {
  Append = 1,
  Delete = 2,
  Tombstone = 3,
}

export interface StoredEvent {
  /** 16 raw bytes of the event id. */
  id: Buffer;
  type: string;
  isJson: boolean;
  /** Creation time in 100 ns ticks since the Unix epoch, as EventStoreDB reports it over gRPC. */
  created: bigint;
  data: Buffer;
  metadata: Buffer;
}

export interface LogRecord {
  kind: RecordKind;
  stream: string;
  /** Revision of the first event (append), or the revision events below are removed at (delete). */
  firstRevision: bigint;
  events: StoredEvent[];
}

/** An event the store writes itself (stream metadata, users, settings): a JSON body, a random id, now. */
export function jsonStoredEvent(type: string, data: unknown): StoredEvent {
  return { id: randomBytes(16), type, isJson: true, created: BigInt(Date.now()) * 10_000n, data: Buffer.from(JSON.stringify(data)), metadata: Buffer.alloc(0) };
}

export function encodeRecord(record: LogRecord): Buffer {
  const stream = Buffer.from(record.stream, 'utf8');
  const types = record.events.map((e) => Buffer.from(e.type, 'utf8'));
  let size = 1 + 2 + stream.length + 8 + (record.kind === RecordKind.Append ? 4 : 0);
  record.events.forEach((e, i) => (size += 16 + 2 + types[i].length + 1 + 8 + 4 + e.data.length + 4 + e.metadata.length));

  const buf = Buffer.allocUnsafe(RECORD_HEADER + size);
  let at = RECORD_HEADER;
  at = buf.writeUInt8(record.kind, at);
  at = buf.writeUInt16LE(stream.length, at);
  at += stream.copy(buf, at);
  at = buf.writeBigUInt64LE(record.firstRevision, at);
  if (record.kind === RecordKind.Append) {
    at = buf.writeUInt32LE(record.events.length, at);
    record.events.forEach((e, i) => {
      at += e.id.copy(buf, at, 0, 16);
      at = buf.writeUInt16LE(types[i].length, at);
      at += types[i].copy(buf, at);
      at = buf.writeUInt8(e.isJson ? 1 : 0, at);
      at = buf.writeBigUInt64LE(e.created, at);
      at = buf.writeUInt32LE(e.data.length, at);
      at += e.data.copy(buf, at);
      at = buf.writeUInt32LE(e.metadata.length, at);
      at += e.metadata.copy(buf, at);
    });
  }
  buf.writeUInt32LE(size, 0);
  buf.writeUInt32LE(crc32(buf.subarray(RECORD_HEADER)), 4);
  return buf;
}

/** What a read at an offset found: a whole record, the clean end of the log, or a torn/corrupt tail. */
export type RecordRead =
  | { status: 'ok'; record: LogRecord; length: number }
  | { status: 'end' }
  | { status: 'torn'; reason: string };

/** Decodes the record starting at `at` in `buf` (which must hold it whole to succeed). */
export function decodeRecordAt(buf: Buffer, at: number): RecordRead {
  if (at === buf.length) return { status: 'end' };
  if (buf.length - at < RECORD_HEADER) return { status: 'torn', reason: 'partial record header' };
  const size = buf.readUInt32LE(at);
  const checksum = buf.readUInt32LE(at + 4);
  if (size === 0 || buf.length - at - RECORD_HEADER < size) return { status: 'torn', reason: 'partial record body' };
  const payload = buf.subarray(at + RECORD_HEADER, at + RECORD_HEADER + size);
  if (crc32(payload) !== checksum) return { status: 'torn', reason: 'checksum mismatch' };
  return { status: 'ok', record: decodePayload(payload), length: RECORD_HEADER + size };
}

function decodePayload(p: Buffer): LogRecord {
  let at = 0;
  const kind = p.readUInt8(at) as RecordKind;
  at += 1;
  const streamLength = p.readUInt16LE(at);
  at += 2;
  const stream = p.toString('utf8', at, at + streamLength);
  at += streamLength;
  const firstRevision = p.readBigUInt64LE(at);
  at += 8;
  const events: StoredEvent[] = [];
  if (kind === RecordKind.Append) {
    const count = p.readUInt32LE(at);
    at += 4;
    for (let i = 0; i < count; i++) {
      const id = p.subarray(at, at + 16);
      at += 16;
      const typeLength = p.readUInt16LE(at);
      at += 2;
      const type = p.toString('utf8', at, at + typeLength);
      at += typeLength;
      const isJson = p.readUInt8(at) === 1;
      at += 1;
      const created = p.readBigUInt64LE(at);
      at += 8;
      const dataLength = p.readUInt32LE(at);
      at += 4;
      const data = p.subarray(at, at + dataLength);
      at += dataLength;
      const metadataLength = p.readUInt32LE(at);
      at += 4;
      const metadata = p.subarray(at, at + metadataLength);
      at += metadataLength;
      events.push({ id, type, isJson, created, data, metadata });
    }
  }
  return { kind, stream, firstRevision, events };
}
