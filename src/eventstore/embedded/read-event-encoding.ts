/**
 * The one hot message of the protocol, `ReadResp{event}`, encoded straight to protobuf bytes: catch-up
 * reads send hundreds of thousands of them, and building google-protobuf objects for each costs more
 * than the read itself. Field numbers are those of streams.proto / shared.proto as shipped with
 * `@eventstore/db-client`; every other message goes through the generated classes.
 */
import { ReadEvent } from './store';
import { uuidText } from './uuid';

const LEN = 2;
const VARINT = 0;

const CONTENT_TYPE_JSON = Buffer.from('application/json');
const CONTENT_TYPE_BINARY = Buffer.from('application/octet-stream');
const KEY_TYPE = Buffer.from('type');
const KEY_CONTENT_TYPE = Buffer.from('content-type');
const KEY_CREATED = Buffer.from('created');

/**
 * `ReadResp{event}` for a stored event; for a resolved `$>` link, its target (none when the target is
 * gone) as the event and the link alongside, at the link's position.
 */
export function encodeReadEventResponse(e: ReadEvent | undefined, structuredIds: boolean, link?: ReadEvent): Buffer {
  const at = link ?? e!;
  const readEvent = message([
    ...(e ? [[1, LEN, recordedEvent(e, structuredIds)] as Part] : []),
    ...(link ? [[2, LEN, recordedEvent(link, structuredIds)] as Part] : []),
    [3, VARINT, Number(at.position.commit)],
  ]);
  return message([[1, LEN, readEvent]]);
}

function recordedEvent(e: ReadEvent, structuredIds: boolean): Buffer {
  const id = structuredIds ? structuredUuid(e.id) : Buffer.from(uuidText(e.id));
  const uuid = field(structuredIds ? 1 : 2, id);
  const streamName = Buffer.from(e.stream, 'utf8');
  const streamIdentifier = field(3, streamName); // StreamIdentifier.stream_name is field 3
  const entries = [
    mapEntry(KEY_TYPE, Buffer.from(e.type, 'utf8')),
    mapEntry(KEY_CONTENT_TYPE, e.isJson ? CONTENT_TYPE_JSON : CONTENT_TYPE_BINARY),
    mapEntry(KEY_CREATED, Buffer.from(e.created.toString())),
  ];
  const commit = Number(e.position.commit);
  const recorded: Part[] = [
    [1, LEN, uuid],
    [2, LEN, streamIdentifier],
    [3, VARINT, Number(e.revision)],
    [4, VARINT, Number(e.position.prepare)],
    [5, VARINT, commit],
    ...entries.map((entry): Part => [6, LEN, entry]),
    [7, LEN, e.metadata],
    [8, LEN, e.data],
  ];
  return message(recorded);
}

type Part = [field: number, wire: typeof LEN, value: Buffer] | [field: number, wire: typeof VARINT, value: number];

function message(parts: Part[]): Buffer {
  let size = 0;
  for (const [f, wire, v] of parts) size += varintSize((f << 3) | wire) + (wire === LEN ? varintSize(v.length) + v.length : varintSize(v));
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [f, wire, v] of parts) {
    at = writeVarint(out, at, (f << 3) | wire);
    if (wire === LEN) {
      at = writeVarint(out, at, v.length);
      at += v.copy(out, at);
    } else {
      at = writeVarint(out, at, v);
    }
  }
  return out;
}

function field(f: number, value: Buffer): Buffer {
  return message([[f, LEN, value]]);
}

function mapEntry(key: Buffer, value: Buffer): Buffer {
  return message([
    [1, LEN, key],
    [2, LEN, value],
  ]);
}

/** UUID.Structured: the two 64-bit halves as int64 varints (fields 1 and 2). */
function structuredUuid(bytes: Buffer): Buffer {
  return Buffer.concat([writeBigVarint(1 << 3, bytes.readBigUInt64BE(0)), writeBigVarint(2 << 3, bytes.readBigUInt64BE(8))]);
}

function writeBigVarint(tag: number, value: bigint): Buffer {
  const bytes: number[] = [tag];
  let v = value;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    bytes.push(b);
  } while (v > 0n);
  return Buffer.from(bytes);
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeVarint(out: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    out[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at;
}
