/**
 * Who each request was admitted as: the caller the access guard authenticated. Kept by the Node
 * request underneath the framework's, so the handlers, the rate limits and the request log (which
 * sees only the Node request) all read the same answer, and a request nobody admitted has none.
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../domain/access/access-registry';

const admitted = new WeakMap<IncomingMessage, Principal>();

export function noteAdmitted(req: IncomingMessage, principal: Principal): void {
  admitted.set(req, principal);
}

export function admittedCaller(req: IncomingMessage): Principal | undefined {
  return admitted.get(req);
}
