/** How the ledger reads its settings; and settings that became events: a start that still names one stops, saying where the setting went. */
import { loadConfig } from './config';

describe('LIQUIDATION_GLOBAL_DEBT_CAP', () => {
  it('is not needed: unset or empty starts', () => {
    expect(() => loadConfig({})).not.toThrow();
    expect(() => loadConfig({ LIQUIDATION_GLOBAL_DEBT_CAP: '' })).not.toThrow();
  });

  it('stops the start when set, naming the API that sets the cap now', () => {
    for (const value of ['5000000', '0', 'lots']) {
      expect(() => loadConfig({ LIQUIDATION_GLOBAL_DEBT_CAP: value })).toThrow('LIQUIDATION_GLOBAL_DEBT_CAP is no longer read: the global liquidation cap is set by an admin with PUT /liquidations/global-cap');
    }
  });
});

describe('EVENTSTORE_THREAD', () => {
  it('puts the embedded store on its own thread unless told off, and refuses anything but on or off', () => {
    expect(loadConfig({}).eventStoreOwnThread).toBe(true);
    expect(loadConfig({ EVENTSTORE_THREAD: 'on' }).eventStoreOwnThread).toBe(true);
    expect(loadConfig({ EVENTSTORE_THREAD: 'off' }).eventStoreOwnThread).toBe(false);
    expect(() => loadConfig({ EVENTSTORE_THREAD: 'yes' })).toThrow(/EVENTSTORE_THREAD/);
  });
});

describe('BODY_LIMIT', () => {
  it('reads a size in bytes, 64 KiB by default, and refuses what is not a size', () => {
    expect(loadConfig({}).bodyLimitBytes).toBe(65_536);
    expect(loadConfig({ BODY_LIMIT: '1mb' }).bodyLimitBytes).toBe(1_048_576);
    expect(loadConfig({ BODY_LIMIT: '2048' }).bodyLimitBytes).toBe(2048);
    for (const value of ['lots', '0', '-1kb']) expect(() => loadConfig({ BODY_LIMIT: value })).toThrow(/BODY_LIMIT must be a size/);
  });
});
