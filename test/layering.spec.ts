/**
 * The layering check (`npm run lint:layers`, run first by `npm test`) refuses each kind of import
 * against the layers. It runs with the ledger's own rules on a small tree (test/fixtures/layering)
 * that breaks each rule once, beside imports the rules allow.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

function checkLayers(cwd: string): { status: number | null; violations: string[] } {
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', path.join(root, '.dependency-cruiser.cjs')], {
    cwd,
    encoding: 'utf8',
  });
  // One line per violation, "error <rule>: <from> → <to>"; a cycle goes on over the next lines.
  const violations = [...run.stdout.matchAll(/^\s*error ([\w-]+): (\S+) →(?: (\S+))?/gm)].map(([, rule, from, to]) => `${rule}: ${from} → ${to ?? '…'}`);
  return { status: run.status, violations: violations.sort() };
}

describe('the layering check', () => {
  it('reports every import against the layers, and fails', () => {
    const { status, violations } = checkLayers(path.join(root, 'test/fixtures/layering'));
    expect(violations).toEqual([
      'access-tier: src/access/access-policy.ts → src/ledger/positions/position.dto.ts',
      'domain-has-no-io: src/domain/feed.ts → fs',
      'domain-is-pure: src/domain/pool.ts → src/eventstore/store.ts',
      'every-folder-in-a-layer: src/reports/report.ts → src/eventstore/store.ts',
      'infrastructure-below-capabilities: src/observability/metrics.ts → src/projections/projections.service.ts',
      'no-circular: src/domain/pool.ts → …',
      'no-module-internals: src/access/access-policy.ts → src/ledger/positions/position.dto.ts',
    ]);
    expect(status).toBe(violations.length);
  });
});
