/**
 * Who may call the ledger: principals, each with one role, and the API keys issued to them. Each
 * principal is an aggregate on its own stream, `principal-<id>`, so registering or re-keying one never
 * waits on another (one stream for all of them serialised every registration). The directory of them
 * all (which principal holds which key) is a projection of those streams, which the ledger keeps in
 * memory from a subscription and authenticates against without a read.
 *
 * Ledgers from before kept every principal on one stream, `access-registry`. That stream is never
 * written again but still read: it is folded first, and a principal it holds starts its own stream
 * from its record there (`principalDecider`).
 *
 * Keys are stored as hashes only. A key is `<keyId>.<secret>`: the id finds the record, the secret is
 * 32 random bytes whose SHA-256 is kept. A fast hash suffices for secrets of that entropy (no password
 * to guess), and it keeps authentication cheap on every request.
 */
import { Decider, DomainError } from '../decider';
import { EventCodec, UnknownEventError } from '../events';

export const ROLES = ['borrower', 'oracle', 'liquidator', 'auditor', 'integrator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PRINCIPAL_STREAM_PREFIX = 'principal-';
/** Where ledgers before per-principal streams kept every principal: read, never written. */
export const LEGACY_ACCESS_REGISTRY_STREAM = 'access-registry';

export function principalStream(principalId: string): string {
  return PRINCIPAL_STREAM_PREFIX + principalId;
}

/** Whether a stream holds access events: a principal's, or the legacy registry. */
export function isAccessStream(stream: string): boolean {
  return stream.startsWith(PRINCIPAL_STREAM_PREFIX) || stream === LEGACY_ACCESS_REGISTRY_STREAM;
}

export interface Principal {
  id: string;
  role: Role;
  /** The feeds an oracle principal reports for; empty for every other role. */
  feeds: string[];
}

export interface ApiKeyRecord {
  keyId: string;
  principalId: string;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  status: 'active' | 'revoked';
}

/** Principals and their keys: the whole directory, or one principal's share of it (its stream's state). */
export interface AccessRegistryState {
  principals: ReadonlyMap<string, Principal>;
  keys: ReadonlyMap<string, ApiKeyRecord>;
}

export type AccessCommand =
  /** A principal comes with its first key, in one append: never a principal nobody can act as. */
  | { type: 'RegisterPrincipal'; principalId: string; role: Role; feeds: string[]; keyId: string; secretHash: string; now: bigint }
  | { type: 'IssueApiKey'; principalId: string; keyId: string; secretHash: string; now: bigint }
  | { type: 'RevokeApiKey'; keyId: string; now: bigint }
  | { type: 'RotateApiKey'; keyId: string; newKeyId: string; newSecretHash: string; now: bigint };

export type AccessEvent =
  | { type: 'PrincipalRegistered'; principalId: string; role: Role; feeds: string[]; at: bigint }
  | { type: 'ApiKeyIssued'; principalId: string; keyId: string; secretHash: string; at: bigint }
  | { type: 'ApiKeyRevoked'; principalId: string; keyId: string; at: bigint }
  /** The old key stops and the new one starts in the same event: there is no moment with neither. */
  | { type: 'ApiKeyRotated'; principalId: string; keyId: string; newKeyId: string; newSecretHash: string; at: bigint };

/**
 * Decides on the principals and keys it has folded: one principal's stream in the ledger (where
 * `API_KEY_EXISTS` is then that principal's; key ids are 64 random bits the ledger draws, so two
 * principals never meet by chance), any set of access events in the audit.
 */
export const accessRegistryDecider: Decider<AccessRegistryState, AccessCommand, AccessEvent, unknown> = {
  initialState: () => ({ principals: new Map(), keys: new Map() }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterPrincipal': {
        if (state.principals.has(command.principalId)) throw new DomainError('PRINCIPAL_EXISTS', `principal ${command.principalId} exists`);
        if (command.role !== 'oracle' && command.feeds.length > 0) throw new DomainError('FEEDS_ONLY_FOR_ORACLES', 'only an oracle principal has feeds');
        keyIdIsNew(state, command.keyId);
        return [
          { type: 'PrincipalRegistered', principalId: command.principalId, role: command.role, feeds: [...new Set(command.feeds)], at: command.now },
          { type: 'ApiKeyIssued', principalId: command.principalId, keyId: command.keyId, secretHash: command.secretHash, at: command.now },
        ];
      }
      case 'IssueApiKey':
        principalOf(state, command.principalId);
        keyIdIsNew(state, command.keyId);
        return [{ type: 'ApiKeyIssued', principalId: command.principalId, keyId: command.keyId, secretHash: command.secretHash, at: command.now }];
      case 'RevokeApiKey': {
        const key = activeKey(state, command.keyId);
        return [{ type: 'ApiKeyRevoked', principalId: key.principalId, keyId: key.keyId, at: command.now }];
      }
      case 'RotateApiKey': {
        const key = activeKey(state, command.keyId);
        keyIdIsNew(state, command.newKeyId);
        return [{ type: 'ApiKeyRotated', principalId: key.principalId, keyId: key.keyId, newKeyId: command.newKeyId, newSecretHash: command.newSecretHash, at: command.now }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PrincipalRegistered':
        return { ...state, principals: new Map(state.principals).set(event.principalId, { id: event.principalId, role: event.role, feeds: event.feeds }) };
      case 'ApiKeyIssued':
        return { ...state, keys: withKey(state.keys, { keyId: event.keyId, principalId: event.principalId, secretHash: event.secretHash, status: 'active' }) };
      case 'ApiKeyRevoked':
        return { ...state, keys: revoked(state.keys, event.keyId) };
      case 'ApiKeyRotated':
        return { ...state, keys: withKey(revoked(state.keys, event.keyId), { keyId: event.newKeyId, principalId: event.principalId, secretHash: event.newSecretHash, status: 'active' }) };
    }
  },
};

/**
 * A principal's own stream, starting from what the legacy registry recorded of it (nothing for a
 * principal registered since): that stream is frozen, so the start is the same on every load.
 */
export function principalDecider(legacy: AccessRegistryState | undefined): typeof accessRegistryDecider {
  return legacy ? { ...accessRegistryDecider, initialState: () => legacy } : accessRegistryDecider;
}

/** One principal's share of a directory: its record and its keys. */
export function shareOf(state: AccessRegistryState, principalId: string): AccessRegistryState | undefined {
  const principal = state.principals.get(principalId);
  if (!principal) return undefined;
  return { principals: new Map([[principalId, principal]]), keys: new Map([...state.keys].filter(([, key]) => key.principalId === principalId)) };
}

/** The principal an active key belongs to; undefined for an unknown or revoked key. */
export function principalOfKey(state: AccessRegistryState, keyId: string): Principal | undefined {
  const key = state.keys.get(keyId);
  return key?.status === 'active' ? state.principals.get(key.principalId) : undefined;
}

/** Whether some admin holds an active key: a ledger without one needs its first admin bootstrapped. */
export function hasActiveAdmin(state: AccessRegistryState): boolean {
  for (const key of state.keys.values()) if (key.status === 'active' && state.principals.get(key.principalId)?.role === 'admin') return true;
  return false;
}

function principalOf(state: AccessRegistryState, principalId: string): Principal {
  const principal = state.principals.get(principalId);
  if (!principal) throw new DomainError('PRINCIPAL_NOT_FOUND', `no principal ${principalId}`);
  return principal;
}

function keyIdIsNew(state: AccessRegistryState, keyId: string): void {
  if (state.keys.has(keyId)) throw new DomainError('API_KEY_EXISTS', `key id ${keyId} is taken`);
}

function activeKey(state: AccessRegistryState, keyId: string): ApiKeyRecord {
  const key = state.keys.get(keyId);
  if (!key) throw new DomainError('API_KEY_NOT_FOUND', `no key ${keyId}`);
  if (key.status === 'revoked') throw new DomainError('API_KEY_REVOKED', `key ${keyId} is revoked`);
  return key;
}

function withKey(keys: ReadonlyMap<string, ApiKeyRecord>, key: ApiKeyRecord): ReadonlyMap<string, ApiKeyRecord> {
  return new Map(keys).set(key.keyId, key);
}

function revoked(keys: ReadonlyMap<string, ApiKeyRecord>, keyId: string): ReadonlyMap<string, ApiKeyRecord> {
  const key = keys.get(keyId) as ApiKeyRecord;
  return new Map(keys).set(keyId, { ...key, status: 'revoked' });
}

const ACCESS_EVENT_TYPES = new Set<string>(['PrincipalRegistered', 'ApiKeyIssued', 'ApiKeyRevoked', 'ApiKeyRotated']);

/** Access events as stored: every field is a string or a list of them, but `at`, a bigint. */
export const accessEventCodec: EventCodec<AccessEvent> = {
  encode({ type, ...body }) {
    return { type, schemaVersion: 1, data: { ...body, at: body.at.toString() } };
  },
  decode(type, _schemaVersion, data) {
    if (!ACCESS_EVENT_TYPES.has(type)) throw new UnknownEventError(`unknown access event type ${type}`);
    return { ...data, type, at: BigInt(data.at as string) } as AccessEvent;
  },
};
