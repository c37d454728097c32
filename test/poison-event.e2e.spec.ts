/**
 * A poison event: a writer with access to the store appends an event the ledger cannot use (a
 * `PriceUpdated` whose round is not a number, an event of a type the ledger never wrote). The ledger
 * neither stops nor folds it: the event is quarantined (a metric, a detail of /health/ready, a log
 * line), what does not depend on its stream goes on, what does is refused with STREAM_QUARANTINED,
 * and so again after a restart. The audit reports it as UNDECODABLE and goes on.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadCrypto } from '../src/domain/crypto/crypto';
import { generateOracleKey, signReport } from '../src/oracle/report-signing';
import { EventStoreConnection } from '../src/eventstore/eventstore.module';
import { AuditReport } from '../src/audit/auditor';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { cli } from './support/cli';
import { writeAsAttacker } from './support/attacker';
import { waitFor } from './support/wait';

const params = {
  maxLtvBps: 7000, liquidationThresholdBps: 8000, liquidationPenaltyBps: 500, liquidatorBonusBps: 300, protocolFeeBps: 1000,
  closeFactorBps: 5000, fullCloseHealthFactor: '0.95', dustLimit: '1', liquidationCollateralCap: '100', stabilityFeeYearly: '0',
};
const now = () => BigInt(Math.floor(Date.now() / 1000));

let ledger: RunningLedger;
let owner: Actor;

async function ok(as: Actor, method: string, route: string, body?: unknown) {
  const res = await ledger.as(as)(method, route, body);
  if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Two feeds, a pool on each, a position borrowing in each. */
async function market(): Promise<void> {
  const admin = ledger.admin;
  owner = await ledger.principal('owner', 'borrower');
  for (const [feed, price, pool] of [['BTC-USD', '60000', 'wbtc'], ['ETH-USD', '3000', 'weth']]) {
    const key = generateOracleKey();
    const oracle = await ledger.principal(`o-${feed}`, 'oracle', [feed]);
    await ok(admin, 'POST', '/feeds', { commandId: `feed-${feed}`, feed, quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 5000, maxFutureSkewSeconds: 30 });
    await ok(admin, 'POST', `/feeds/${feed}/oracles`, { commandId: `key-${feed}`, oracle: oracle.id, publicKey: key.publicKey });
    await ok(oracle, 'POST', `/feeds/${feed}/reports`, { commandId: `r-${feed}`, oracle: oracle.id, ...signReport(key.privateKey, feed, 1n, price, now()) });
    await ok(admin, 'POST', '/pools', { commandId: `pool-${pool}`, poolId: pool, collateral: { symbol: pool.toUpperCase(), decimals: 8 }, debt: { symbol: 'USDC', decimals: 6 }, feed, parameters: params });
    await ok(owner, 'POST', '/positions', { commandId: `open-${pool}`, positionId: `p-${pool}`, poolId: pool });
    await ok(owner, 'POST', `/positions/p-${pool}/collateral/deposit`, { commandId: `dep-${pool}`, amount: '1' });
  }
}

async function quarantined(): Promise<{ stream: string; type: string; reason: string }[]> {
  const ready = await ledger.api<{ quarantined?: { stream: string; type: string; reason: string }[] }>('GET', '/health/ready');
  expect(ready.status).toBe(200);
  return ready.body.quarantined ?? [];
}

/** What depends on the poisoned feed is refused; the other pool goes on. */
async function expectServedAroundThePoison(round: string): Promise<void> {
  const btc = await ledger.as(owner)('POST', '/positions/p-wbtc/debt/draw', { commandId: `draw-btc-${round}`, amount: '100' });
  expect([btc.status, btc.body.code]).toEqual([409, 'STREAM_QUARANTINED']);
  const feed = await ledger.as(ledger.admin)('GET', '/feeds/BTC-USD');
  expect([feed.status, feed.body.code]).toEqual([409, 'STREAM_QUARANTINED']);
  const before = await ledger.lastPosition();
  const again = await ledger.as(owner)('POST', '/positions/p-wbtc/debt/draw', { commandId: `draw-btc-${round}`, amount: '100' });
  expect(again.status).toBe(409);
  expect(await ledger.lastPosition()).toBe(before);
  await ok(owner, 'POST', '/positions/p-weth/debt/draw', { commandId: `draw-eth-${round}`, amount: '100' });
  expect((await ok(ledger.admin, 'GET', '/feeds/ETH-USD')).round).toBe('1');
}

it('quarantines a poison event live and at start, serves around it, and the audit reports it and goes on', async () => {
  await loadCrypto();
  ledger = await startLedger();
  const dataDir = ledger.dataDir;
  const auditDir = await mkdtemp(path.join(tmpdir(), 'poison-audit-'));
  try {
    await market();
    await writeAsAttacker(ledger.app.get(EventStoreConnection).connectionString!, [
      { append: 'oracle-BTC-USD', type: 'PriceUpdated', data: { round: 'not-a-number', price: '1200', at: now().toString(), oracles: [] } },
      { append: 'position-p-wbtc', type: 'CollateralMinted', data: { amount: '1000' } },
    ]);

    // Live: the ledger goes on, and says what it set aside.
    const live = await waitFor(async () => ((await quarantined()).length === 2 ? quarantined() : undefined));
    expect(live.map((q) => [q.stream, q.type, q.reason]).sort()).toEqual([
      ['oracle-BTC-USD', 'PriceUpdated', 'UNDECODABLE'],
      ['position-p-wbtc', 'CollateralMinted', 'UNDECODABLE'],
    ]);
    await expectServedAroundThePoison('live');
    const metrics = await ledger.as(ledger.admin)('GET', '/metrics');
    expect(metrics.text).toMatch(/ledger_quarantined_events\{reason="UNDECODABLE"\} 2/);
    // Every projection still runs (the pool-state read model used to stop on the bad number).
    for (const p of (await ledger.api<{ projections: { state: string }[] }>('GET', '/health/ready')).body.projections) expect(p.state).toBe('running');

    // At start: it comes up, and the same holds.
    await ledger.stop();
    ledger = await startLedger(dataDir);
    await waitFor(async () => ((await quarantined()).length === 2 ? true : undefined));
    await expectServedAroundThePoison('restarted');

    // The audit reports the poison and still audits the rest.
    const json = path.join(auditDir, 'report.json');
    const res = await cli('audit', 'replay', '--eventstore', ledger.app.get(EventStoreConnection).connectionString!, '--json', json);
    const report = JSON.parse(await readFile(json, 'utf8')) as AuditReport;
    expect(res.code).not.toBe(0);
    expect(report.failures.filter((f) => f.code === 'UNDECODABLE').map((f) => f.stream).sort()).toEqual(['oracle-BTC-USD', 'position-p-wbtc']);
    expect(report.pools.map((p) => p.poolId).sort()).toEqual(['wbtc', 'weth']);
    expect(report.commands).toBeGreaterThan(10);
  } finally {
    await ledger.stop();
    await removeDataDir(dataDir);
    await rm(auditDir, { recursive: true, force: true });
  }
}, 240_000);
