/**
 * An export made before a change to the rules audits the same after it. The fixture in
 * `test/fixtures/export-before-routes/` is the quickstart's history (a pool, a feed, borrowers, a crash,
 * a Dutch auction, an English one, a market sale and a liquidator's proof), exported and replayed by
 * the ledger of commit 853ad4d, before auction routes became strategies: `report.json` is what that
 * auditor wrote. Today's auditor, driven through the CLI as an auditor runs it, must write the same
 * report, every check and every figure.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cli } from './support/cli';

const FIXTURE = path.join(__dirname, 'fixtures/export-before-routes');

it('an export made before auction routes became strategies audits the same today', async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'export-compat-')), 'report.json');
  const { code, err } = await cli(
    'audit', 'replay',
    '--file', path.join(FIXTURE, 'history.jsonl.gz'),
    '--public-key', path.join(FIXTURE, 'exporter.pub'),
    '--ledger-key', path.join(FIXTURE, 'ledger-key.json'),
    '--json', out,
  );
  expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
  const before = JSON.parse(readFileSync(path.join(FIXTURE, 'report.json'), 'utf8'));
  const today = JSON.parse(readFileSync(out, 'utf8'));
  expect(before.ok).toBe(true);
  expect(before.commands).toBeGreaterThan(50);
  expect(today).toEqual(before);
}, 120_000);
