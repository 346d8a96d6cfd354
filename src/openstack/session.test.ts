import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { ConfigurationError } from '../common/errors/index.js';
import { NotFound } from './http/errors.js';
import { startTestServer, type TestServer } from './http/test-server.js';
import { startFakeKeystone, type FakeKeystone } from './keystone/test-keystone.js';
import { createOpenStackSession, type OpenStackSession } from './session.js';
import type { OpenStackConnectionOptions } from './session-options.js';

const silent = pino({ level: 'silent' });
const cleanup: (FakeKeystone | TestServer | OpenStackSession)[] = [];
after(async () => {
  for (const c of cleanup) await c.close();
});

const auth = (url: string): OpenStackConnectionOptions['auth'] => ({
  type: 'password',
  authUrl: url,
  userId: 'u1',
  password: 'pw',
  projectId: 'p1',
});

function open(options: OpenStackConnectionOptions): OpenStackSession {
  const s = createOpenStackSession(
    { retries: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, ...options },
    silent,
  );
  cleanup.push(s);
  return s;
}

test('catalog selection by interface and region; token header sent', async () => {
  const ks = await startFakeKeystone((r) => ({ body: { path: r.url } }));
  cleanup.push(ks);
  const s = open({ auth: auth(ks.url), regionName: 'RegionOne' });
  const net = s.client('network');
  assert.equal(await net.endpoint(), `${ks.url}/network/one/public`);
  const res = await net.request<{ path: string }>({ method: 'GET', path: '/v2.0/networks' });
  assert.equal(res.body.path, '/network/one/public/v2.0/networks');
  const last = ks.requests.at(-1);
  assert.equal(last?.headers['x-auth-token'], 'tok-1');
  assert.equal(
    await s.client('network', { interface: 'internalURL' }).endpoint(),
    `${ks.url}/network/one/internal`,
  );
  assert.equal(
    await s.client('network', { region: 'RegionTwo' }).endpoint(),
    `${ks.url}/network/two/public`,
  );
  assert.equal(await s.client('load-balancer').endpoint(), `${ks.url}/lb`);
  await assert.rejects(s.client('compute').endpoint(), ConfigurationError);
  assert.equal(ks.authRequests(), 1);
});

test('a 401 from the service triggers ONE re-authentication and a replay', async () => {
  let refuse = 1;
  const ks = await startFakeKeystone((r) => {
    if (refuse > 0 && r.headers['x-auth-token'] === 'tok-1') {
      refuse -= 1;
      return { status: 401, body: 'Authentication required' };
    }
    return { body: { token: r.headers['x-auth-token'] } };
  });
  cleanup.push(ks);
  const s = open({ auth: auth(ks.url) });
  const res = await s.client('network').request<{ token: string }>({ method: 'GET', path: '/x' });
  assert.equal(res.body.token, 'tok-2');
  assert.equal(ks.authRequests(), 2);
});

test('a service that keeps refusing gets one replay, then Unauthorized', async () => {
  const ks = await startFakeKeystone(() => ({ status: 401, body: 'Authentication required' }));
  cleanup.push(ks);
  const s = open({ auth: auth(ks.url) });
  await assert.rejects(s.client('network').request({ method: 'GET', path: '/x' }), {
    name: 'Unauthorized',
  });
  assert.equal(ks.authRequests(), 2);
  assert.equal(ks.requests.filter((r) => r.url.endsWith('/x')).length, 2);
});

test('noauth: explicit endpoint, no token header; missing endpoint is a configuration error', async () => {
  const srv = await startTestServer((r) => ({
    status: r.url.includes('missing') ? 404 : 200,
    body: r.url.includes('missing')
      ? { NeutronError: { type: 'NetworkNotFound', message: 'nope', detail: '' } }
      : { ok: true },
  }));
  cleanup.push(srv);
  const s = open({ auth: { type: 'noauth' }, endpointOverrides: { network: srv.url } });
  await s.client('network').request({ method: 'GET', path: '/v2.0/networks' });
  assert.equal(srv.requests[0]?.headers['x-auth-token'], undefined);
  await assert.rejects(s.client('network').request({ method: 'GET', path: '/missing' }), NotFound);
  await assert.rejects(s.client('load-balancer').endpoint(), /needs an explicit endpoint/);
  await assert.rejects(s.identity.tokenInfo(), ConfigurationError);
});

test('endpointOverride per client bypasses the catalog but still authenticates', async () => {
  const ks = await startFakeKeystone(() => ({ body: {} }));
  cleanup.push(ks);
  const s = open({ auth: auth(ks.url) });
  const c = s.client('network', { endpointOverride: `${ks.url}/custom` });
  assert.equal(await c.endpoint(), `${ks.url}/custom`);
  await c.request({ method: 'GET', path: '/' });
  assert.equal(ks.requests.at(-1)?.headers['x-auth-token'], 'tok-1');
});

test('the per-call timeout covers a hanging service', async () => {
  const ks = await startFakeKeystone(() => ({ hang: true }));
  cleanup.push(ks);
  const s = open({ auth: auth(ks.url) });
  await assert.rejects(s.client('network').request({ method: 'GET', path: '/x', timeoutMs: 300 }), {
    name: 'RequestTimeout',
  });
});

test('identity client talks to the v3 base', async () => {
  const ks = await startFakeKeystone((r) => ({ body: { path: r.url } }));
  cleanup.push(ks);
  const s = open({ auth: auth(ks.url) });
  assert.equal(s.identity.baseUrl, `${ks.url}/v3`);
  const res = await s.identity.client.request<{ path: string }>({
    method: 'GET',
    path: '/users/u1',
  });
  assert.equal(res.body.path, '/v3/users/u1');
});

test('close is idempotent', async () => {
  const s = createOpenStackSession({ auth: { type: 'noauth' } }, silent);
  await s.close();
  await s.close();
});
