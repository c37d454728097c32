/**
 * Who issued a command, for its events' metadata: the authenticated caller of the request that names
 * it, or else a component of the ledger acting on its own (`system:<component>`), as the code path
 * that runs it declares with `asComponent`. The audit checks each against the rule of who may issue
 * what (src/domain/access/authority.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { systemPrincipal } from '../domain/access/authority';
import { callerOf } from '../http/request-fingerprint';

const component = new AsyncLocalStorage<string>();

/** Runs `work` as the named component of the ledger: the commands it issues are recorded as that component's. */
export function asComponent<T>(name: string, work: () => T): T {
  return component.run(systemPrincipal(name), work);
}

export function issuerOf(commandId: string): string {
  return callerOf(commandId) ?? component.getStore() ?? systemPrincipal('ledger');
}
