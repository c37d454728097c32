/**
 * Who may issue which command: the one rule that the API's guard applies to a request (a command's
 * route admits the roles listed here) and that the audit applies to the history (each recorded command
 * was issued by a principal whose role, at that moment, is listed here).
 *
 * Commands the ledger issues on its own (detection, the liquidation saga, the risk engine's schedule,
 * the prover) are recorded under a principal of their own, `system:<component>`, which no key can act
 * as: `system` here. The development admin bootstrap is the one access command the ledger issues, and
 * only while no admin holds an active key (`bootstrapAllowed`).
 */
import type { AmmCommand } from '../amm/amm';
import type { AuctionCommand } from '../auction/auction';
import type { LiquidationProofCommand } from '../liquidation/detected-liquidation-proof';
import type { GlobalLiquidationCapCommand } from '../liquidation/global-liquidation-cap';
import type { FeedCommand } from '../oracle/feed';
import type { PoolCommand } from '../pool/pool';
import type { PositionCommand } from '../position/position';
import { AccessCommand, AccessRegistryState, hasActiveAdmin, Role } from './access-registry';

export type LedgerCommand = PoolCommand | PositionCommand | AuctionCommand | AmmCommand | FeedCommand | LiquidationProofCommand | GlobalLiquidationCapCommand;
/** Retiring the ledger's signing key for a new one (the event store module's LedgerKeyRotated). */
export type LedgerKeyCommand = { type: 'RotateLedgerKey' };
export type CommandType = LedgerCommand['type'] | AccessCommand['type'] | LedgerKeyCommand['type'];
export type Issuer = Role | 'system';

export const SYSTEM_PRINCIPAL_PREFIX = 'system:';

/** The principal the ledger records for what a component of its own decided (never a key's holder). */
export function systemPrincipal(component: string): string {
  return SYSTEM_PRINCIPAL_PREFIX + component;
}

export function isSystemPrincipal(principalId: string): boolean {
  return principalId.startsWith(SYSTEM_PRINCIPAL_PREFIX);
}

export const COMMAND_ISSUERS: Record<CommandType, readonly Issuer[]> = {
  // Feeds and their oracles.
  RegisterFeed: ['admin'],
  RegisterOracleKey: ['admin'],
  RevokeOracleKey: ['admin'],
  SubmitPriceReport: ['oracle'],
  // Pools.
  CreatePool: ['admin'],
  ChangePoolParameters: ['admin'],
  AccrueInterest: ['admin', 'liquidator'],
  PauseLiquidations: ['admin'],
  ResumeLiquidations: ['admin'],
  ReserveLiquidation: ['system'],
  AccountLiquidation: ['system'],
  ConfigureRiskEngine: ['admin'],
  ProposeRiskParameters: ['admin', 'system'],
  ApplyRiskParameters: ['admin', 'system'],
  // Positions.
  OpenPosition: ['borrower'],
  DepositCollateral: ['borrower'],
  WithdrawCollateral: ['borrower'],
  DrawDebt: ['borrower'],
  RepayDebt: ['borrower'],
  ClosePosition: ['borrower'],
  TriggerLiquidation: ['liquidator'],
  DetectLiquidation: ['system'],
  SettleLiquidation: ['system'],
  ProveDetectedLiquidation: ['system'],
  // Auctions and the pool market.
  StartAuction: ['system'],
  TakeCollateral: ['liquidator'],
  ResetAuction: ['liquidator'],
  PlaceBid: ['liquidator'],
  CloseAuction: ['system'],
  SellToMarket: ['system'],
  AddLiquidity: ['admin'],
  SwapCollateral: ['system'],
  // Across pools.
  SetGlobalLiquidationCap: ['admin'],
  // Principals and keys.
  RegisterPrincipal: ['admin'],
  IssueApiKey: ['admin'],
  RotateApiKey: ['admin'],
  RevokeApiKey: ['admin'],
  // The ledger's signing key.
  RotateLedgerKey: ['admin'],
};

/** The roles whose keys may issue a command (what its route admits). */
export function rolesIssuing(type: CommandType): Role[] {
  return COMMAND_ISSUERS[type].filter((issuer): issuer is Role => issuer !== 'system');
}

/** What a command is about that its route's scope checks: the position's owner, the feed reported for. */
export interface CommandScope {
  positionOwner?: string;
  feed?: string;
}

/**
 * Why this principal, as the directory stood, may not have issued this command; undefined when it
 * may. Past the role, the routes' scopes: a borrower acts on its own positions only, an oracle reports
 * for its own feeds only, and whoever a command names as acting (the owner of a new position, a proof's
 * liquidator, a taker, a bidder, a keeper, a report's oracle) is its issuer.
 */
export function unauthorized(
  command: LedgerCommand | { type: AccessCommand['type'] },
  principalId: string | undefined,
  directory: AccessRegistryState,
  scope: CommandScope = {},
): string | undefined {
  const type = command.type;
  if (principalId === undefined) return 'no principal is recorded for it';
  if (isSystemPrincipal(principalId)) {
    if (COMMAND_ISSUERS[type].includes('system') || bootstrapAllowed(type, directory)) return undefined;
    return `the ledger itself (${principalId}) never issues ${type}`;
  }
  const principal = directory.principals.get(principalId);
  if (!principal) return `${principalId} was not a registered principal`;
  const activeKey = [...directory.keys.values()].some((key) => key.principalId === principalId && key.status === 'active');
  if (!activeKey) return `${principalId} held no active API key (every key of it was revoked)`;
  if (!COMMAND_ISSUERS[type].includes(principal.role)) return `${principalId} was a ${principal.role}, and ${type} is for ${COMMAND_ISSUERS[type].join(', ')}`;
  const actor = actorNamedIn(command);
  if (actor !== undefined && actor !== principalId) return `${type} names ${actor} as acting, not its issuer ${principalId}`;
  if (principal.role === 'borrower' && scope.positionOwner !== undefined && scope.positionOwner !== principalId) return `${principalId} does not own the position (${scope.positionOwner} does)`;
  if (principal.role === 'oracle' && scope.feed !== undefined && !principal.feeds.includes(scope.feed)) return `${principalId} does not report for feed ${scope.feed}`;
  return undefined;
}

/** Who a command names as acting, where it names one. */
function actorNamedIn(command: LedgerCommand | { type: AccessCommand['type'] }): string | undefined {
  const c = command as LedgerCommand;
  switch (c.type) {
    case 'OpenPosition':
      return c.owner;
    case 'TriggerLiquidation':
      return c.liquidator;
    case 'TakeCollateral':
      return c.taker;
    case 'PlaceBid':
      return c.bidder;
    case 'ResetAuction':
      return c.keeper;
    case 'SubmitPriceReport':
      return c.oracle;
    // Stryker disable next-line ConditionalExpression: an empty default is equivalent, the function then returning undefined all the same.
    default:
      return undefined;
  }
}

/** The development admin bootstrap: the ledger issues an admin key itself, only while no admin holds an active one. */
function bootstrapAllowed(type: CommandType, directory: AccessRegistryState): boolean {
  return (type === 'RegisterPrincipal' || type === 'IssueApiKey') && !hasActiveAdmin(directory);
}
