/** Who may issue what, as the audit applies it to a directory as it stood: role, keys, scope, the ledger's own. */
import { accessRegistryDecider, AccessRegistryState } from './access-registry';
import { COMMAND_ISSUERS, rolesIssuing, unauthorized } from './authority';

function directory(...commands: Parameters<typeof accessRegistryDecider.decide>[0][]): AccessRegistryState {
  return commands.reduce((state, command) => accessRegistryDecider.decide(command, state, undefined).reduce(accessRegistryDecider.evolve, state), accessRegistryDecider.initialState());
}

const register = (principalId: string, role: 'admin' | 'borrower' | 'oracle' | 'liquidator', keyId: string, feeds: string[] = []) =>
  ({ type: 'RegisterPrincipal', principalId, role, feeds, keyId, secretHash: '00', now: 1n }) as const;

const people = directory(register('root', 'admin', 'k1'), register('bo', 'borrower', 'k2'), register('orc', 'oracle', 'k3', ['ETH-USD']), register('liq', 'liquidator', 'k4'));

describe('who may issue which command', () => {
  it('gives each command to roles, and the routes only the roles (never the ledger itself)', () => {
    expect(rolesIssuing('DrawDebt')).toEqual(['borrower']);
    expect(rolesIssuing('ApplyRiskParameters')).toEqual(['admin']);
    expect(COMMAND_ISSUERS.ApplyRiskParameters).toContain('system');
    expect(rolesIssuing('StartAuction')).toEqual([]);
  });

  it('keeps a borrower to its own positions, an oracle to its feeds, and whoever a command names to its issuer', () => {
    expect(unauthorized({ type: 'DrawDebt', amount: 1n, salt: 1n }, 'bo', people, { positionOwner: 'bo' })).toBeUndefined();
    expect(unauthorized({ type: 'DrawDebt', amount: 1n, salt: 1n }, 'bo', people, { positionOwner: 'someone' })).toBe('bo does not own the position (someone does)');
    expect(unauthorized({ type: 'OpenPosition', positionId: 'p', poolId: 'x', owner: 'someone', salt: 1n }, 'bo', people)).toBe('OpenPosition names someone as acting, not its issuer bo');
    const report = { type: 'SubmitPriceReport', oracle: 'orc', round: 1n, price: 1n, timestamp: 1n, signature: { r8x: 0n, r8y: 0n, s: 0n }, now: 1n } as const;
    expect(unauthorized(report, 'orc', people, { feed: 'ETH-USD' })).toBeUndefined();
    expect(unauthorized(report, 'orc', people, { feed: 'BTC-USD' })).toBe('orc does not report for feed BTC-USD');
    expect(unauthorized({ type: 'PlaceBid', bidder: 'liq', amount: 1n }, 'liq', people)).toBeUndefined();
    expect(unauthorized({ type: 'PlaceBid', bidder: 'liq', amount: 1n }, 'bo', people)).toBe('bo was a borrower, and PlaceBid is for liquidator');
  });

  it('refuses an unknown principal and one whose keys were all revoked', () => {
    expect(unauthorized({ type: 'PauseLiquidations', now: 1n }, 'mallory', people)).toBe('mallory was not a registered principal');
    const revoked = accessRegistryDecider.evolve(people, { type: 'ApiKeyRevoked', principalId: 'root', keyId: 'k1', at: 2n });
    expect(unauthorized({ type: 'PauseLiquidations', now: 1n }, 'root', revoked)).toBe('root held no active API key (every key of it was revoked)');
  });

  it("lets the ledger issue its own commands, and an admin's registration only while no admin holds an active key", () => {
    expect(unauthorized({ type: 'CloseAuction' }, 'system:liquidation-saga', people)).toBeUndefined();
    expect(unauthorized({ type: 'RegisterPrincipal' }, 'system:admin-bootstrap', directory())).toBeUndefined();
    expect(unauthorized({ type: 'RegisterPrincipal' }, 'system:admin-bootstrap', people)).toBe('the ledger itself (system:admin-bootstrap) never issues RegisterPrincipal');
  });
});
