/**
 * Integration: Keystone v3 authentication of the OpenStack session against the REAL test-bed Keystone
 * (scripts/openstack.sh). Fails (never skips) when the bed is not running.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAuthError } from '../../../src/common/errors/index.js';
import type { OpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv, type OpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { BedSessions } from './bed-sessions.js';

const env: OpenStackEnv = requireOpenStackEnv();
const prefix = testPrefix('kc-ks');
const bed = new BedSessions(env);
const open = bed.open.bind(bed);
const passwordAuth = bed.passwordAuth.bind(bed);

async function listNetworks(s: OpenStackSession): Promise<unknown[]> {
  const res = await s.client('network').request<{ networks: unknown[] }>({
    method: 'GET',
    path: '/v2.0/networks',
    query: { fields: 'id', limit: 1 },
  });
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.body.networks));
  return res.body.networks;
}

after(async () => {
  await bed.closeAll();
});

describe('password authentication', () => {
  for (const who of ['adminUser', 'kuryrUser', 'demoUser'] as const) {
    test(`${who}: project-scoped token, catalog and a Neutron call`, async () => {
      const account = env[who];
      const s = open(passwordAuth(account));
      const info = await s.identity.tokenInfo();
      assert.equal(info.user?.name, account.username);
      assert.equal(info.project?.name, account.projectName);
      assert.ok(info.expiresAt > Date.now());
      assert.ok(info.catalog.some((c) => c.type === 'network'));
      await listNetworks(s);
    });
  }

  test('system scope for admin', async () => {
    const s = open({ ...passwordAuth(env.adminUser), projectName: undefined, systemScope: 'all' });
    const info = await s.identity.tokenInfo();
    assert.equal(info.system, true);
    assert.equal(info.project, undefined);
  });

  test('wrong password → AuthError with a clear message, no secret in it', async () => {
    const s = open({ ...passwordAuth(env.kuryrUser), password: 'kc-wrong-password' });
    await assert.rejects(
      s.client('network').request({ method: 'GET', path: '/v2.0/networks' }),
      (e: unknown) => {
        assert.ok(isAuthError(e), String(e));
        assert.match(e.message, /rejected user 'kuryr'/);
        assert.doesNotMatch(e.message, /kc-wrong-password/);
        return true;
      },
    );
  });
});

describe('token and application credential authentication', () => {
  let admin: OpenStackSession;
  let userId = '';
  const created: string[] = [];

  before(async () => {
    admin = open(passwordAuth(env.kuryrUser));
    userId = (await admin.identity.tokenInfo()).user?.id ?? '';
    assert.notEqual(userId, '');
  });

  after(async () => {
    for (const id of created) {
      await admin.identity.client
        .request({ method: 'DELETE', path: `/users/${userId}/application_credentials/${id}` })
        .catch((e: unknown) => console.error(`cleanup of application credential ${id} failed`, e));
    }
  });

  test('token auth with a token from a password session', async () => {
    const token = (await admin.identity.tokenInfo()).token;
    const s = open({
      type: 'token',
      authUrl: env.authUrl,
      token,
      projectName: env.kuryrUser.projectName,
      projectDomainName: env.projectDomainName,
    });
    const info = await s.identity.tokenInfo();
    assert.notEqual(info.token, token);
    assert.equal(info.project?.name, env.kuryrUser.projectName);
    assert.deepEqual(info.methods.sort(), ['password', 'token']);
    await listNetworks(s);
  });

  test('application credential by id and by name + user', async () => {
    const name = `${prefix}-appcred`;
    const res = await admin.identity.client.request<{
      application_credential: { id: string; secret: string; name: string };
    }>({
      method: 'POST',
      path: `/users/${userId}/application_credentials`,
      body: { application_credential: { name, description: 'kuryr integration test' } },
    });
    assert.equal(res.status, 201);
    const ac = res.body.application_credential;
    created.push(ac.id);

    const byId = open({
      type: 'applicationcredential',
      authUrl: env.authUrl,
      applicationCredentialId: ac.id,
      applicationCredentialSecret: ac.secret,
    });
    const info = await byId.identity.tokenInfo();
    assert.deepEqual(info.methods, ['application_credential']);
    assert.equal(info.project?.name, env.kuryrUser.projectName);
    await listNetworks(byId);

    const byName = open({
      type: 'applicationcredential',
      authUrl: env.authUrl,
      applicationCredentialName: name,
      applicationCredentialSecret: ac.secret,
      username: env.kuryrUser.username,
      userDomainName: env.userDomainName,
    });
    await listNetworks(byName);

    const wrong = open({
      type: 'applicationcredential',
      authUrl: env.authUrl,
      applicationCredentialId: ac.id,
      applicationCredentialSecret: 'kc-not-the-secret',
    });
    await assert.rejects(
      wrong.identity.tokenInfo(),
      (e: unknown) => isAuthError(e) && /application credential/.test(e.message),
    );
  });
});

describe('token lifetime', () => {
  test('a revoked token refused by Neutron (401) is replaced once and the call replayed', async () => {
    const s = open(passwordAuth(env.kuryrUser));
    const first = (await s.identity.tokenInfo()).token;
    // Revoke the token before Neutron ever saw it (keystonemiddleware caches validations for minutes):
    // Neutron now answers 401 for it.
    const revoker = open(passwordAuth(env.adminUser));
    await revoker.identity.client.request({
      method: 'DELETE',
      path: '/auth/tokens',
      headers: { 'x-subject-token': first },
    });
    await listNetworks(s);
    const second = (await s.identity.tokenInfo()).token;
    assert.notEqual(second, first);
  });

  test(
    'short-lived tokens (bed Keystone with a short expiration) are renewed during a run',
    { timeout: 120_000 },
    async () => {
      assert.ok(
        env.shortTokenAuthUrl,
        'bed has no short-token Keystone (KURYR_SHORT_TOKEN_AUTH_URL)',
      );
      const s = open(passwordAuth(env.kuryrUser, env.shortTokenAuthUrl));
      const lifetimeMs = env.shortTokenExpiration * 1000;
      const tokens = new Set<string>();
      const first = await s.identity.tokenInfo();
      assert.ok(first.expiresAt - first.issuedAt <= lifetimeMs, 'token is short-lived');
      const end = Date.now() + lifetimeMs + 3000;
      while (Date.now() < end) {
        await listNetworks(s);
        tokens.add((await s.identity.tokenInfo()).token);
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.ok(tokens.size >= 2, `expected a renewed token, saw ${tokens.size}`);
    },
  );
});
