/**
 * Principals and their API keys: a principal comes with its first key, keys are issued, revoked and
 * rotated (the old one stops as the new one starts), ids are never reused, only oracles have feeds, and
 * the directory answers who holds an active key. Each refusal says what it refused.
 */
import { UnknownEventError } from '../events';
import { refusalOf } from '../testing';
import {
  AccessCommand, accessEventCodec, AccessEvent, accessRegistryDecider, AccessRegistryState, hasActiveAdmin, isAccessStream,
  LEGACY_ACCESS_REGISTRY_STREAM, principalDecider, principalOfKey, principalStream, PRINCIPAL_STREAM_PREFIX, ROLES, shareOf,
} from './access-registry';

const { decide, evolve, initialState } = accessRegistryDecider;

function run(state: AccessRegistryState, ...commands: AccessCommand[]): { state: AccessRegistryState; events: AccessEvent[] } {
  let events: AccessEvent[] = [];
  for (const command of commands) {
    events = decide(command, state, undefined);
    state = events.reduce(evolve, state);
  }
  return { state, events };
}

const register = (principalId: string, role: (typeof ROLES)[number], keyId: string, feeds: string[] = []): AccessCommand => ({ type: 'RegisterPrincipal', principalId, role, feeds, keyId, secretHash: `h-${keyId}`, now: 5n });
const people = run(initialState(), register('root', 'admin', 'k1'), register('bo', 'borrower', 'k2'), register('orc', 'oracle', 'k3', ['ETH-USD', 'ETH-USD', 'BTC-USD'])).state;

