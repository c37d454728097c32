/**
 * The auctions read model: one row per auction (its pool, position, status and when it started and
 * settled), so settled auctions can be listed after the liquidation engine has let go of them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Database, Queryable } from '../../database/database';
import { DATABASE } from '../../database/database.module';
import { ledgerEventCodec } from '../../domain/events';
import { Quarantine } from '../../eventstore/quarantine';
import { Projection, ProjectedEvent } from '../projection';

@Injectable()
export class AuctionsProjection implements Projection {
  readonly name = 'auctions';
  readonly streamPrefixes = ['auction-'];
  readonly tables = ['auctions'];

  constructor(private readonly quarantine: Quarantine = new Quarantine()) {}

  async apply(tx: Queryable, batch: readonly ProjectedEvent[]): Promise<void> {
    for (const stored of batch) {
      if (stored.type !== 'AuctionStarted' && stored.type !== 'AuctionSettled') continue;
      // An event the ledger did not write (or cannot read) is set aside, as everywhere, not projected.
      if (this.quarantine.of(stored.stream)) continue;
      const event = this.quarantine.decode(ledgerEventCodec, stored);
      if (!event) continue;
      if (event.type === 'AuctionStarted') {
        await tx.query(
          `INSERT INTO auctions (auction_id, pool_id, position_id, status, started_at) VALUES ($1, $2, $3, 'running', $4)`,
          [event.auctionId, event.poolId, event.positionId, event.at.toString()],
        );
      } else if (event.type === 'AuctionSettled') {
        await tx.query(`UPDATE auctions SET status = 'settled', settled_at = $2 WHERE auction_id = $1`, [stored.stream.slice('auction-'.length), event.at.toString()]);
      }
    }
  }
}

/** Settled auctions, of one pool or all, the latest settled first. */
@Injectable()
export class SettledAuctions {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async ids(poolId: string | undefined, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ auction_id: string }>(
      `SELECT auction_id FROM auctions WHERE status = 'settled' AND ($1::text IS NULL OR pool_id = $1) ORDER BY settled_at DESC, auction_id LIMIT $2`,
      [poolId ?? null, limit],
    );
    return rows.map((r) => r.auction_id);
  }
}
