/** Daily candles from a CSV with the columns `timestamp,open,close,volume,unix_timestamp,high,low` (any order, by header name). */
import { CliError } from '../../cli/cli-error';

export interface Candle {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** Unix seconds of the day's start. */
  at: bigint;
  open: number;
  high: number;
  low: number;
  close: number;
}

const COLUMNS = ['unix_timestamp', 'open', 'high', 'low', 'close'] as const;

export function parseCandles(csv: string, source = 'the price file'): Candle[] {
  const [header, ...lines] = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const names = (header ?? '').split(',').map((n) => n.trim());
  const index = Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  const missing = COLUMNS.filter((c) => index[c] < 0);
  if (missing.length) throw new CliError(`${source} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  const candles = lines.map((line, i) => {
    const cells = line.split(',');
    const [at, open, high, low, close] = COLUMNS.map((c) => Number(cells[index[c]]));
    if (![at, open, high, low, close].every(Number.isFinite) || !Number.isInteger(at) || !(low > 0) || low > high || close < low || close > high) {
      throw new CliError(`${source}, line ${i + 2}: not a candle (a unix time, and 0 < low ≤ open, close ≤ high)`);
    }
    return { day: new Date(at * 1000).toISOString().slice(0, 10), at: BigInt(at), open, high, low, close };
  });
  candles.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  if (candles.length < 2) throw new CliError(`${source} holds fewer than two candles`);
  return candles;
}
