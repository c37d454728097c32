/**
 * A writer with access to the store deletes a stream the ledger depends on (a soft delete, which the
 * store records as the stream's truncate-before metadata) or tombstones one. The ledger notices: it
 * raises an alert (a log line, ledger_deleted_streams, a detail of /health/ready) and refuses every
 * command on that stream with 410 STREAM_DELETED, never a 500 and never by taking the stream for a new
 * one, live and after a restart.
 */
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';
import { writeAsAttacker } from './support/attacker';
import { waitFor } from './support/wait';

let ledger: RunningLedger;
let market: Market;

async function deletedStreams(): Promise<{ stream: string; how: string }[]> {
  const ready = await ledger.api<{ deletedStreams?: { stream: string; how: string }[] }>('GET', '/health/ready');
  expect(ready.status).toBe(200);
  return ready.body.deletedStreams ?? [];
}

/** Every command on a deleted stream is refused with 410 and appends nothing; the others go on. */
async function expectRefused(round: string): Promise<void> {
  const before = await ledger.lastPosition();
  for (const id of ['p-soft', 'p-tomb']) {
    const draw = await ledger.as(market.borrower)('POST', `/positions/${id}/debt/draw`, { commandId: `draw-${id}-${round}`, amount: '100' });
    expect([id, draw.status, draw.body.code]).toEqual([id, 410, 'STREAM_DELETED']);
    // Opening it again would start a new history on the deleted one's name.
    const reopen = await ledger.as(market.borrower)('POST', '/positions', { commandId: `reopen-${id}-${round}`, positionId: id, poolId: POOL });
    expect([id, reopen.status, reopen.body.code]).toEqual([id, 410, 'STREAM_DELETED']);
  }
  expect(await ledger.lastPosition()).toBe(before);
  await market.ok('POST', '/positions/p-kept/debt/draw', { commandId: `draw-kept-${round}`, amount: '100' }, market.borrower);
}

it('notices deleted and tombstoned streams, refuses commands on them with 410, live and after a restart', async () => {
  ledger = await startLedger();
  const dataDir = ledger.dataDir;
  try {
    market = new Market(ledger);
    await market.open('3000');
    for (const id of ['p-soft', 'p-tomb', 'p-kept']) await market.borrow(id, '1', '100');

    await writeAsAttacker(ledger.app.get(EventStoreConnection).connectionString!, [{ delete: 'position-p-soft' }, { tombstone: 'position-p-tomb' }]);

    // The soft delete is noticed as it happens; the tombstone at the latest when a command meets it.
    await waitFor(async () => ((await deletedStreams()).length ? true : undefined));
    await expectRefused('live');
    expect((await deletedStreams()).map((d) => [d.stream, d.how]).sort()).toEqual([
      ['position-p-soft', 'deleted'],
      ['position-p-tomb', 'tombstoned'],
    ]);
    const metrics = await ledger.as(market.admin)('GET', '/metrics');
    expect(metrics.text).toMatch(/ledger_deleted_streams\{how="deleted"\} 1/);
    expect(metrics.text).toMatch(/ledger_deleted_streams\{how="tombstoned"\} 1/);

    await ledger.stop();
    ledger = market.ledger = await startLedger(dataDir);
    await expectRefused('restarted');
  } finally {
    await ledger.stop();
    await removeDataDir(dataDir);
  }
}, 240_000);
