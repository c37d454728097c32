/**
 * Per-principal rate limits (@nestjs/throttler): each command counts against its caller's command
 * limit, each proof submission against its proof limit (a verification costs real CPU). Over a limit
 * the caller gets 429 RATE_LIMITED with Retry-After, before anything is decided or appended.
 */
import { ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Metrics } from '../observability/metrics';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { admittedCaller } from '../http/request-caller';
import { ACCESS_RULE, AccessRule } from './access-policy';

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  @Inject(Metrics) private readonly metrics!: Metrics;

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, request.context.getHandler());
    if (rule?.rateLimit !== request.throttler.name) return true;
    return super.handleRequest(request);
  }

  /** The principal the access guard authenticated; calls without one (public routes) by address. */
  protected override async getTracker(req: FastifyRequest): Promise<string> {
    const caller = admittedCaller(req.raw);
    return caller ? `principal:${caller.id}` : `ip:${req.ip}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, limit: ThrottlerLimitDetail): Promise<void> {
    this.metrics.accessRefusals.inc({ code: 'RATE_LIMITED' });
    context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(Math.max(1, limit.timeToBlockExpire)));
    throw new HttpException({ code: 'RATE_LIMITED', message: `over ${limit.limit} calls in ${limit.ttl / 1000} s; retry after ${limit.timeToBlockExpire} s` }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