describe('principals and their keys', () => {
  it('live on a stream each, principal-<id>; the legacy registry is an access stream too', () => {
    expect(PRINCIPAL_STREAM_PREFIX).toBe('principal-');
    expect(principalStream('bo')).toBe('principal-bo');
    expect(LEGACY_ACCESS_REGISTRY_STREAM).toBe('access-registry');
    expect(isAccessStream('principal-bo')).toBe(true);
    expect(isAccessStream('access-registry')).toBe(true);
    expect(isAccessStream('access-registry-2')).toBe(false);
    expect(isAccessStream('position-principal-bo')).toBe(false);
  });

  it('registers a principal with its first key in one append, each feed once', () => {
    const { state, events } = run(initialState(), register('orc', 'oracle', 'k3', ['ETH-USD', 'ETH-USD', 'BTC-USD']));
    expect(events).toStrictEqual([
      { type: 'PrincipalRegistered', principalId: 'orc', role: 'oracle', feeds: ['ETH-USD', 'BTC-USD'], at: 5n },
      { type: 'ApiKeyIssued', principalId: 'orc', keyId: 'k3', secretHash: 'h-k3', at: 5n },
    ]);
    expect([...state.principals]).toStrictEqual([['orc', { id: 'orc', role: 'oracle', feeds: ['ETH-USD', 'BTC-USD'] }]]);
    expect([...state.keys]).toStrictEqual([['k3', { keyId: 'k3', principalId: 'orc', secretHash: 'h-k3', status: 'active' }]]);
  });

  it('refuses a principal registered twice, feeds for anyone but an oracle, and a key id already taken', () => {
    expect(refusalOf(() => run(people, register('bo', 'borrower', 'k9')))).toEqual({ code: 'PRINCIPAL_EXISTS', message: 'principal bo exists' });
    expect(refusalOf(() => run(people, register('li', 'liquidator', 'k9', ['ETH-USD'])))).toEqual({ code: 'FEEDS_ONLY_FOR_ORACLES', message: 'only an oracle principal has feeds' });
    expect(refusalOf(() => run(people, register('li', 'liquidator', 'k9')))).toBeUndefined();
    expect(refusalOf(() => run(people, register('li', 'liquidator', 'k2')))).toEqual({ code: 'API_KEY_EXISTS', message: 'key id k2 is taken' });
  });

  it('issues a further key to a principal it knows, under a new id', () => {
    const issue = (principalId: string, keyId: string): AccessCommand => ({ type: 'IssueApiKey', principalId, keyId, secretHash: 'h', now: 7n });
    const { state, events } = run(people, issue('bo', 'k5'));
    expect(events).toStrictEqual([{ type: 'ApiKeyIssued', principalId: 'bo', keyId: 'k5', secretHash: 'h', at: 7n }]);
    expect(state.keys.get('k5')).toStrictEqual({ keyId: 'k5', principalId: 'bo', secretHash: 'h', status: 'active' });
    expect(state.keys.get('k2')).toStrictEqual({ keyId: 'k2', principalId: 'bo', secretHash: 'h-k2', status: 'active' });
    expect(refusalOf(() => run(people, issue('nobody', 'k5')))).toEqual({ code: 'PRINCIPAL_NOT_FOUND', message: 'no principal nobody' });
    expect(refusalOf(() => run(people, issue('bo', 'k1')))).toEqual({ code: 'API_KEY_EXISTS', message: 'key id k1 is taken' });
  });

  it('revokes an active key, keeping its record, and refuses an unknown or revoked one', () => {
    const { state, events } = run(people, { type: 'RevokeApiKey', keyId: 'k2', now: 8n });
    expect(events).toStrictEqual([{ type: 'ApiKeyRevoked', principalId: 'bo', keyId: 'k2', at: 8n }]);
    expect(state.keys.get('k2')).toStrictEqual({ keyId: 'k2', principalId: 'bo', secretHash: 'h-k2', status: 'revoked' });
    expect(state.keys.get('k1')?.status).toBe('active');
    expect(refusalOf(() => run(state, { type: 'RevokeApiKey', keyId: 'k2', now: 9n }))).toEqual({ code: 'API_KEY_REVOKED', message: 'key k2 is revoked' });
    expect(refusalOf(() => run(state, { type: 'RevokeApiKey', keyId: 'k7', now: 9n }))).toEqual({ code: 'API_KEY_NOT_FOUND', message: 'no key k7' });
  });

  it('rotates a key: the old one stops as the new one starts, under a new id', () => {
    const rotate = (keyId: string, newKeyId: string): AccessCommand => ({ type: 'RotateApiKey', keyId, newKeyId, newSecretHash: 'new', now: 9n });
    const { state, events } = run(people, rotate('k2', 'k6'));
    expect(events).toStrictEqual([{ type: 'ApiKeyRotated', principalId: 'bo', keyId: 'k2', newKeyId: 'k6', newSecretHash: 'new', at: 9n }]);
    expect(state.keys.get('k2')).toStrictEqual({ keyId: 'k2', principalId: 'bo', secretHash: 'h-k2', status: 'revoked' });
    expect(state.keys.get('k6')).toStrictEqual({ keyId: 'k6', principalId: 'bo', secretHash: 'new', status: 'active' });
    expect(refusalOf(() => run(people, rotate('k2', 'k3')))).toEqual({ code: 'API_KEY_EXISTS', message: 'key id k3 is taken' });
    expect(refusalOf(() => run(state, rotate('k2', 'k8')))).toEqual({ code: 'API_KEY_REVOKED', message: 'key k2 is revoked' });
  });

  it('finds the principal of an active key only', () => {
    expect(principalOfKey(people, 'k2')).toStrictEqual({ id: 'bo', role: 'borrower', feeds: [] });
    expect(principalOfKey(people, 'k7')).toBeUndefined();
    const revoked = run(people, { type: 'RevokeApiKey', keyId: 'k2', now: 8n }).state;
    expect(principalOfKey(revoked, 'k2')).toBeUndefined();
  });

  it('knows whether some admin holds an active key', () => {
    expect(hasActiveAdmin(initialState())).toBe(false);
    expect(hasActiveAdmin(people)).toBe(true);
    const noAdmin = run(people, { type: 'RevokeApiKey', keyId: 'k1', now: 8n }).state;
    expect(hasActiveAdmin(noAdmin)).toBe(false);
    // A second admin key keeps one active.
    const twoKeys = run(people, { type: 'IssueApiKey', principalId: 'root', keyId: 'k0', secretHash: 'h', now: 7n }, { type: 'RevokeApiKey', keyId: 'k1', now: 8n }).state;
    expect(hasActiveAdmin(twoKeys)).toBe(true);
  });

  it('gives one principal’s share of the directory: its record and its keys only', () => {
    const withSecond = run(people, { type: 'IssueApiKey', principalId: 'bo', keyId: 'k5', secretHash: 'h', now: 7n }).state;
    const share = shareOf(withSecond, 'bo');
    expect(share && [...share.principals.keys()]).toEqual(['bo']);
    expect(share && [...share.keys.keys()]).toEqual(['k2', 'k5']);
    expect(shareOf(withSecond, 'nobody')).toBeUndefined();
  });

  it('starts a principal’s stream from its legacy record, or from nothing', () => {
    const legacy = shareOf(people, 'bo')!;
    expect(principalDecider(legacy).initialState()).toBe(legacy);
    expect(principalDecider(legacy).decide).toBe(decide);
    expect(principalDecider(undefined)).toBe(accessRegistryDecider);
    expect(refusalOf(() => principalDecider(legacy).decide(register('bo', 'borrower', 'k9'), legacy, undefined))).toMatchObject({ code: 'PRINCIPAL_EXISTS' });
  });

  it('stores each access event with its time as a string, and reads it back', () => {
    const events = [
      ...run(initialState(), register('orc', 'oracle', 'k3', ['ETH-USD'])).events,
      ...run(people, { type: 'RevokeApiKey', keyId: 'k2', now: 8n }).events,
      ...run(people, { type: 'RotateApiKey', keyId: 'k2', newKeyId: 'k6', newSecretHash: 'new', now: 9n }).events,
    ];
    expect(accessEventCodec.encode(events[1])).toStrictEqual({ type: 'ApiKeyIssued', schemaVersion: 1, data: { principalId: 'orc', keyId: 'k3', secretHash: 'h-k3', at: '5' } });
    for (const event of events) {
      const stored = JSON.parse(JSON.stringify(accessEventCodec.encode(event)));
      expect(accessEventCodec.decode(stored.type, stored.schemaVersion, stored.data)).toStrictEqual(event);
    }
    expect(() => accessEventCodec.decode('PositionOpened', 1, { at: '1' })).toThrow(new UnknownEventError('unknown access event type PositionOpened'));
    expect(() => accessEventCodec.decode('PositionOpened', 1, { at: '1' })).toThrow(UnknownEventError);
  });
});
