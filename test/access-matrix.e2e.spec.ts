/**
 * Every route × every role (and an anonymous caller), generated from the application's route table:
 * a route without an access rule, or without a sample call (test/support/route-samples.ts), fails the
 * test. Who may call a route is the policy stated with its sample, so a loosened rule fails too. Each
 * allowed caller's call succeeds (or, where success needs what a sample cannot build, such as a valid
 * proof, gets past access to the domain's own refusal); every other caller is refused with 401/403 and
 * its code, and the store is unchanged.
 */
import { ROLES } from '../src/domain/access/access-registry';
import { routeTable } from '../src/access/route-table';
import { Caller, callWith, servedRoutes, sampledLedgerForTests } from './support/route-samples';

const sampled = sampledLedgerForTests();

it('has an access rule and a sample call for every route the application serves', () => {
  const { ledger, samples } = sampled();
  const routes = routeTable(ledger.app);
  expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(servedRoutes(ledger).sort());
  expect(routes.filter((r) => !r.rule).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  expect(routes.filter((r) => !samples[`${r.method} ${r.path}`]).map((r) => `${r.method} ${r.path}`)).toEqual([]);
});

// One test per caller, so each test's time is one pass over the routes, not every caller's passes at once.
const CALLERS: Caller[] = ['anonymous', ...ROLES];

it.each(CALLERS)('lets %s through every route it is allowed, and refuses it every other, appending nothing', async (caller) => {
  const { ledger, samples, actors } = sampled();
  const failures: string[] = [];
  let checked = 0;
  for (const { method, path, rule } of routeTable(ledger.app)) {
    const route = `${method} ${path}`;
    if (!rule || !samples[route]) {
      failures.push(`${route}: ${rule ? 'no sample call' : 'no access rule'}`);
      continue;
    }
    const [policy, sampleOf] = samples[route];
    if (JSON.stringify(rule.allow) !== JSON.stringify(policy)) failures.push(`${route}: the rule allows ${JSON.stringify(rule.allow)}, the policy ${JSON.stringify(policy)}`);
    const sample = await sampleOf(caller);
    const allowed = policy === 'anyone' || (caller !== 'anonymous' && policy.includes(caller));
    const before = await ledger.lastPosition();
    const { status, code } = await callWith(ledger, caller === 'anonymous' ? undefined : actors[caller].apiKey, method, sample);
    const seen = `${route} as ${caller}: ${status} ${code ?? ''}`;
    checked++;
    if (allowed && (sample.expect ?? 'success') === 'success') {
      if (status < 200 || status >= 300) failures.push(`${seen} (allowed: expected success)`);
    } else if (allowed) {
      if (status < 400 || status >= 500 || [401, 403, 429].includes(status)) failures.push(`${seen} (allowed: expected the domain's own 4xx)`);
    } else {
      const expected = caller === 'anonymous' ? '401 AUTHENTICATION_REQUIRED' : '403 ROLE_NOT_ALLOWED';
      if (`${status} ${code}` !== expected) failures.push(`${seen} (expected ${expected})`);
      if ((await ledger.lastPosition()) !== before) failures.push(`${seen} appended to the store`);
    }
  }
  expect(failures).toEqual([]);
  expect(checked).toBe(routeTable(ledger.app).length);
});
