import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EventStoreEngine } from './store';
import { jsonStoredEvent } from './log-record';
import { AccessDenied, Authorizer, BadCredentials, ensureUser, INTEGRATORS, prepareUsers, USER_EVENT, userRecord, userStream } from './security';

const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

describe('users and stream ACLs', () => {
  let dir: string;
  let engine: EventStoreEngine;
  let authorizer: Authorizer;
  let adminPassword: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'es-security-'));
    engine = await EventStoreEngine.open(dir);
    adminPassword = (await prepareUsers(engine, dir))!;
    authorizer = new Authorizer(engine);
  });
  afterEach(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const integrator = async (login = 'partner', password = 'secret') => {
    await engine.append(userStream(login), { kind: 'any' }, [jsonStoredEvent(USER_EVENT, userRecord(login, password, [INTEGRATORS]))]);
    return authorizer.authenticate(basic(login, password));
  };

  it('creates the admin once, its password in a file only its owner reads, and knows it by that password only', async () => {
    expect((await stat(path.join(dir, 'admin.password'))).mode & 0o777).toBe(0o600);
    expect(await prepareUsers(engine, dir)).toBe(adminPassword);
    expect(authorizer.authenticate(basic('admin', adminPassword))).toEqual({ login: 'admin', groups: ['$admins'] });
    expect(() => authorizer.authenticate(basic('admin', 'guess'))).toThrow(BadCredentials);
    expect(() => authorizer.authenticate(basic('nobody', 'guess'))).toThrow(BadCredentials);
    expect(authorizer.authenticate(undefined)).toBeUndefined();
  });

  it('lets $admins do anything, and a caller without credentials nothing', () => {
    const admin = authorizer.authenticate(basic('admin', adminPassword));
    for (const stream of ['position-1', '$all', '$user-admin', '$$position-1']) expect(() => authorizer.authorize(admin, '$w', stream)).not.toThrow();
    expect(() => authorizer.authorize(undefined, '$r', 'public-prices')).toThrow(AccessDenied);
  });

  it("follows a stream's $acl entry, else the $settings default, and its $mr / $mw for its metadata stream", async () => {
    const partner = await integrator();
    await engine.append('$$public-prices', { kind: 'any' }, [jsonStoredEvent('$metadata', { $acl: { $r: [INTEGRATORS] } })]);
    expect(() => authorizer.authorize(partner, '$r', 'public-prices')).not.toThrow();
    // Entries the stream's ACL leaves out, and other streams, fall back to the defaults: $admins only.
    expect(() => authorizer.authorize(partner, '$w', 'public-prices')).toThrow(AccessDenied);
    expect(() => authorizer.authorize(partner, '$r', 'position-1')).toThrow(AccessDenied);
    expect(() => authorizer.authorize(partner, '$r', '$all')).toThrow(AccessDenied);
    expect(() => authorizer.authorize(partner, '$r', '$$public-prices')).toThrow(AccessDenied);
    await engine.append('$$public-prices', { kind: 'any' }, [jsonStoredEvent('$metadata', { $acl: { $r: [INTEGRATORS], $mr: 'partner' } })]);
    expect(() => authorizer.authorize(partner, '$r', '$$public-prices')).not.toThrow();
    expect(() => authorizer.authorize(partner, '$w', '$$public-prices')).toThrow(AccessDenied);
  });

  it('forgets a password once the user is changed', async () => {
    await integrator('partner', 'old');
    await engine.append(userStream('partner'), { kind: 'any' }, [jsonStoredEvent(USER_EVENT, userRecord('partner', 'new', [INTEGRATORS]))]);
    expect(() => authorizer.authenticate(basic('partner', 'old'))).toThrow(BadCredentials);
    expect(authorizer.authenticate(basic('partner', 'new'))?.login).toBe('partner');
  });

  it('creates a service user once, answering the same password from its file after', async () => {
    const password = await ensureUser(engine, dir, 'ledger', ['$admins']);
    expect(await ensureUser(engine, dir, 'ledger', ['$admins'])).toBe(password);
    expect(authorizer.authenticate(basic('ledger', password!))?.groups).toEqual(['$admins']);
  });
});
