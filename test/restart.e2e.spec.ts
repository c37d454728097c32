/**
 * Stop the ledger and start it again on the same data: positions and the read model are as they were,
 * and no event is applied twice by the projection (its totals would drift if one were).
 */
import { loadCrypto } from '../src/domain/crypto/crypto';
import { generateOracleKey, signReport } from '../src/oracle/report-signing';
import { removeDataDir, RunningLedger, startLedger } from './support/ledger-app';

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
    await ledger.api('POST', '/feeds', { commandId: 'feed', feed: 'BTC-USD', quorum: 1, heartbeatSeconds: 3600, deviationLimitBps: 5000, maxFutureSkewSeconds: 30 });
    await ledger.api('POST', '/feeds/BTC-USD/oracles', { commandId: 'key', oracle: 'o1', publicKey: oracle.publicKey });
    await ledger.api('POST', '/feeds/BTC-USD/reports', { commandId: 'r1', oracle: 'o1', ...signReport(oracle.privateKey, 'BTC-USD', 1n, '60000', now()) });
    await ledger.api('POST', '/pools', { commandId: 'pool', poolId: 'wbtc', collateral: { symbol: 'WBTC', decimals: 8 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'BTC-USD', parameters: params });
    for (let i = 0; i < 5; i++) {
      await ledger.api('POST', '/positions', { commandId: `open-${i}`, positionId: `p-${i}`, poolId: 'wbtc', owner: `owner-${i}` });
      await ledger.api('POST', `/positions/p-${i}/collateral/deposit`, { commandId: `dep-${i}`, amount: '0.5' });
      await ledger.api('POST', `/positions/p-${i}/debt/draw`, { commandId: `draw-${i}`, amount: String(1000 * (i + 1)) });
    }
    const last = await ledger.lastPosition();
    const poolBefore = (await ledger.api('GET', `/pools/wbtc?minPosition=${last}`)).body;
    const positionBefore = (await ledger.api('GET', '/positions/p-3')).body;
    await ledger.stop();

    ledger = await startLedger(dataDir);
    expect(await ledger.lastPosition()).toBe(last);
    expect((await ledger.api('GET', '/positions/p-3')).body).toEqual(positionBefore);
    expect((await ledger.api('GET', `/pools/wbtc?minPosition=${last}`)).body).toEqual(poolBefore);

    // It goes on from there: a retried command is still a duplicate, a new one lands once.
    expect((await ledger.api('POST', '/positions/p-0/debt/draw', { commandId: 'draw-0', amount: '1000' })).body.duplicate).toBe(true);
    const more = await ledger.api('POST', '/positions/p-0/debt/draw', { commandId: 'draw-0-more', amount: '500' });
    const after = (await ledger.api('GET', `/pools/wbtc?minPosition=${more.body.position}`)).body;
    expect(after.totalDebt).toBe('15500');
    expect(after.totalCollateral).toBe('2.5');
  } finally {
    await ledger.stop();
    await removeDataDir(dataDir);
  }
});
