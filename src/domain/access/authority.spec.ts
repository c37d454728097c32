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

  it('names the one principal missing, and every role a command is for', () => {
    expect(unauthorized({ type: 'PauseLiquidations', now: 1n }, undefined, people)).toBe('no principal is recorded for it');
    expect(unauthorized({ type: 'AccrueInterest', now: 1n } as never, 'bo', people)).toBe('bo was a borrower, and AccrueInterest is for admin, liquidator');
  });

  it('applies a position owner’s scope to borrowers only, and a feed’s scope to oracles only', () => {
    expect(unauthorized({ type: 'DrawDebt', amount: 1n, salt: 1n }, 'bo', people)).toBeUndefined();
    expect(unauthorized({ type: 'DrawDebt', amount: 1n, salt: 1n }, 'bo', people, { positionOwner: 'bo', feed: 'BTC-USD' })).toBeUndefined();
    expect(unauthorized({ type: 'PlaceBid', bidder: 'liq', amount: 1n }, 'liq', people, { positionOwner: 'bo' })).toBeUndefined();
    const report = { type: 'SubmitPriceReport', oracle: 'orc', round: 1n, price: 1n, timestamp: 1n, signature: { r8x: 0n, r8y: 0n, s: 0n }, now: 1n } as const;
    expect(unauthorized(report, 'orc', people)).toBeUndefined();
  });

  it('holds whoever a command names as acting to its issuer: a report’s oracle, a taker, a keeper, a proof’s liquidator', () => {
    const report = { type: 'SubmitPriceReport', oracle: 'other', round: 1n, price: 1n, timestamp: 1n, signature: { r8x: 0n, r8y: 0n, s: 0n }, now: 1n } as const;
    expect(unauthorized(report, 'orc', people, { feed: 'ETH-USD' })).toBe('SubmitPriceReport names other as acting, not its issuer orc');
    expect(unauthorized({ type: 'TakeCollateral', taker: 'other' } as never, 'liq', people)).toBe('TakeCollateral names other as acting, not its issuer liq');
    expect(unauthorized({ type: 'ResetAuction', keeper: 'other' } as never, 'liq', people)).toBe('ResetAuction names other as acting, not its issuer liq');
    expect(unauthorized({ type: 'TriggerLiquidation', liquidator: 'other' } as never, 'liq', people)).toBe('TriggerLiquidation names other as acting, not its issuer liq');
    expect(unauthorized({ type: 'TakeCollateral', taker: 'liq' } as never, 'liq', people)).toBeUndefined();
    // A command that names no actor is its issuer's.
    expect(unauthorized({ type: 'PauseLiquidations', now: 1n }, 'root', people)).toBeUndefined();
  });

  it('bootstraps only an admin’s registration and first key, and nothing else, while no admin holds an active key', () => {
    expect(unauthorized({ type: 'IssueApiKey' }, 'system:admin-bootstrap', directory())).toBeUndefined();
    expect(unauthorized({ type: 'RevokeApiKey' }, 'system:admin-bootstrap', directory())).toBe('the ledger itself (system:admin-bootstrap) never issues RevokeApiKey');
    expect(unauthorized({ type: 'PauseLiquidations', now: 1n }, 'system:x', directory())).toBe('the ledger itself (system:x) never issues PauseLiquidations');
  });

  it('gives each command to the roles the domain names: admins configure, oracles report, borrowers keep their positions, liquidators act on liquidations, and the ledger’s own steps are its alone', () => {
    const admin = ['RegisterFeed', 'RegisterOracleKey', 'RevokeOracleKey', 'CreatePool', 'ChangePoolParameters', 'PauseLiquidations', 'ResumeLiquidations', 'ConfigureRiskEngine', 'AddLiquidity', 'SetGlobalLiquidationCap', 'RegisterPrincipal', 'IssueApiKey', 'RotateApiKey', 'RevokeApiKey', 'RotateLedgerKey'];
    const borrower = ['OpenPosition', 'DepositCollateral', 'WithdrawCollateral', 'DrawDebt', 'RepayDebt', 'ClosePosition'];
    const liquidator = ['TriggerLiquidation', 'TakeCollateral', 'ResetAuction', 'PlaceBid'];
    const system = ['ReserveLiquidation', 'AccountLiquidation', 'DetectLiquidation', 'SettleLiquidation', 'ProveDetectedLiquidation', 'StartAuction', 'CloseAuction', 'SellToMarket', 'SwapCollateral'];
    const expected = {
      ...Object.fromEntries(admin.map((c) => [c, ['admin']])),
      SubmitPriceReport: ['oracle'],
      ...Object.fromEntries(borrower.map((c) => [c, ['borrower']])),
      ...Object.fromEntries(liquidator.map((c) => [c, ['liquidator']])),
      ...Object.fromEntries(system.map((c) => [c, ['system']])),
      // The commands with more than one issuer: interest accrues on an admin's or a liquidator's call; risk proposals come from an admin or the engine's schedule.
      AccrueInterest: ['admin', 'liquidator'],
      ProposeRiskParameters: ['admin', 'system'],
      ApplyRiskParameters: ['admin', 'system'],
    };
    expect(COMMAND_ISSUERS).toEqual(expected);
  });
});
