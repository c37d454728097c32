/**
 * `ledger backtest` as a user runs it, on a small synthetic price file (test/fixtures): the table on
 * stdout, the HTML page, and refusals of bad input with a message and a non-zero exit.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cli } from './support/cli';

const PRICES = path.join(__dirname, 'fixtures', 'btc-usd-synthetic-45d.csv');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'backtest-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

it('prints the table per policy and period, and writes the page with the price, parameters and liquidations', async () => {
  const out = path.join(dir, 'report.html');
  const json = path.join(dir, 'report.json');
  const res = await cli('backtest', '--prices', PRICES, '--policy', 'static,ewma', '--seed', '4', '--out', out, '--json', json);
  expect(res.err).toBe('');
  expect(res.code).toBe(0);
  expect(res.out).toMatch(/^\| overall \| static \| \d+ \| \d+ \| [\d,]+ \| 75\.0% \|/m);
  expect(res.out).toMatch(/^\| overall \| ewma \|/m);
  const results = JSON.parse(await readFile(json, 'utf8'));
  // The fixture's day 30 drops to half its open: the static pool liquidates that day.
  expect(results[0].liquidations.filter((l: { day: string }) => l.day === '2020-01-31').length).toBeGreaterThan(0);
  const html = await readFile(out, 'utf8');
  expect(html).toContain('<svg');
  expect((html.match(/<circle /g) ?? []).length).toBe(results[0].liquidations.length + results[1].liquidations.length);
  // Deterministic: the same seed gives the same table.
  expect((await cli('backtest', '--prices', PRICES, '--policy', 'static,ewma', '--seed', '4')).out).toBe(res.out);
});

it('refuses an unknown policy, a missing file and a file that is not candles, with a message and a non-zero exit', async () => {
  const policy = await cli('backtest', '--prices', PRICES, '--policy', 'magic');
  expect(policy.code).not.toBe(0);
  expect(policy.err).toContain('unknown policy magic');
  const missing = await cli('backtest', '--prices', path.join(dir, 'none.csv'));
  expect(missing.code).not.toBe(0);
  expect(missing.err).toContain('cannot read');
  const notCandles = await cli('backtest', '--prices', path.join(__dirname, '..', 'package.json'));
  expect(notCandles.code).not.toBe(0);
  expect(notCandles.err).toContain('lacks the column');
});
