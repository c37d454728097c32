/**
 * The HTTP request a command came in with, fingerprinted, for the command path to tell a retry (the
 * same request again: answered as the first time) from a command id reused for another request
 * (refused COMMAND_ID_REUSED), as idempotency keys work elsewhere. The fingerprint covers the method,
 * the path and the body with its keys in order (a client re-serializing the same body is a retry),
 * except a liquidation proof's proof and public signals. The caller the guard authenticated is kept
 * beside it, so the command's events record who issued it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

const current = new AsyncLocalStorage<{ commandId: string; hash: string; principal?: string }>();

/**
 * A Fastify preHandler hook (the body is parsed by then): runs the rest of a request that names a
 * command id with its fingerprint at hand.
 */
export function fingerprintCommands(req: FastifyRequest, _reply: FastifyReply, next: HookHandlerDoneFunction): void {
  const commandId = (req.body as { commandId?: unknown } | undefined)?.commandId;
  if (typeof commandId !== 'string') return next();
  // A liquidation proof is made again on a retry (the liquidator CLI re-proves under the id it derives
  // from the nullifier): a Groth16 proof is randomized, and the new one may cite another report of the
  // same round. Position and round are the claim; its proof and signals are not what tells a retry.
  const { proof: _proof, publicSignals: _signals, ...asked } = req.body as Record<string, unknown>;
  const hash = createHash('sha256').update(JSON.stringify([req.method, pathOf(req.url), asked], keysInOrder)).digest('hex');
  current.run({ commandId, hash }, next);
}

/**
 * The fingerprint of the request being served, for the command it names only: commands the ledger
 * issues itself on the way (a saga's, under their own ids) have none.
 */
export function requestHashOf(commandId: string): string | undefined {
  const request = current.getStore();
  return request?.commandId === commandId ? request.hash : undefined;
}

/** The guard's answer: the principal this request's command is issued by. */
export function noteCaller(principalId: string): void {
  const request = current.getStore();
  if (request) request.principal = principalId;
}

/** The principal that issued this command, when it is the command the request being served names. */
export function callerOf(commandId: string): string | undefined {
  const request = current.getStore();
  return request?.commandId === commandId ? request.principal : undefined;
}

/** The path without its query, as the fingerprint has always covered it. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function keysInOrder(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
