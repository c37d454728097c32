/**
 * The embedded store's durable log file: records are appended in groups, each group written whole and
 * fsynced before anyone is told it is there. At open the log is scanned; a torn or corrupt tail (a
 * crash mid-write) is cut back to the last whole record, which can only drop unacknowledged appends.
 */
import { closeSync, fstatSync, ftruncateSync, fsyncSync, mkdirSync, openSync, readSync } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import * as path from 'node:path';
import { decodeRecordAt, LogRecord, RECORD_HEADER } from './log-record';

const CHUNK = 1 << 20;

export interface RecoveryReport {
  records: number;
  bytes: number;
  /** Bytes cut from a torn or corrupt tail, and why. */
  truncated?: { bytes: number; reason: string };
}

export class EventLog {
  /** Everything below this offset is on disk and fsynced: the only part readers see. */
  private durable: number;

  private constructor(
    readonly file: string,
    private readonly writer: FileHandle,
    private readonly readFd: number,
    size: number,
  ) {
    this.durable = size;
  }

  /**
   * Opens (or creates) the log in `dataDir`, hands every whole record to `visit` in order, and cuts
   * a torn tail.
   */
  static async open(dataDir: string, visit: (offset: number, record: LogRecord) => void): Promise<{ log: EventLog; recovery: RecoveryReport }> {
    mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'events.log');
    const fd = openSync(file, 'a+');
    const size = fstatSync(fd).size;
    let offset = 0;
    let records = 0;
    let torn: string | undefined;
    const reader = new LogReader(fd, 0, () => size);
    for (;;) {
      const next = reader.next();
      if (next.status === 'end') break;
      if (next.status === 'torn') {
        torn = next.reason;
        break;
      }
      visit(next.offset, next.record);
      records++;
      offset = next.offset + next.length;
    }
    const recovery: RecoveryReport = { records, bytes: offset };
    if (torn !== undefined) {
      ftruncateSync(fd, offset);
      fsyncSync(fd);
      recovery.truncated = { bytes: size - offset, reason: torn };
    }
    closeSync(fd);
    const writer = await open(file, 'a');
    const readFd = openSync(file, 'r');
    return { log: new EventLog(file, writer, readFd, offset), recovery };
  }

  get end(): number {
    return this.durable;
  }

  /** Appends encoded records as one write and one fsync; returns the offset of the first. */
  async append(records: Buffer[]): Promise<number> {
    const start = this.durable;
    const total = records.reduce((n, r) => n + r.length, 0);
    const { bytesWritten } = await this.writer.writev(records);
    if (bytesWritten !== total) throw new Error(`short write to the event log: ${bytesWritten} of ${total} bytes`);
    await this.writer.datasync();
    this.durable = start + total;
    return start;
  }

  /** Reads the whole record at a known-good offset. */
  readRecord(offset: number): LogRecord {
    if (offset >= this.durable) throw new Error(`no durable record at ${offset}: the log ends at ${this.durable}`);
    const header = Buffer.alloc(RECORD_HEADER);
    readSync(this.readFd, header, 0, RECORD_HEADER, offset);
    const buf = Buffer.alloc(RECORD_HEADER + header.readUInt32LE(0));
    readSync(this.readFd, buf, 0, buf.length, offset);
    const read = decodeRecordAt(buf, 0);
    if (read.status !== 'ok') throw new Error(`event log damaged at ${offset}: ${read.status === 'torn' ? read.reason : 'end'}`);
    return read.record;
  }

  /** A sequential reader from `offset` that never reads past what is durable. */
  reader(offset: number): LogReader {
    return new LogReader(this.readFd, offset, () => this.durable);
  }

  async close(): Promise<void> {
    await this.writer.close();
    closeSync(this.readFd);
  }
}

export type ReaderStep = { status: 'ok'; offset: number; length: number; record: LogRecord } | { status: 'end' } | { status: 'torn'; reason: string };

/** Reads records in order through a 1 MiB window, for catch-up reads and recovery. */
export class LogReader {
  private buf = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private base: number;
  private at = 0;

  constructor(
    private readonly fd: number,
    offset: number,
    private readonly limit: () => number,
  ) {
    this.base = offset;
  }

  get offset(): number {
    return this.base + this.at;
  }

  next(): ReaderStep {
    const limit = this.limit();
    if (this.offset >= limit) return { status: 'end' };
    let read = decodeRecordAt(this.buf, this.at);
    if (read.status !== 'ok') {
      this.refill(limit);
      read = decodeRecordAt(this.buf, this.at);
      if (read.status === 'end') return read;
      if (read.status === 'torn') return read;
    }
    const offset = this.offset;
    this.at += read.length;
    return { status: 'ok', offset, length: read.length, record: read.record };
  }

  /** Slides the window to start at the current offset, large enough for the next record. */
  private refill(limit: number): void {
    const start = this.offset;
    let want = Math.min(CHUNK, limit - start);
    if (want >= RECORD_HEADER) {
      const header = Buffer.allocUnsafe(RECORD_HEADER);
      readSync(this.fd, header, 0, RECORD_HEADER, start);
      want = Math.min(Math.max(want, RECORD_HEADER + header.readUInt32LE(0)), limit - start);
    }
    const buf = Buffer.allocUnsafe(want);
    const n = want > 0 ? readSync(this.fd, buf, 0, want, start) : 0;
    this.buf = buf.subarray(0, n);
    this.base = start;
    this.at = 0;
  }
}
