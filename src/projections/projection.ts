/**
 * A read model fed from `$all`: which streams it reads, how a batch of their events changes its rows,
 * and which tables a rebuild empties.
 */
import { Queryable } from '../database/database';

export interface ProjectedEvent {
  stream: string;
  revision: bigint;
  /** `$all` position: commit then prepare, as EventStoreDB orders events. */
  commit: bigint;
  prepare: bigint;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created: Date;
}

export interface Projection {
  readonly name: string;
  /** Stream-name prefixes it reads, filtered by the server so other events never cross the wire. */
  readonly streamPrefixes: string[];
  /** Its tables, emptied by a rebuild. */
  readonly tables: string[];
  /** Applies events in `$all` order inside the caller's transaction. */
  apply(tx: Queryable, events: readonly ProjectedEvent[]): Promise<void>;
}
