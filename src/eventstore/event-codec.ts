/**
 * The metadata every ledger event carries in the store: the schema version of its body (for upcasting
 * on read), the id of the command that caused it (for idempotency) and the ledger time it was decided.
 */

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
