/** EventStoreDB carries event ids as a UUID message: a string, or two signed 64-bit halves. */
import { UUID } from '@eventstore/db-client/generated/shared_pb';

const UUID_TEXT = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The 16 bytes of a UUID message, or undefined when it is not a well-formed UUID. */
export function uuidBytes(uuid: UUID | undefined): Buffer | undefined {
  if (!uuid) return undefined;
  if (uuid.hasString()) {
    const text = uuid.getString();
    return UUID_TEXT.test(text) ? Buffer.from(text.replace(/-/g, ''), 'hex') : undefined;
  }
  if (uuid.hasStructured()) {
    const s = uuid.getStructured()!;
    const half = (v: string) => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
    return Buffer.from(half(s.getMostSignificantBits()) + half(s.getLeastSignificantBits()), 'hex');
  }
  return undefined;
}

export function uuidText(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function uuidMessage(bytes: Buffer, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) return uuid.setString(uuidText(bytes));
  const half = (from: number) => BigInt.asIntN(64, bytes.readBigUInt64BE(from)).toString();
  return uuid.setStructured(new UUID.Structured().setMostSignificantBits(half(0)).setLeastSignificantBits(half(8)));
}
