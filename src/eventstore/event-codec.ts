/**
 * How domain events cross into the store: a type, a JSON body and metadata that carries the schema
 * version (for upcasting on read) and the id of the command that caused it (for idempotency).
 */
export interface StoredShape {
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
}

export interface EventCodec<Event> {
  encode(event: Event): StoredShape;
  /** Decodes an event of any past schema version, upcasting it to the current one. */
  decode(type: string, schemaVersion: number, data: Record<string, unknown>): Event;
}

export interface LedgerEventMetadata {
  schemaVersion: number;
  commandId: string;
  /** Ledger time the command was decided at, ISO-8601. */
  at: string;
}

export function isLedgerMetadata(m: unknown): m is LedgerEventMetadata {
  const meta = m as Partial<LedgerEventMetadata> | undefined;
  return typeof meta?.schemaVersion === 'number' && typeof meta.commandId === 'string' && typeof meta.at === 'string';
}
