/**
 * An integrator's program: follows a pool's public state stream with nothing but the official
 * EventStoreDB client, printing each state as it comes, and resumes after a restart from the last
 * revision it printed (kept in a checkpoint file), so nothing is missed and nothing printed twice.
 *
 *   npm run example:follow-pool-state -- weth-usdc
 *
 * EVENTSTORE_CONNECTION_STRING is the store and its read-only user, as `npm run cli -- eventstore
 * add-integrator <login>` printed it (with the store's CA file, `tlsCAFile=`); an integrator user can
 * read the public streams and nothing else. CHECKPOINT_FILE is where the last revision is kept
 * (default $DATA_DIR/follow-<pool>.checkpoint, DATA_DIR defaulting to ./data: a run leaves nothing in
 * the working directory).
 *
 * The stream is size-free: a pool's sums (total collateral and debt, reserve, socialized loss) are not
 * in it, since with few positions in a pool they are one position's amounts; admins and auditors read
 * them from `GET /pools/:id`.
 */
import { EventStoreDBClient, START } from '@eventstore/db-client';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** A `PoolStateChanged` event's data: the price and the borrow index as decimal strings, `at` in Unix seconds. */
type PoolState = {
  poolId: string;
  /** Absent until the pool's feed has a price. */
  price?: string;
  priceRound?: string;
  liquidationsPaused: boolean;
  /** 1 when the pool was created, growing with its stability fee: its ratio between two times is how much a debt grew between them. */
  borrowIndex: string;
  openPositions: number;
  at: number;
};

async function main(): Promise<void> {
  const pool = process.argv[2];
  const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
  if (!pool || !connectionString) {
    console.error('usage: EVENTSTORE_CONNECTION_STRING=<your integrator connection string> follow-pool-state <pool-id>');
    process.exit(2);
  }
  const client = EventStoreDBClient.connectionString(connectionString);
  const checkpointFile = process.env.CHECKPOINT_FILE ?? path.join(process.env.DATA_DIR ?? 'data', `follow-${pool}.checkpoint`);
  mkdirSync(path.dirname(checkpointFile), { recursive: true });
  const last = existsSync(checkpointFile) ? BigInt(readFileSync(checkpointFile, 'utf8').trim()) : undefined;

  // A catch-up subscription: history first (after `last`), then live events, without a gap.
  const subscription = client.subscribeToStream<{ type: string; data: PoolState }>(`public-pool-state-${pool}`, { fromRevision: last ?? START });
  const stop = async () => {
    await subscription.unsubscribe();
    await client.dispose();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  for await (const { event } of subscription) {
    if (!event) continue;
    const s = event.data;
    const price = s.price === undefined ? 'no price yet' : `${s.price} (round ${s.priceRound})`;
    console.log(
      `#${event.revision} ${new Date(s.at * 1000).toISOString()} ${s.poolId}: price ${price}, ${s.openPositions} open, ` +
        `borrow index ${s.borrowIndex}` +
        (s.liquidationsPaused ? ', liquidations PAUSED' : ''),
    );
    writeFileSync(checkpointFile, `${event.revision}\n`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
