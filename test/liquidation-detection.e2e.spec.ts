/**
 * The ledger's own liquidation detection, end to end through the embedded store: signed price reports,
 * accrued interest and a parameter change each trigger exactly the positions they push below health
 * factor 1, with LiquidationTriggered naming the round and price; healthy positions are left alone;
 * the list of liquidations shows commitments, never amounts; a restarted ledger neither repeats a
 * trigger nor misses one that came due while it was down.
 */
import { BACKWARDS, END, EventStoreDBClient } from '@eventstore/db-client';
import { ledgerEventCodec } from '../src/domain/events';
import { LiquidationDetector, Sweep } from '../src/liquidation/liquidation-detector';
import { Actor, removeDataDir, RunningLedger, startLedger } from './support/ledger-app';
import { Market, POOL } from './support/scenario';
import { waitFor } from './support/wait';

let ledger: RunningLedger;
let market: Market;
/** A liquidator, who watches the list of liquidations under way. */
let liquidator: Actor;

async function positionEvents(positionId: string) {
  const events = [];
  for await (const { event } of ledger.app.get(EventStoreDBClient).readStream(`position-${positionId}`)) {
    events.push(ledgerEventCodec.decode(event!.type, (event!.metadata as any).schemaVersion, event!.data as Record<string, unknown>));
  }
  return events;
}

const triggers = async (positionId: string) => (await positionEvents(positionId)).filter((e) => e.type === 'LiquidationTriggered');

/** Events that move a pool's price, index or threshold: the detector looks over the pool after each. */
const MOVING = ['PriceUpdated', 'LiquidationsResumed', 'InterestAccrued', 'PoolParametersChanged'];

/**
 * Runs `act` (answering a command receipt) and waits until the detector has looked over the pool after
 * each of its events that moved the pool, and appended what it found.
 */
async function andDetection(act: () => Promise<{ position: string; events: string[] }>): Promise<void> {
  const sweeps: Sweep[] = [];
  let receipt: { position: string; events: string[] } | undefined;
  let done!: () => void;
  const looked = new Promise<void>((resolve) => (done = resolve));
  const check = () => {
    if (!receipt) return;
    const expected = receipt.events.filter((type) => MOVING.includes(type)).length;
    if (sweeps.filter((s) => s.cause !== undefined && s.cause >= BigInt(receipt!.position)).length >= expected) done();
  };
  const stop = ledger.app.get(LiquidationDetector).onSweep((sweep) => (sweeps.push(sweep), check()));
  try {
    receipt = await act();
    check();
    await Promise.race([looked, new Promise((_, reject) => setTimeout(() => reject(new Error('no detection after the act')), 10_000))]);
  } finally {
    stop();
  }
}

beforeAll(async () => {
  ledger = await startLedger();
  market = new Market(ledger);
  await market.open('2000');
  liquidator = await ledger.principal('liquidator-1', 'liquidator');
  // One WETH each at 2,000 USDC and an 82.5% threshold: liquidatable below debt / 0.825.
  await market.borrow('low', '1', '1000'); // below 1,212.12
  await market.borrow('mid', '1', '1400'); // below 1,696.97
  await market.borrow('high', '1', '1490'); // below 1,806.06
}, 60_000);

afterAll(async () => {
  await ledger?.stop();
  if (ledger) await removeDataDir(ledger.dataDir);
});

describe('liquidation detection', () => {
  it('leaves every position alone while prices hold', async () => {
    await andDetection(() => market.publish(2n, '1990'));
    expect(await market.ok('GET', '/liquidations', undefined, liquidator)).toEqual([]);
    for (const id of ['low', 'mid', 'high']) expect(await triggers(id)).toEqual([]);
  });

  it('triggers exactly the positions a price drop crosses, at that round and price', async () => {
    await andDetection(() => market.publish(3n, '1800'));
    const [trigger] = await triggers('high');
    expect(trigger).toMatchObject({ by: 'detection', round: 3n, price: 1800n * 10n ** 18n, feed: 'ETH-USD', poolId: POOL });
    expect(await triggers('mid')).toEqual([]);
    expect(await triggers('low')).toEqual([]);
  });

  it('lists liquidations under way by commitment, without amounts', async () => {
    // The owner's opening, to compare with what a liquidator sees.
    const opening = await market.ok('GET', '/positions/high/opening', undefined, market.borrower);
    const list = await market.ok('GET', `/liquidations?poolId=${POOL}`, undefined, liquidator);
    expect(list).toEqual([
      { positionId: 'high', poolId: POOL, commitment: opening.commitment, by: 'detection', feed: 'ETH-USD', round: '3', price: '1800', liquidationId: 'high.3', proof: expect.stringMatching(/^(pending|proven)$/) },
    ]);
    const text = JSON.stringify(list);
    expect(text).not.toContain(opening.collateral);
    expect(text).not.toContain(opening.scaledDebt);
  });

  it('refuses to let the position being liquidated draw or withdraw, and appends nothing', async () => {
    // The position's own stream: the liquidation's saga goes on appending to the auction's meanwhile.
    const lastOfPosition = async () => {
      let revision = -1n;
      for await (const { event } of ledger.app.get(EventStoreDBClient).readStream('position-high', { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) revision = event!.revision;
      return revision;
    };
    const before = await lastOfPosition();
    const draw = await ledger.as(market.borrower)('POST', '/positions/high/debt/draw', { commandId: market.id('draw'), amount: '1' });
    expect(draw.status).toBe(409);
    expect(draw.body.code).toBe('LIQUIDATION_IN_PROGRESS');
    expect(await lastOfPosition()).toBe(before);
  });

  it('triggers on a parameter change: a lower threshold crosses positions at an unchanged price', async () => {
    // At 1,800 and a 78% threshold, `mid` (1,400 / 0.78 = 1,794.87) is still safe; at 77% it is not.
    await andDetection(() => market.ok('PATCH', `/pools/${POOL}/parameters`, { commandId: market.id('params'), parameters: { liquidationThresholdBps: 7700 } }));
    expect(await triggers('mid')).toHaveLength(1);
    expect(await triggers('low')).toEqual([]);
  });

  it('a restarted ledger neither repeats a trigger nor misses one that came due while it was not detecting', async () => {
    const dataDir = ledger.dataDir;
    const restart = async (env: Record<string, string> = {}) => {
      await ledger.stop();
      ledger = await startLedger(dataDir, env);
      // The principals and their keys outlive the restart.
      market = Object.assign(new Market(ledger), { oracles: market.oracles, admin: ledger.admin, borrower: market.borrower });
    };
    // The price falls while the ledger runs without detection: `low` (1,000 / 0.77 = 1,298.7) goes under unnoticed.
    await restart({ LIQUIDATION_DETECTION: 'off' });
    await market.publish(4n, '1290');
    expect(await triggers('low')).toEqual([]);
    // Back with detection: the first look after reading the history finds it, and only it.
    await restart();
    await waitFor(async () => (await triggers('low')).length === 1 || undefined);
    expect(await triggers('low')).toMatchObject([{ by: 'detection', round: 4n, price: 1290n * 10n ** 18n }]);
    expect(await triggers('high')).toHaveLength(1);
    expect(await triggers('mid')).toHaveLength(1);
    expect((await market.ok('GET', '/liquidations', undefined, liquidator)).map((l: { positionId: string }) => l.positionId).sort()).toEqual(['high', 'low', 'mid']);
  });
});
