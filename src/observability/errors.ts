/**
 * Every refusal leaves the API as a 4xx with a machine-readable `code`: domain rule refusals (422, or
 * 404 for a missing aggregate, or 409 for a race lost to another command), validation failures (400),
 * concurrency conflicts that outlived the retries, or a stream holding a quarantined event (409), and a
 * stream deleted under the ledger (410). Anything else is a 500 whose message is not passed on.
 */
import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, Logger, ValidationError } from '@nestjs/common';
import { DeadlineExceededError, StreamDeletedError, WrongExpectedVersionError } from '@eventstore/db-client';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../domain/decider';

/** Refusals that are not a rule's verdict on the command but the state of what it depends on. */
const DOMAIN_STATUS: Record<string, number> = {
  // Another command got there first: the position is already being liquidated (by the ledger's
  // detection or another liquidator), or this proof's nullifier was already used.
  LIQUIDATION_IN_PROGRESS: 409,
  NULLIFIER_USED: 409,
  // A stream holds an event the ledger set aside (quarantine.ts): the command conflicts with the store's state.
  STREAM_QUARANTINED: 409,
  // Deleted or tombstoned in the store under the ledger (quarantine.ts): its history is gone.
  STREAM_DELETED: 410,
  // Another's position, refused by the owner check in decide as by the access guard in front of it.
  NOT_POSITION_OWNER: 403,
};

/** Refusals of the HTTP server itself, before any handler (an oversized body, a body type the API does not take), by status. */
const SERVER_REFUSALS: Record<number, string> = { 404: 'ROUTE_NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

export class ValidationFailed extends BadRequestException {
  constructor(readonly errors: ValidationError[]) {
    super('request validation failed');
  }
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(err);
    if (body.statusCode >= 500 && body.statusCode !== 503) this.logger.error(err instanceof Error ? err.stack : String(err));
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // Overloaded (a full verification queue): say when to come back.
    if (body.statusCode === 503 && !reply.hasHeader('Retry-After')) reply.header('Retry-After', '1');
    reply.status(body.statusCode).send(body);
  }
}


export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof DomainError) {
    const statusCode = err.code.endsWith('NOT_FOUND') ? 404 : (DOMAIN_STATUS[err.code] ?? 422);
    return { statusCode, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  }
  if (err instanceof ValidationFailed) {
    const details = err.errors.flatMap((e) => flatten(e));
    return { statusCode: 400, code: 'VALIDATION_FAILED', message: 'request validation failed', details };
  }
  // The store did not take the append within its deadline (overloaded): nothing was written; come back.
  if (err instanceof DeadlineExceededError) {
    return { statusCode: 503, code: 'STORE_BUSY', message: 'the event store did not take the command in time; nothing was appended, retry shortly' };
  }
  if (err instanceof WrongExpectedVersionError) {
    return { statusCode: 409, code: 'CONCURRENCY_CONFLICT', message: 'the aggregate kept changing; retry the command' };
  }
  // Deleted for good in the store (tombstoned by an operator): nothing can be read or written there again.
  if (err instanceof StreamDeletedError) {
    return { statusCode: 410, code: 'STREAM_DELETED', message: 'the aggregate was deleted from the store' };
  }
  if (err instanceof HttpException) {
    const statusCode = err.getStatus();
    const response = err.getResponse() as { code?: unknown; message?: unknown };
    if (typeof response === 'object' && typeof response.code === 'string') {
      return { statusCode, code: response.code, message: String(response.message ?? err.message) };
    }
    return { statusCode, code: SERVER_REFUSALS[statusCode] ?? `HTTP_${statusCode}`, message: err.message };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'internal error' };
}

function flatten(e: ValidationError, parent = ''): { field: string; problems: string[] }[] {
  const field = parent ? `${parent}.${e.property}` : e.property;
  const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
  return [...own, ...(e.children ?? []).flatMap((c) => flatten(c, field))];
}
