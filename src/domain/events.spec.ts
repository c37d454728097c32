import { isLedgerEvent, isLedgerEventType, isLedgerStream, LEDGER_STREAM_PREFIXES, ledgerEventCodec, LedgerEvent, ledgerStreamOf, UPCASTERS, UnknownEventError } from './events';

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

describe("the ledger's streams and what a stored event it cannot read is refused with", () => {
  it('knows its streams by their prefixes, and no other', () => {
    expect(LEDGER_STREAM_PREFIXES).toEqual(['pool-', 'oracle-', 'position-', 'auction-', 'amm-', 'proof-', 'settings-']);
    for (const stream of ['pool-p', 'oracle-F', 'position-x', 'auction-x.4', 'amm-p', 'proof-x.3', 'settings-risk']) expect([stream, isLedgerStream(stream)]).toEqual([stream, true]);
    for (const stream of ['pool', 'poolx-p', 'public-pool-p', 'projection-x', '']) expect([stream, isLedgerStream(stream)]).toEqual([stream, false]);
  });

  it('reads a stream’s kind and the id after its first dash', () => {
    expect(ledgerStreamOf('position-x.4')).toEqual({ kind: 'position', id: 'x.4' });
    expect(ledgerStreamOf('auction-a-b')).toEqual({ kind: 'auction', id: 'a-b' });
    expect(ledgerStreamOf('settings')).toEqual({ kind: 'settings', id: '' });
    expect(ledgerStreamOf('-x')).toEqual({ kind: '', id: 'x' });
  });

  it('takes an event for its own only with a ledger type in a ledger stream', () => {
    expect([isLedgerEventType('PoolCreated'), isLedgerEventType('Mystery')]).toEqual([true, false]);
    expect(isLedgerEvent({ stream: 'pool-p', type: 'PoolCreated' })).toBe(true);
    expect(isLedgerEvent({ stream: 'public-p', type: 'PoolCreated' })).toBe(false);
    expect(isLedgerEvent({ stream: 'pool-p', type: 'Mystery' })).toBe(false);
  });

  it('says why it cannot read a stored event', () => {
    const why = (decode: () => unknown) => {
      try {
        decode();
      } catch (err) {
        if (err instanceof UnknownEventError) return err.message;
        throw err;
      }
      return undefined;
    };
    expect(why(() => ledgerEventCodec.decode('Mystery', 1, {}))).toBe('unknown event type Mystery');
    expect(why(() => ledgerEventCodec.decode('PriceUpdated', 1, null as unknown as Record<string, unknown>))).toBe('PriceUpdated has no body');
    expect(why(() => ledgerEventCodec.decode('PriceUpdated', 1, [] as unknown as Record<string, unknown>))).toBe('PriceUpdated has no body');
    expect(why(() => ledgerEventCodec.decode('PriceUpdated', 1, 'x' as unknown as Record<string, unknown>))).toBe('PriceUpdated has no body');
    expect(why(() => ledgerEventCodec.decode('PriceUpdated', 0, {}))).toBe('no upcaster for PriceUpdated v0');
    expect(why(() => ledgerEventCodec.decode('PriceUpdated', 1, { round: 'not-a-number', price: '1', at: '1', oracles: [] }))).toBe('round is not an integer: "not-a-number"');
    expect(why(() => ledgerEventCodec.decode('PriceUpdated', 1, { round: '7', price: '-12', at: '1', oracles: [] }))).toBeUndefined();
    // A long value is quoted by its first 40 characters only.
    expect(why(() => ledgerEventCodec.decode('PriceUpdated', 1, { round: 'x'.repeat(50), price: '1', at: '1', oracles: [] }))).toBe(`round is not an integer: "${'x'.repeat(40)}"`);
  });
});

