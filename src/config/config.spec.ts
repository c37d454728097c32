/** The global liquidation cap setting: a decimal amount of the debt asset read in 18 decimals, or none. */
import { loadConfig } from './config';

describe('LIQUIDATION_GLOBAL_DEBT_CAP', () => {
  it('is none when unset or empty', () => {
    expect(loadConfig({}).liquidationGlobalDebtCap).toBeUndefined();
    expect(loadConfig({ LIQUIDATION_GLOBAL_DEBT_CAP: '' }).liquidationGlobalDebtCap).toBeUndefined();
  });

  it('reads a decimal amount in 18 decimals', () => {
    expect(loadConfig({ LIQUIDATION_GLOBAL_DEBT_CAP: '5000000' }).liquidationGlobalDebtCap).toBe(5_000_000n * 10n ** 18n);
    expect(loadConfig({ LIQUIDATION_GLOBAL_DEBT_CAP: '2500.5' }).liquidationGlobalDebtCap).toBe(25_005n * 10n ** 17n);
  });

  it('stops the start on a malformed or zero value, naming the setting', () => {
    for (const value of ['5e6', '-1', '1,000', 'lots', '0', '0.0', '1.0000000000000000001', ' 5']) {
      expect(() => loadConfig({ LIQUIDATION_GLOBAL_DEBT_CAP: value })).toThrow(/LIQUIDATION_GLOBAL_DEBT_CAP must be a positive decimal/);
    }
  });
});
