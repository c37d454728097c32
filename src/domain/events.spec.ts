import { ledgerEventCodec, LedgerEvent, UPCASTERS, UnknownEventError } from './events';

const samples: LedgerEvent[] = [
  { type: 'DebtDrawn', amount: 2n ** 87n, borrowIndex: 10n ** 27n + 1n, collateral: 5n, scaledDebt: 7n, salt: 2n ** 250n, commitment: 123n },
  { type: 'PriceReportAccepted', oracle: 'o1', round: 7n, price: 2000n * 10n ** 18n, timestamp: 1_800_000_000n, signature: { r8x: 1n, r8y: 2n, s: 3n }, publicKey: { x: 4n, y: 5n } },
  { type: 'PoolCreated', poolId: 'p', collateral: { symbol: 'WETH', decimals: 18 }, debt: { symbol: 'USDC', decimals: 6 }, feed: 'ETH-USD', ratePerSecond: 10n ** 27n, at: 0n,
    parameters: { maxLtvBps: 7500n, liquidationThresholdBps: 8250n, liquidationPenaltyBps: 500n, liquidatorBonusBps: 300n, protocolFeeBps: 1000n, closeFactorBps: 5000n, fullCloseHealthFactor: 95n * 10n ** 16n, dustLimit: 0n, liquidationCollateralCap: 10n ** 21n, stabilityFeeYearly: 5n * 10n ** 16n } },
  { type: 'PriceUpdated', round: 7n, price: 1n, at: 9n, oracles: ['o1', 'o2'] },
  // `debt` is an amount here, where PoolCreated's `debt` is the asset.
  { type: 'LiquidityAdded', poolId: 'p', collateralUnit: 10n ** 18n, debtUnit: 10n ** 6n, collateral: 100n * 10n ** 18n, debt: 200_000n * 10n ** 6n, reserveCollateral: 100n * 10n ** 18n, reserveDebt: 200_000n * 10n ** 6n },
];

describe('event codec', () => {
  it('round-trips events through JSON with every bigint exact', () => {
    for (const event of samples) {
      const stored = ledgerEventCodec.encode(event);
      const wire = JSON.parse(JSON.stringify(stored.data));
      expect(ledgerEventCodec.decode(stored.type, stored.schemaVersion, wire)).toEqual(event);
    }
  });

  it('stores amounts as decimal strings, never JSON numbers', () => {
    expect(ledgerEventCodec.encode(samples[0]).data.amount).toBe((2n ** 87n).toString());
  });

  it('refuses an unknown event type', () => {
    expect(() => ledgerEventCodec.decode('Mystery', 1, {})).toThrow(UnknownEventError);
  });

  it('refuses a body that breaks its types: a non-integer where an amount or round belongs, or no body', () => {
    expect(() => ledgerEventCodec.decode('PriceUpdated', 1, { round: 'not-a-number', price: '1200', at: '1', oracles: [] })).toThrow(UnknownEventError);
    expect(() => ledgerEventCodec.decode('DebtDrawn', 1, { amount: '1e6', collateral: '0', scaledDebt: '0', commitment: '1' })).toThrow(UnknownEventError);
    expect(() => ledgerEventCodec.decode('PriceUpdated', 1, null as unknown as Record<string, unknown>)).toThrow(UnknownEventError);
  });

  it('reads a version-1 LiquidationTriggered, from before detection, as triggered by its proof', () => {
    const v1 = { positionId: 'p1', poolId: 'p', liquidator: 'l', feed: 'F', oracle: 'o1', round: '7', nullifier: '5', proof: { pi_a: [] }, publicSignals: ['1'], collateral: '2', scaledDebt: '3', salt: '4', commitment: '6' };
    const decoded = ledgerEventCodec.decode('LiquidationTriggered', 1, v1);
    expect(decoded).toMatchObject({ type: 'LiquidationTriggered', by: 'proof', liquidator: 'l', round: 7n, nullifier: 5n });
    expect(ledgerEventCodec.encode(decoded).schemaVersion).toBe(3);
  });

  it("reads a version-2 proof of the retired circuit without a price: it cited one oracle's report, not the round's", () => {
    const v2 = { by: 'proof', positionId: 'p1', poolId: 'p', liquidator: 'l', feed: 'F', oracle: 'o1', round: '7', nullifier: '5', proof: { pi_a: [] }, publicSignals: ['1'], collateral: '2', scaledDebt: '3', salt: '4', commitment: '6' };
    const decoded = ledgerEventCodec.decode('LiquidationTriggered', 2, v2);
    expect(decoded).toMatchObject({ type: 'LiquidationTriggered', by: 'proof', liquidator: 'l', round: 7n, nullifier: 5n });
    expect(decoded).not.toHaveProperty('oracle');
    expect(decoded).not.toHaveProperty('price');
  });

  it('upcasts an old schema version on read, and refuses one it has no upcaster for', () => {
    expect(() => ledgerEventCodec.decode('PriceUpdated', 0, {})).toThrow(UnknownEventError);
    // A version-0 body that named the price `value`: the upcaster renames it.
    UPCASTERS.PriceUpdated = { 0: ({ value, ...rest }) => ({ ...rest, price: value }) };
    try {
      const decoded = ledgerEventCodec.decode('PriceUpdated', 0, { round: '7', value: '1', at: '9', oracles: ['o1', 'o2'] });
      expect(decoded).toEqual(samples[3]);
    } finally {
      delete UPCASTERS.PriceUpdated;
    }
  });
});
