/**
 * The security review's attacks on the event store, tried as someone on the ledger's host with the
 * official client would: the store is secure by default (TLS, users, ACLs), so a client without the
 * ledger's or the admin's credentials mints no admin key, creates no collateral, forges no price or
 * public event, deletes nothing and reads no secret. A plain-text client gets nothing from the port.
 * The ledger connects as a user of its own; the passwords are readable by their owner only.
 */
import { EventStoreDBClient } from '@eventstore/db-client';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { withCredentials } from '../src/eventstore/connection-string';
import { removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';
import { cli } from './support/cli';
import { StoreWrite, tryAsAttacker } from './support/attacker';

let ledger: RunningLedger;

afterEach(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

/** Marks the attacker's events, to look for them in the history afterwards. */
const FORGED = { forgedBy: 'mallory' };

const attacks = (positionId: string): StoreWrite[] => [
  { append: 'principal-mallory', type: 'PrincipalRegistered', data: { principalId: 'mallory', role: 'admin', feeds: [], at: '1', ...FORGED } },
  { append: `position-${positionId}`, type: 'CollateralDeposited', data: { amount: '1000000000000000000000', ...FORGED } },
  { append: 'oracle-ETH-USD', type: 'PriceUpdated', data: { round: '99', price: '1200', at: '1', oracles: [], ...FORGED } },
  { append: `public-pool-state-${POOL}`, type: 'PoolStateChanged', data: { poolId: POOL, price: '1', ...FORGED } },
  { delete: `position-${positionId}` },
  { tombstone: 'oracle-ETH-USD' },
  { read: `position-${positionId}` },
  { read: 'principal-admin' },
  { read: '$all' },
];

it('refuses every attack on the store from a client without credentials, with a wrong password, or as an integrator', async () => {
  ledger = await startLedger();
  const market = new Market(ledger);
  await market.open('3000');
  await market.borrow('p1', '1', '100');
  const admin = ledger.app.get(EventStoreConnection).connectionString!;

  const created = await cli('eventstore', 'add-integrator', 'partner', '--eventstore', admin);
  expect(created.code).toBe(0);
  const integrator = (JSON.parse(created.out) as { connectionString: string }).connectionString;
  for (const connectionString of [withCredentials(admin), withCredentials(admin, 'admin', 'guessed'), withCredentials(admin, 'ledger', 'guessed'), integrator]) {
    const outcomes = await tryAsAttacker(connectionString, attacks('p1'));
    expect(outcomes).toEqual(attacks('p1').map(() => 'AccessDeniedError'));
  }
  // As in the review: no TLS, no credentials.
  const plain = await tryAsAttacker(`esdb://127.0.0.1:${new URL(admin.replace(/^esdb:/, 'http:')).port}?tls=false`, attacks('p1'));
  expect(plain.every((o) => o !== 'ok')).toBe(true);

  // Nothing reached the history, and the ledger goes on as before.
  const forged = [];
  for await (const { event } of ledger.app.get(EventStoreDBClient).readAll()) if ((event?.data as { forgedBy?: string } | undefined)?.forgedBy) forged.push(event!.streamId);
  expect(forged).toEqual([]);
  expect((await market.ok('GET', '/positions/p1', undefined, market.borrower)).owner).toBe(market.borrower.id);
  const ready = await ledger.api<{ quarantined: unknown[]; deletedStreams: unknown[] }>('GET', '/health/ready');
  expect([ready.status, ready.body.quarantined, ready.body.deletedStreams]).toEqual([200, [], []]);

  // The integrator reads the public streams, which is what it is for.
  expect(await tryAsAttacker(integrator, [{ read: `public-pool-state-${POOL}` }])).toEqual(['ok']);

  // The passwords in the store's data directory are the owner's alone; the ledger is not the admin.
  const storeDir = path.join(ledger.dataDir, 'eventstore');
  for (const file of ['admin.password', 'ledger.password', 'certs/node/node.key', 'certs/ca/ca.key']) {
    expect([file, (await stat(path.join(storeDir, file))).mode & 0o777]).toEqual([file, 0o600]);
  }
}, 240_000);

it('runs insecure only when told to, EVENTSTORE_INSECURE=true, as EventStoreDB does: then anyone on the port may write', async () => {
  ledger = await startLedger(undefined, { EVENTSTORE_INSECURE: 'true' });
  const connectionString = ledger.app.get(EventStoreConnection).connectionString!;
  expect(connectionString).toMatch(/tls=false$/);
  expect(await tryAsAttacker(connectionString, [{ read: '$all' }])).toEqual(['ok']);
}, 240_000);
