/**
 * Who may call what: every route carries one `@Access` rule, and the rules' checks live here, each
 * under its name. A route without a rule is refused (the guard fails closed), and the endpoint × role
 * test reads the same rules from the route table.
 */
import { applyDecorators, createParamDecorator, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { admittedCaller } from '../http/request-caller';
import { Principal, Role, ROLES } from '../domain/access/access-registry';
import { CommandType, rolesIssuing } from '../domain/access/authority';

/** A further condition on what the call names, past its role. */
export type Scope =
  /** A borrower calls only on its own position (other roles the rule allows are not owners and pass). */
  | { kind: 'ownPosition' }
  /** The feed in the path is one the calling oracle reports for, and the report names the caller as its oracle. */
  | { kind: 'ownFeed' }
  /** The body names the caller where it names who acts (the liquidator bound into a proof, a bidder, a taker…). */
  | { kind: 'callerIs'; field: 'owner' | 'liquidator' | 'taker' | 'bidder' | 'keeper' };

export interface AccessRule {
  /** The roles that may call, or `anyone`, without a key. */
  allow: readonly Role[] | 'anyone';
  scope?: Scope;
  /** The per-principal rate limit the call counts against: commands, or proofs (which cost a verification). */
  rateLimit?: 'commands' | 'proofs';
}

export const ACCESS_RULE = 'ledger:access-rule';

export const EVERY_ROLE = ROLES;
/** Who sees every position's amounts (besides each position's owner, who sees its own). */
export const AMOUNT_READERS: readonly Role[] = ['auditor'];
/** Who sees a pool's totals: with few positions in a pool, a change of its totals is one position's amounts. */
export const POOL_TOTAL_READERS: readonly Role[] = ['admin', 'auditor'];

/**
 * The rule of a route that issues a command: the roles that may issue it, from the one rule the audit
 * checks the history against too (src/domain/access/authority.ts), and the command rate limit.
 */
export function issuing(command: CommandType, scope?: Scope, rateLimit: AccessRule['rateLimit'] = 'commands'): AccessRule {
  return { allow: rolesIssuing(command), ...(scope ? { scope } : {}), rateLimit };
}

/** Rules several routes share. */
export const OWNER_OR_AUDITOR: AccessRule = { allow: ['borrower', ...AMOUNT_READERS], scope: { kind: 'ownPosition' } };
/** Auctions show lot and tab, which tell a liquidated position's size: for those who bid, and those who oversee. */
export const AUCTION_READERS: AccessRule = { allow: ['liquidator', 'auditor', 'admin'] };

export function Access(rule: AccessRule): MethodDecorator {
  const who = rule.allow === 'anyone' ? 'anyone' : rule.allow.join(', ');
  const scope = rule.scope ? ` (${describeScope(rule.scope)})` : '';
  return applyDecorators(
    SetMetadata(ACCESS_RULE, rule),
    ...(rule.allow === 'anyone'
      ? []
      : [
          ApiSecurity('api-key'),
          ApiUnauthorizedResponse({ description: 'AUTHENTICATION_REQUIRED, INVALID_API_KEY, API_KEY_REVOKED' }),
          ApiForbiddenResponse({ description: `Allowed: ${who}${scope}. Otherwise ROLE_NOT_ALLOWED, ${scopeCodes(rule.scope)}`.replace(/, $/, '') }),
        ]),
    ...(rule.rateLimit ? [ApiTooManyRequestsResponse({ description: `RATE_LIMITED (per principal, ${rule.rateLimit}); Retry-After says when to retry` })] : []),
  );
}

/** The authenticated caller, for handlers whose answer depends on who asks. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => admittedCaller(ctx.switchToHttp().getRequest<FastifyRequest>().raw));

export interface Refusal {
  code: string;
  message: string;
}

/**
 * Who owns a position: the ownPosition check asks it, the ledger answers it (LedgerModule provides it
 * under POSITION_OWNERS), so access depends on no module above it.
 */
export interface PositionOwners {
  /** The position's owner; undefined for no such position. */
  ownerOf(positionId: string): Promise<string | undefined>;
}
export const POSITION_OWNERS = Symbol('POSITION_OWNERS');

@Injectable()
export class AccessPolicy {
  constructor(@Inject(POSITION_OWNERS) private readonly positions: PositionOwners) {}

  /** Why the caller may not make this call within its role's scope; undefined when it may. */
  async refusal(scope: Scope, caller: Principal, req: FastifyRequest): Promise<Refusal | undefined> {
    const params = req.params as Record<string, string | undefined>;
    switch (scope.kind) {
      case 'ownPosition': {
        if (caller.role !== 'borrower') return undefined;
        // An unknown position is left to the handler, which answers 404.
        const owner = await this.positions.ownerOf(String(params.positionId));
        return owner === undefined || owner === caller.id ? undefined : { code: 'NOT_POSITION_OWNER', message: 'the position is not yours' };
      }
      case 'ownFeed': {
        const oracle = fieldOf(req, 'oracle');
        if (!caller.feeds.includes(String(params.feed))) return { code: 'NOT_FEED_ORACLE', message: `you do not report for feed ${params.feed}` };
        return oracle === undefined || oracle === caller.id ? undefined : { code: 'NOT_FEED_ORACLE', message: 'a report must name you as its oracle' };
      }
      case 'callerIs': {
        // A missing or mistyped field is left to validation (400); a different principal is refused here.
        const named = fieldOf(req, scope.field);
        return named === undefined || named === caller.id ? undefined : { code: CALLER_MISMATCH[scope.field], message: `${scope.field} must be you (${caller.id})` };
      }
    }
  }
}

const CALLER_MISMATCH: Record<Extract<Scope, { kind: 'callerIs' }>['field'], string> = {
  owner: 'NOT_POSITION_OWNER',
  liquidator: 'NOT_BOUND_LIQUIDATOR',
  taker: 'NOT_CALLER',
  bidder: 'NOT_CALLER',
  keeper: 'NOT_CALLER',
};

function fieldOf(req: FastifyRequest, field: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : undefined;
}

function describeScope(scope: Scope): string {
  switch (scope.kind) {
    case 'ownPosition':
      return 'a borrower only on its own positions';
    case 'ownFeed':
      return 'an oracle only for its own feeds, naming itself';
    case 'callerIs':
      return `\`${scope.field}\` must be the caller`;
  }
}

function scopeCodes(scope: Scope | undefined): string {
  if (!scope) return '';
  if (scope.kind === 'ownPosition') return 'NOT_POSITION_OWNER';
  if (scope.kind === 'ownFeed') return 'NOT_FEED_ORACLE';
  return CALLER_MISMATCH[scope.field];
}
