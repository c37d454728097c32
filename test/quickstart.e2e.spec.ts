/**
 * The README's quickstart is a script (`npm run quickstart`, examples/quickstart.sh): it runs the
 * example session end to end on a fresh ledger. Running it here keeps the documented session true to
 * the code, and every command the README quotes from it must be in it, word for word.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const SCRIPT = readFileSync(path.join(ROOT, 'examples/quickstart.sh'), 'utf8');

/**
 * The commands of the README's quickstart session: the shell block after its `source` line, less the
 * `export` of where the ledger is (the script starts a ledger of its own).
 */
function readmeSessionCommands(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.split('```sh').map((b) => b.split('```')[0]).find((b) => b.includes('source examples/session.sh'));
  if (!block) throw new Error('the README has no quickstart session block');
  const lines = block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim());
  return lines.slice(lines.findIndex((line) => line.startsWith('source ')) + 1).filter((line) => line && !line.startsWith('#') && !line.startsWith('export '));
}

it('quotes in the README only commands the quickstart script runs', () => {
  const commands = readmeSessionCommands();
  expect(commands.length).toBeGreaterThan(10);
  expect(commands.filter((command) => !SCRIPT.includes(command))).toEqual([]);
});

it('runs the example session end to end on a fresh ledger, and exits 0', async () => {
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
    // `npm run quickstart` builds first, so the session runs today's code.
    execFile('npm', ['run', '-s', 'quickstart'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
  expect({ code, tail: code === 0 ? '' : out.slice(-4000) }).toEqual({ code: 0, tail: '' });
  // What the session shows on the way.
  expect(out).toContain('"code":"LTV_EXCEEDED"');
  expect(out).toContain('"code":"PRICE_ABOVE_LIMIT"');
  expect(out).toMatch(/"status":"settled".*"route":"english"/);
  expect(out).toContain('LIQUIDATION_IN_PROGRESS');
  expect(out).toMatch(/"positionId":"dave-1","poolId":"weth-usdc","commitment":"\d+","by":"proof"/);
  expect(out).toMatch(/"status":"settled".*"route":"market"/);
  expect(out).toMatch(/"verdict":\s*"valid"/);
  expect(out).not.toMatch(/"verdict":\s*"invalid"/);
  expect(out).toMatch(/^HOLDS: /m);
  expect(out).toContain('== Done: every step did what it said');
}, 900_000);
