/**
 * Stop the ledger and start it again on the same data: positions and the read model are as they were,
 * and no event is applied twice by the projection (its totals would drift if one were).
 */
import { loadCrypto } from '../src/domain/crypto/crypto';
import { generateOracleKey, signReport } from '../src/oracle/report-signing';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';

const params = {
  maxLtvBps: 7000, liquidationThresholdBps: 8000, liquidationPenaltyBps: 500, liquidatorBonusBps: 300, protocolFeeBps: 1000,
  closeFactorBps: 5000, fullCloseHealthFactor: '0.95', dustLimit: '1', liquidationCollateralCap: '100', stabilityFeeYearly: '0',
};

it('comes back after a restart with the same positions and read model, applying no event twice', async () => {
  await loadCrypto();
  let ledger: RunningLedger = await startLedger();
  const dataDir = ledger.dataDir;
  try {
    const oracle = generateOracleKey();
    const now = () => BigInt(Math.floor(Date.now() / 1000));
    const ok = async (as: Actor, method: string, route: string, body?: unknown) => {
      const res = await ledger.as(as)(method, route, body);
      if (res.status >= 300) throw new Error(`${method} ${route} answered ${res.status}: ${res.text}`);
      return res.body;
    };
    const admin = ledger.admin;
    const o1 = await ledger.principal('o1', 'oracle', ['BTC-USD']);
    const owners: Actor[] = [];
    for (let i = 0; i < 5; i++) owners.push(await ledger.principal(`owner-${i}`, 'borrower'));
    await ok(admin, 'POST', '/feeds', { commandId: 'feed', feed: 'BTC-USD', quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 5000, maxFutureSkewSeconds: 30 });
    await ok(admin, 'POST', '/feeds/BTC-USD/oracles', { commandId: 'key', oracle: 'o1', publicKey: oracle.publicKey });
    await ok(o1, 'POST', '/feeds/BTC-USD/reports', { commandId: 'r1', oracle: 'o1', ...signReport(oracle.privateKey, 'BTC-USD', 1n, '60000', now()) });
    await ok(admin, 'POST', '/pools', { commandId: 'pool', poolId: 'wbtc', collateral: { symbol: 'WBTC', decimals: 8 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'BTC-USD', parameters: params });
    for (let i = 0; i < 5; i++) {
      await ok(owners[i], 'POST', '/positions', { commandId: `open-${i}`, positionId: `p-${i}`, poolId: 'wbtc' });
      await ok(owners[i], 'POST', `/positions/p-${i}/collateral/deposit`, { commandId: `dep-${i}`, amount: '0.5' });
      await ok(owners[i], 'POST', `/positions/p-${i}/debt/draw`, { commandId: `draw-${i}`, amount: String(1000 * (i + 1)) });
    }
    const last = await ledger.lastPosition();
    // The admin sees the pool's totals; each owner sees its own position.
    const poolBefore = await ok(admin, 'GET', `/pools/wbtc?minPosition=${last}`);
    expect(poolBefore.totalDebt).toBe('15000');
    const positionBefore = await ok(owners[3], 'GET', '/positions/p-3');
    expect(positionBefore.owner).toBe('owner-3');
    await ledger.stop();

    // The keys issued before the restart still hold: the registry is rebuilt from its events too.
    ledger = await startLedger(dataDir);
    expect(await ledger.lastPosition()).toBe(last);
    expect(await ok(owners[3], 'GET', '/positions/p-3')).toEqual(positionBefore);
    expect(await ok(admin, 'GET', `/pools/wbtc?minPosition=${last}`)).toEqual(poolBefore);

    // It goes on from there: a retried command is still a duplicate, a new one lands once.
    expect((await ok(owners[0], 'POST', '/positions/p-0/debt/draw', { commandId: 'draw-0', amount: '1000' })).duplicate).toBe(true);
    const more = await ok(owners[0], 'POST', '/positions/p-0/debt/draw', { commandId: 'draw-0-more', amount: '500' });
    const after = await ok(admin, 'GET', `/pools/wbtc?minPosition=${more.position}`);
    expect(after.totalDebt).toBe('15500');
    expect(after.totalCollateral).toBe('2.5');
  } finally {
    await ledger.stop();
    await removeDataDir(dataDir);
  }
});
