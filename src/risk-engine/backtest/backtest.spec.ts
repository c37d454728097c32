import { loadCrypto } from '../../domain/crypto/crypto';
import { seededRandom } from '../../domain/math/seeded-random';
import { CliError } from '../../cli/cli-error';
import { runBacktest } from './backtest';
import { Candle, parseCandles } from './candles';

/** Calm days (1% a day), then a crash day (low −50%, close −40%) at `crashAt`, then a recovery of 3% a day. */
function candles(days: number, crashAt: number, seed = 3): Candle[] {
  const random = seededRandom(seed);
  let price = 10_000;
  return Array.from({ length: days }, (_, i) => {
    const open = price;
    const close = i === crashAt ? open * 0.6 : i > crashAt ? open * 1.03 : open * Math.exp(0.01 * random.normal());
    const low = i === crashAt ? open * 0.5 : Math.min(open, close) * 0.995;
    const high = Math.max(open, close) * 1.005;
    price = close;
    const at = 1_600_000_000n - (1_600_000_000n % 86_400n) + BigInt(i) * 86_400n;
    return { day: new Date(Number(at) * 1000).toISOString().slice(0, 10), at, open, high, low, close };
  });
}

beforeAll(() => loadCrypto());

describe('price file', () => {
  it('reads candles by column name, in time order', () => {
    const parsed = parseCandles('low,high,close,open,unix_timestamp\n9,12,11,10,86400\n8,11,10,9,0\n');
    expect(parsed.map((c) => [c.day, c.close])).toEqual([['1970-01-01', 10], ['1970-01-02', 11]]);
  });

  it('refuses a file without the columns, or with a row that is not a candle', () => {
    expect(() => parseCandles('timestamp,open,close\n2020-01-01,1,2\n')).toThrow(CliError);
    expect(() => parseCandles('unix_timestamp,open,high,low,close\n0,10,12,9,11\n86400,10,9,12,11\n')).toThrow(/line 3/);
  });
});

describe('backtest', () => {
  const history = candles(320, 300);

  it('is deterministic for a seed, and another seed is another population', () => {
    const a = runBacktest(history, 'static', 5);
    expect(runBacktest(history, 'static', 5)).toEqual(a);
    expect(runBacktest(history, 'static', 6).days.map((d) => d.debt)).not.toEqual(a.days.map((d) => d.debt));
  });

  it('static: the pool keeps its parameters; the crash liquidates at the low and leaves bad debt where the low went under the debt', () => {
    const result = runBacktest(history, 'static', 5);
    expect(new Set(result.days.map((d) => `${d.maxLtvBps}/${d.liquidationThresholdBps}`))).toEqual(new Set(['7500/8250']));
    const crash = result.liquidations.filter((l) => l.day === history[300].day);
    expect(crash.length).toBeGreaterThan(0);
    expect(crash.some((l) => l.badDebt > 0)).toBe(true);
    // Prices recover 3% a day: some of those liquidated would have been healthy again within 30 days.
    expect(result.summaries[0].wouldHaveRecovered).toBeGreaterThan(0);
    expect(result.summaries[0]).toMatchObject({ period: 'overall', days: 320, liquidations: result.liquidations.length, averageMaxLtvBps: 7_500 });
  });

  it('EWMA: calm raises max LTV within the bounds step by step; after the crash the threshold falls only after a day’s notice', () => {
    const result = runBacktest(history, 'ewma', 5);
    expect(result.proposals).toBeGreaterThan(0);
    const before = result.days[299];
    expect(before.maxLtvBps).toBeGreaterThan(7_500);
    expect(before.maxLtvBps).toBeLessThanOrEqual(8_500);
    // The crash day's close brings a proposal; the next close applies it; each step is at most 5%.
    expect(result.days[300].liquidationThresholdBps).toBe(before.liquidationThresholdBps);
    expect(result.days[301].liquidationThresholdBps).toBe(before.liquidationThresholdBps - 500);
    for (let i = 1; i < result.days.length; i++) expect(Math.abs(result.days[i].liquidationThresholdBps - result.days[i - 1].liquidationThresholdBps)).toBeLessThanOrEqual(500);
  });

  it('GARCH runs the same way from its own fit', () => {
    const result = runBacktest(candles(560, 540), 'garch', 5);
    expect(result.proposals).toBeGreaterThan(0);
    expect(result.days[539].liquidationThresholdBps).toBeGreaterThan(8_250);
  });
});
