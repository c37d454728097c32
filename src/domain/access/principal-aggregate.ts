/**
 * A principal as an aggregate (stream `principal-<id>`): its record and keys, starting from what the
 * legacy registry recorded of it, decided on its own. Not one of the ledger's streams (the aggregate
 * table's): the audit does not decide access commands again, it checks who issued them (authority.ts),
 * so it has no `commandOf`.
 */
import { AggregateSpec, DistributiveOmit, nothingRead } from '../aggregate';
import { AccessCommand, AccessEvent, accessEventCodec, AccessRegistryState, principalDecider, principalStream } from './access-registry';

export type AccessRequest = DistributiveOmit<AccessCommand, 'now'>;

export function principalAggregate(legacy: AccessRegistryState | undefined): AggregateSpec<AccessRegistryState, AccessCommand, AccessEvent, unknown, AccessRequest> {
  return {
    kind: 'principal',
    streamOf: principalStream,
    decider: principalDecider(legacy),
    codec: accessEventCodec,
    issue: (request, { now }) => ({ ...request, now }) as AccessCommand,
    contextOf: nothingRead,
  };
}
