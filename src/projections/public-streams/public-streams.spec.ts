/**
 * The public views over generated histories (made by the ledger's own deciders, several seeds): no
 * amount of any position appears in any public event, raw or as a decimal, and no field names one;
 * every position event the views publish names the position by id and commitment only.
 */
import { loadCrypto } from '../../domain/crypto/crypto';
import { unixSeconds } from '../../clock/clock';
import { decodeStored } from '../../eventstore/event-codec';
import { ledgerEventCodec } from '../../domain/events';
import { formatDecimal } from '../../domain/math/decimal';
import { syntheticHistory } from '../../../bench/support/synthetic-history';
import { PublicEvent, PublicStreams } from './public-streams';

/** Amount fields of position events, and the decimals each is shown with (collateral WETH 18, debt USDC 6). */
const AMOUNT_FIELDS: Record<string, number[]> = {
  amount: [18, 6],
  collateral: [18],
  scaledDebt: [27, 6],
  collateralReturned: [18],
  collateralSold: [18],
  debtRepaid: [6],
  badDebt: [6],
};
/** Public counters, times and the borrow index (1 at the start): a whole amount ("1" WETH) may equal one by chance. */
const COUNTERS = ['round', 'priceRound', 'openPositions', 'at', 'deadline', 'borrowIndex'];
const FORBIDDEN_FIELDS = ['amount', 'collateral', 'scaledDebt', 'debt', 'lot', 'tab', 'raised', 'sold', 'paid', 'bid', 'debtToCover', 'penalty'];

beforeAll(() => loadCrypto());

describe('the public views over a generated history', () => {
  it.each([3, 17, 29])('never carry a position’s amount (seed %i)', async (seed) => {
    const views = new PublicStreams();
    const published: PublicEvent[] = [];
    const amounts = new Set<string>();
    const noProofs = async () => {
      throw new Error('this history has no proof-triggered liquidations');
    };
    for await (const append of syntheticHistory({ positions: 150, eventsPerPosition: 5, liquidations: 0, detected: 6, positionsPerRound: 20, seed }, noProofs)) {
      for (const e of append.events) {
        const event = decodeStored(ledgerEventCodec, e);
        published.push(...views.apply(append.stream, event, unixSeconds(new Date(e.metadata.at))));
        if (!append.stream.startsWith('position-')) continue;
        for (const [field, decimals] of Object.entries(AMOUNT_FIELDS)) {
          const value = (event as unknown as Record<string, unknown>)[field];
          // Small numbers (a round, a count) are everywhere; amounts worth hiding are not small.
          if (typeof value !== 'bigint' || value < 1_000n) continue;
          amounts.add(value.toString());
          for (const d of decimals) amounts.add(formatDecimal(value, d));
        }
      }
    }
    expect(amounts.size).toBeGreaterThan(500);
    expect(published.filter((e) => e.type === 'LiquidationTriggered')).toHaveLength(6);
    expect(published.filter((e) => e.type === 'PoolStateChanged').length).toBeGreaterThan(5);
    const values = new Set(published.flatMap((e) => Object.entries(e.data).filter(([k]) => !COUNTERS.includes(k)).map(([, v]) => String(v))));
    expect([...amounts].filter((a) => values.has(a))).toEqual([]);
    expect(published.flatMap((e) => Object.keys(e.data)).filter((k) => FORBIDDEN_FIELDS.includes(k))).toEqual([]);
    for (const e of published.filter((p) => 'positionId' in p.data)) {
      expect(Object.keys(e.data).sort()).toEqual(expect.arrayContaining(['positionId', 'commitment', 'healthBand']));
    }
  });
});
