/**
 * Proves the test bed itself (scripts/openstack.sh): the facts the other suites rely on hold
 * against the real Keystone/Neutron/Octavia — both auth modes side by side, the two L2 agents
 * (vif_type bridge and ovs), admin-only binding:host_id, tags added after create, and tokens
 * from the short-lived Keystone really expiring.
 *
 * @module test/integration/bed/bed.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireOpenStackEnv, type OpenStackAccount } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

const env = requireOpenStackEnv();
const prefix = testPrefix('kb-it');

/** One HTTP call with a deadline; returns status and parsed JSON body (if any). */
async function call(
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (init.token) headers['X-Auth-Token'] = init.token;
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

async function tokenFor(account: OpenStackAccount, authUrl = env.authUrl): Promise<string> {
  const res = await call(`${authUrl}/auth/tokens`, {
    method: 'POST',
    body: {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: account.username,
              domain: { name: env.userDomainName },
              password: account.password,
            },
          },
        },
        scope: { project: { name: account.projectName, domain: { name: env.projectDomainName } } },
      },
    },
  });
  assert.equal(res.status, 201, `token for ${account.username}`);
  const token = res.headers.get('x-subject-token');
  assert.ok(token);
  return token;
}

interface PortBody {
  id: string;
  'binding:vif_type': string;
  'binding:host_id': string;
  tags: string[];
}

describe('test bed (scripts/openstack.sh)', () => {
  let admin = '';
  let networkId = '';
  const portIds: string[] = [];
  const nt = (path: string) => `${env.neutronUrl}/v2.0${path}`;

  before(async () => {
    assert.equal(env.authType, 'password', 'these checks need the keystone mode of the bed');
    admin = await tokenFor(env.adminUser);
    const net = await call(nt('/networks'), {
      method: 'POST',
      token: admin,
      body: { network: { name: `${prefix}-net` } },
    });
    assert.equal(net.status, 201);
    networkId = (net.body.network as { id: string }).id;
    const sub = await call(nt('/subnets'), {
      method: 'POST',
      token: admin,
      body: { subnet: { network_id: networkId, ip_version: 4, cidr: '10.96.77.0/24' } },
    });
    assert.equal(sub.status, 201);
  });

  after(async () => {
    for (const id of portIds) await call(nt(`/ports/${id}`), { method: 'DELETE', token: admin });
    if (networkId) await call(nt(`/networks/${networkId}`), { method: 'DELETE', token: admin });
  });

  test('Keystone Neutron wants a token; the noauth twin shares its database', async () => {
    assert.equal((await call(nt('/networks'))).status, 401);
    const seen = await call(`${env.neutronNoauthUrl}/v2.0/networks/${networkId}`);
    assert.equal(seen.status, 200);
    assert.equal((seen.body.network as { name: string }).name, `${prefix}-net`);
  });

  test('kuryr user (admin role, project service) and demo user (member) authenticate', async () => {
    const kuryr = await tokenFor(env.kuryrUser);
    const demo = await tokenFor(env.demoUser);
    assert.equal((await call(nt('/networks?limit=1'), { token: kuryr })).status, 200);
    assert.equal((await call(nt('/networks?limit=1'), { token: demo })).status, 200);
  });

  test('binding:host_id is admin-only: a member gets 403', async () => {
    const demo = await tokenFor(env.demoUser);
    const demoNet = await call(nt('/networks'), {
      method: 'POST',
      token: demo,
      body: { network: { name: `${prefix}-demo` } },
    });
    assert.equal(demoNet.status, 201);
    const demoNetId = (demoNet.body.network as { id: string }).id;
    try {
      const res = await call(nt('/ports'), {
        method: 'POST',
        token: demo,
        body: { port: { network_id: demoNetId, 'binding:host_id': env.bindingHost } },
      });
      assert.equal(res.status, 403);
    } finally {
      await call(nt(`/networks/${demoNetId}`), { method: 'DELETE', token: demo });
    }
  });

  async function boundPort(host: string, name: string): Promise<PortBody> {
    const res = await call(nt('/ports'), {
      method: 'POST',
      token: admin,
      body: {
        port: {
          network_id: networkId,
          name: `${prefix}-${name}`,
          device_owner: 'kuryr:container',
          'binding:host_id': host,
        },
      },
    });
    assert.equal(res.status, 201);
    const port = res.body.port as PortBody;
    portIds.push(port.id);
    return port;
  }

  test('a port bound to the linuxbridge host gets vif_type bridge', async () => {
    const port = await boundPort(env.bindingHost, 'lb');
    assert.equal(port['binding:vif_type'], env.vifType);
    assert.equal(port['binding:host_id'], env.bindingHost);
  });

  test('a port bound to the OVS host gets vif_type ovs', async () => {
    assert.ok(env.ovsBindingHost, 'bed runs without the OVS agent (KURYR_OS_AGENT=both)');
    const port = await boundPort(env.ovsBindingHost, 'ovs');
    assert.equal(port['binding:vif_type'], 'ovs');
  });

  test('tags are added after create, one PUT each, and filter lists', async () => {
    const port = await boundPort(env.bindingHost, 'tag');
    const tag = `${prefix}.tag`;
    assert.equal(
      (await call(nt(`/ports/${port.id}/tags/${tag}`), { method: 'PUT', token: admin })).status,
      201,
    );
    const list = await call(nt(`/ports?tags=${tag}`), { token: admin });
    assert.deepEqual(
      (list.body.ports as PortBody[]).map((p) => p.id),
      [port.id],
    );
  });

  test('Octavia answers in both auth modes', async () => {
    assert.ok(env.octaviaUrl, 'bed runs without Octavia');
    assert.equal((await call(`${env.octaviaUrl}/v2/lbaas/loadbalancers`)).status, 401);
    assert.equal(
      (await call(`${env.octaviaUrl}/v2/lbaas/loadbalancers`, { token: admin })).status,
      200,
    );
    assert.equal((await call(`${env.octaviaNoauthUrl}/v2/lbaas/loadbalancers`)).status, 200);
  });

  test('a token from the short-lived Keystone works, then expires everywhere', async () => {
    assert.ok(env.shortTokenAuthUrl && env.shortTokenExpiration > 0);
    const token = await tokenFor(env.kuryrUser, env.shortTokenAuthUrl);
    assert.equal((await call(nt('/networks?limit=1'), { token })).status, 200);
    await sleep((env.shortTokenExpiration + 2) * 1000);
    assert.equal((await call(nt('/networks?limit=1'), { token })).status, 401);
  });
});
