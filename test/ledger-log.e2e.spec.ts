/** What an operator reads in the log at start: the ledger's own lines at info, Nest's wiring at debug. */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { newDataDir, removeDataDir, startLedger } from './support/ledger-app';

type LogLine = { level: number; msg: string; context?: string };
const PINO_DEBUG = 20;
const PINO_INFO = 30;

let lines: LogLine[];
beforeAll(async () => {
  const dataDir = await newDataDir();
  const logFile = path.join(dataDir, 'ledger.log');
  // At debug, every line is written with the level it was logged at.
  const ledger = await startLedger(dataDir, { LOG_FILE: logFile, LOG_LEVEL: 'debug' });
  try {
    expect((await ledger.api('GET', '/health/live')).status).toBe(200);
    lines = (await readFile(logFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  } finally {
    await ledger.stop();
    await removeDataDir(dataDir);
  }
}, 180_000);

it('logs each mapped route at debug, not at info', () => {
  const routes = lines.filter((line) => /^Mapped \{.*\} route$/.test(line.msg));
  expect(routes.length).toBeGreaterThan(40);
  expect(routes.filter((line) => line.level !== PINO_DEBUG)).toEqual([]);
});

it("logs Nest's module and controller wiring at debug too", () => {
  const wiring = lines.filter((line) => line.context === 'InstanceLoader' || line.context === 'RoutesResolver');
  expect(wiring.length).toBeGreaterThan(10);
  expect(wiring.filter((line) => line.level !== PINO_DEBUG)).toEqual([]);
});

it('keeps the start of the application at info', () => {
  expect(lines.filter((line) => line.msg === 'Nest application successfully started').map((line) => line.level)).toEqual([PINO_INFO]);
});
