/**
 * The API's one body parser: JSON, checked for what validation would let through before any handler
 * sees it. Each refusal is a 400 with the API's error code, and nothing behind it runs.
 */
import { BadRequestException } from '@nestjs/common';

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** No request of ours nests deeper (a proof's pi_b is the deepest, at 4): deeper is refused before any walk of it. */
const MAX_BODY_DEPTH = 16;

/** A Fastify content-type parser (`parseAs: 'string'`); the body limit is checked before it runs. */
export function parseJsonBody(_request: unknown, text: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  let body: unknown;
  try {
    body = JSON.parse(text.toString());
    // As strict parsers do: a request is an object (or an array), never a bare string or number.
    if (typeof body !== 'object' || body === null) throw new SyntaxError('not an object');
  } catch {
    return done(new BadRequestException({ code: 'MALFORMED_JSON', message: 'request body is not valid JSON' }));
  }
  const problem = bodyProblemIn(body);
  if (problem !== undefined) return done(new BadRequestException({ code: 'VALIDATION_FAILED', message: problem }));
  done(null, body);
}

/**
 * What validation would let through: keys naming an object's prototype (never fields of ours), and
 * nulls (an optional field is left out, never null; validation skips a null optional field).
 */
function bodyProblemIn(value: unknown, at = 'body', depth = 0): string | undefined {
  if (value === null) return `${at} is null: leave out a field that has no value`;
  if (typeof value !== 'object') return undefined;
  if (depth >= MAX_BODY_DEPTH) return `${at} nests deeper than any request (${MAX_BODY_DEPTH} levels)`;
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.has(key)) return `"${key}" is not a field of any request`;
    const nested = bodyProblemIn((value as Record<string, unknown>)[key], `${at}.${key}`, depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
