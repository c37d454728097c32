/**
 * An integrator's program: follows a pool's public state stream with nothing but the official
 * EventStoreDB client, printing each state as it comes, and resumes after a restart from the last
 * revision it printed (kept in a checkpoint file), so nothing is missed and nothing printed twice.
 * When the store goes away (the ledger restarts: `UNAVAILABLE`), it reconnects with exponential backoff
 * (half a second, doubling up to ten) and resumes from that checkpoint.
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
import { CancelledError, EventStoreDBClient, START, UnavailableError } from '@eventstore/db-client';
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

/** Reconnection waits: from half a second, doubling, at most ten seconds; reset once events flow again. */
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

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
  let stopping = false;
  let subscription: ReturnType<typeof client.subscribeToStream> | undefined;
  const stop = async () => {
    stopping = true;
    await subscription?.unsubscribe();
    await client.dispose();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let retryMs = FIRST_RETRY_MS;
  while (!stopping) {
    const last = existsSync(checkpointFile) ? BigInt(readFileSync(checkpointFile, 'utf8').trim()) : undefined;
    // A catch-up subscription: history first (after `last`), then live events, without a gap.
    subscription = client.subscribeToStream<{ type: string; data: PoolState }>(`public-pool-state-${pool}`, { fromRevision: last ?? START });
    try {
      for await (const { event } of subscription) {
        if (!event) continue;
        retryMs = FIRST_RETRY_MS;
        print(event.revision, event.data as PoolState);
        writeFileSync(checkpointFile, `${event.revision}\n`);
      }
    } catch (err) {
      // The store is gone for now (a restart, a network cut): try again later, from the checkpoint.
      if (stopping || !isUnavailable(err)) throw err;
      console.error(`store unavailable (${(err as Error).message}); reconnecting in ${retryMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
    }
  }
}

function print(revision: bigint, s: PoolState): void {
  const price = s.price === undefined ? 'no price yet' : `${s.price} (round ${s.priceRound})`;
  console.log(
    `#${revision} ${new Date(s.at * 1000).toISOString()} ${s.poolId}: price ${price}, ${s.openPositions} open, ` +
      `borrow index ${s.borrowIndex}` +
      (s.liquidationsPaused ? ', liquidations PAUSED' : ''),
  );
}

/** The client's errors for a store it cannot reach: gRPC UNAVAILABLE, and its cancelled calls while reconnecting. */
function isUnavailable(err: unknown): boolean {
  return err instanceof UnavailableError || err instanceof CancelledError || (err as { code?: number }).code === 14;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
