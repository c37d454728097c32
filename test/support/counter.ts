/** A decider for tests of the command path: small enough that what is tested is the path, not the domain. */
import { Decider, DomainError } from '../../src/domain/decider';
import { EventCodec } from '../../src/domain/events';

/**
 * A counter that refuses to go below zero: enough to tell stale state from fresh. Like a position's
 * salt, each decision carries a nonce, so the same command decided twice gives different events.
 */
export type Event = { type: 'Added'; by: number; nonce: string };
export const counter: Decider<number, { by: number; nonce: string }, Event, void> = {
  initialState: () => 0,
  decide: (c, total) => {
    if (total + c.by < 0) throw new DomainError('BELOW_ZERO', 'the counter cannot go below zero');
    return [{ type: 'Added', by: c.by, nonce: c.nonce }];
  },
  evolve: (total, e) => total + e.by,
};
export const codec: EventCodec<Event> = {
  encode: (e) => ({ type: e.type, schemaVersion: 1, data: { by: e.by, nonce: e.nonce } }),
  decode: (_t, _v, d) => ({ type: 'Added', by: d.by as number, nonce: d.nonce as string }),
};

