/**
 * What the pool-state read model reads before folding a batch: the rows of the positions whose balances
 * the batch moves, and none for a trigger (a price move that crosses a thousand positions appends a
 * thousand triggers, and their batches would each read rows they never change).
 */
import { Queryable } from '../../database/database';
import { LedgerEvent, ledgerEventCodec, SCHEMA_VERSIONS } from '../../domain/events';
import { RAY, WAD } from '../../domain/math/fixed-point';
import { ProjectedEvent } from '../projection';
import { PoolStateProjection } from './pool-state.projection';

/** Keeps every statement; a read of position rows finds each position asked for, open and empty. */
function recording(): Queryable & { statements: { sql: string; params?: unknown[] }[] } {
  const statements: { sql: string; params?: unknown[] }[] = [];
  const rowsOf = (ids: string[]) => ids.map((id) => ({ position_id: id, pool_id: 'p', collateral: '0', scaled_debt: '0', open: true, commitment: '1' }));
  return {
    statements,
    query: async <Row>(sql: string, params?: unknown[]) => {
      statements.push({ sql, params });
      return (sql.includes('FROM position_balances') ? rowsOf(params![0] as string[]) : []) as Row[];
    },
    exec: async () => undefined,
  };
}

let commit = 0n;
function projected(stream: string, event: LedgerEvent): ProjectedEvent {
  const { type, data } = ledgerEventCodec.encode(event);
  commit++;
  return { stream, revision: 0n, commit, prepare: commit, type, data, metadata: { schemaVersion: SCHEMA_VERSIONS[event.type], commandId: `c${commit}`, at: new Date(0).toISOString() }, created: new Date(0) };
}

const triggered = (positionId: string) =>
  projected(`position-${positionId}`, { type: 'LiquidationTriggered', by: 'detection', positionId, poolId: 'p', feed: 'ETH-USD', round: 3n, price: 1_000n * WAD, borrowIndex: RAY, collateral: WAD, scaledDebt: 900n, salt: 1n, commitment: 2n });
const committed = { collateral: WAD, scaledDebt: 100n, salt: 1n, commitment: 2n };
/** Each position event the read model folds, on position `positionId`. */
const rowEvents: Record<string, (positionId: string) => ProjectedEvent> = {
  PositionOpened: (id) => projected(`position-${id}`, { type: 'PositionOpened', positionId: id, poolId: 'p', owner: 'o', ...committed }),
  CollateralDeposited: (id) => projected(`position-${id}`, { type: 'CollateralDeposited', amount: WAD, ...committed }),
  CollateralWithdrawn: (id) => projected(`position-${id}`, { type: 'CollateralWithdrawn', amount: 1n, ...committed }),
  DebtDrawn: (id) => projected(`position-${id}`, { type: 'DebtDrawn', amount: 100n, borrowIndex: RAY, ...committed }),
  DebtRepaid: (id) => projected(`position-${id}`, { type: 'DebtRepaid', amount: 1n, borrowIndex: RAY, ...committed }),
  LiquidationSettled: (id) => projected(`position-${id}`, { type: 'LiquidationSettled', auctionId: `${id}.1`, collateralSold: 1n, debtRepaid: 1n, badDebt: 0n, borrowIndex: RAY, ...committed }),
  PositionClosed: (id) => projected(`position-${id}`, { type: 'PositionClosed', collateralReturned: 0n, ...committed }),
};

const rowReads = (tx: ReturnType<typeof recording>) => tx.statements.filter((s) => s.sql.includes('FROM position_balances'));

it('reads no position rows for a batch of triggers, and writes none', async () => {
  const tx = recording();
  await new PoolStateProjection().apply(tx, [triggered('a'), triggered('b'), triggered('c')]);
  expect(tx.statements).toEqual([]);
});

it.each(Object.keys(rowEvents))('reads the row of a position whose %s is in the batch, and no triggered one', async (type) => {
  const tx = recording();
  await new PoolStateProjection().apply(tx, [triggered('a'), rowEvents[type]('b'), triggered('c'), rowEvents.DebtDrawn('d')]);
  expect(rowReads(tx).map((s) => s.params)).toEqual([[['b', 'd']]]);
});
