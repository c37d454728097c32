/**
 * The one gate every request passes: find the route's access rule, refuse a path that names nothing,
 * authenticate the caller's API key, check the role and the rule's scope. It runs before validation and before any handler, so a refusal
 * has appended nothing.
 */
import { BadRequestException, CanActivate, ExecutionContext, ForbiddenException, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import { ID_PATTERN } from '../http/api-fields';
import { noteCaller } from '../http/request-fingerprint';
import { Metrics } from '../observability/metrics';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteAdmitted } from '../http/request-caller';
import { ACCESS_RULE, AccessPolicy, AccessRule } from './access-policy';
import { AccessRegistry } from './access-registry.command';

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: AccessRegistry,
    private readonly policy: AccessPolicy,
    private readonly metrics: Metrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.admit(context);
    } catch (err) {
      this.metrics.accessRefusals.inc({ code: ((err as HttpException).getResponse?.() as { code?: string } | undefined)?.code ?? 'UNKNOWN' });
      throw err;
    }
  }

  private async admit(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, context.getHandler());
    if (!rule) throw new ForbiddenException({ code: 'NO_ACCESS_RULE', message: 'this route has no access rule, so nobody may call it' });
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    // Every path parameter is an id (or a round number, or `latest`): one that is not names nothing, and
    // is refused before a scope looks it up in the store (whose stream names stop at 1,024 bytes).
    for (const [name, value] of Object.entries(req.params as Record<string, unknown>)) {
      if (typeof value !== 'string' || !ID_PATTERN.test(value)) throw new BadRequestException({ code: 'INVALID_PATH_ID', message: `${name} must be 1-64 of A-Z a-z 0-9 _ . : - and start with a letter or digit` });
    }
    const apiKey = apiKeyOf(req);
    if (apiKey === undefined) {
      if (rule.allow === 'anyone') return true;
      throw this.unauthorized(http.getResponse<FastifyReply>(), 'AUTHENTICATION_REQUIRED', 'send your API key as "Authorization: Bearer <key>"');
    }
    const authentication = this.registry.authenticate(apiKey);
    if ('refused' in authentication) {
      const message = authentication.refused === 'API_KEY_REVOKED' ? 'this API key was revoked' : 'this API key is not valid';
      throw this.unauthorized(http.getResponse<FastifyReply>(), authentication.refused, message);
    }
    const caller = authentication.principal;
    noteAdmitted(req.raw, caller);
    noteCaller(caller.id);
    if (rule.allow === 'anyone') return true;
    if (!rule.allow.includes(caller.role)) throw new ForbiddenException({ code: 'ROLE_NOT_ALLOWED', message: `the ${caller.role} role may not make this call` });
    const refusal = rule.scope && (await this.policy.refusal(rule.scope, caller, req));
    if (refusal) throw new ForbiddenException(refusal);
    return true;
  }

  private unauthorized(reply: FastifyReply, code: string, message: string): UnauthorizedException {
    reply.header('WWW-Authenticate', 'Bearer realm="ledger"');
    return new UnauthorizedException({ code, message });
  }
}

/** `Authorization: Bearer <key>`, or `X-API-Key: <key>`. */
function apiKeyOf(req: FastifyRequest): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? '';
  const header = req.headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}
