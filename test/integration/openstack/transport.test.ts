/**
 * Integration: the OpenStack transport against the REAL test-bed Neutron/Octavia (scripts/openstack.sh):
 * catalog lookup, noauth endpoints, typed errors from real error bodies, and bounded failure when the
 * service is unreachable. Fails (never skips) when the bed is not running.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isAuthError, isNotFoundError, isNotReadyError } from '../../../src/common/errors/index.js';
import {
  Forbidden,
  IpAddressAlreadyAllocated,
  NotFound,
  ServiceUnavailable,
} from '../../../src/openstack/http/errors.js';
import type { ServiceClient } from '../../../src/openstack/http/types.js';
import { requireOpenStackEnv, type OpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { BedSessions } from './bed-sessions.js';

const env: OpenStackEnv = requireOpenStackEnv();
const prefix = testPrefix('kc-tr');
const bed = new BedSessions(env);
const open = bed.open.bind(bed);
const passwordAuth = bed.passwordAuth.bind(bed);

/** Deletes recorded Neutron objects, newest first; NotFound is fine. */
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) {
    await c().catch((e: unknown) => {
      if (!isNotFoundError(e)) console.error('cleanup failed', e);
    });
  }
  await bed.closeAll();
});

async function create<T>(
  net: ServiceClient,
  resource: string,
  body: Record<string, unknown>,
): Promise<T & { id: string }> {
  const res = await net.request<Record<string, T & { id: string }>>({
    method: 'POST',
    path: `/v2.0/${resource}s`,
    body: { [resource]: body },
  });
  const obj = res.body[resource] as T & { id: string };
  cleanups.push(() => net.request({ method: 'DELETE', path: `/v2.0/${resource}s/${obj.id}` }));
  return obj;
}

describe('catalog', () => {
  test('Keystone catalog resolves the bed Neutron and Octavia', async () => {
    const s = open(passwordAuth(env.kuryrUser));
    const neutron = new URL(await s.client('network').endpoint());
    assert.equal(neutron.origin, new URL(env.neutronUrl).origin);
    assert.ok(env.octaviaUrl, 'bed runs without Octavia');
    const octavia = new URL(await s.client('load-balancer').endpoint());
    assert.equal(octavia.origin, new URL(env.octaviaUrl).origin);
    const version = await s
      .client('load-balancer')
      .request<{ versions: unknown[] }>({ method: 'GET', path: '/' });
    assert.ok(Array.isArray(version.body.versions));
  });
});

describe('noauth', () => {
  test('explicit endpoint against the noauth Neutron, no token', async () => {
    assert.ok(env.neutronNoauthUrl, 'bed has no noauth Neutron (NEUTRON_NOAUTH_URL)');
    const s = open({ type: 'noauth' }, { endpointOverrides: { network: env.neutronNoauthUrl } });
    const res = await s.client('network').request<{ extensions: { alias: string }[] }>({
      method: 'GET',
      path: '/v2.0/extensions',
    });
    assert.ok(res.body.extensions.some((e) => e.alias === 'subnet_allocation'));
    assert.ok(res.requestId?.startsWith('req-'));
  });
});

describe('typed errors from the real services', () => {
  let net: ServiceClient;
  before(() => {
    net = open(passwordAuth(env.kuryrUser)).client('network');
  });

  test('404 NetworkNotFound', async () => {
    await assert.rejects(
      net.request({ method: 'GET', path: '/v2.0/networks/00000000-0000-0000-0000-00000000c0de' }),
      (e: unknown) => {
        assert.ok(e instanceof NotFound);
        assert.equal(e.type, 'NetworkNotFound');
        assert.equal(e.status, 404);
        assert.ok(e.requestId?.startsWith('req-'));
        return true;
      },
    );
  });

  test('409 IpAddressAlreadyAllocated for a taken fixed IP', async () => {
    const network = await create<{ id: string }>(net, 'network', { name: `${prefix}-net` });
    const subnet = await create<{ id: string }>(net, 'subnet', {
      name: `${prefix}-sub`,
      network_id: network.id,
      ip_version: 4,
      cidr: '10.251.7.0/24',
      enable_dhcp: false,
    });
    const fixed = [{ subnet_id: subnet.id, ip_address: '10.251.7.10' }];
    await create(net, 'port', { name: `${prefix}-p1`, network_id: network.id, fixed_ips: fixed });
    await assert.rejects(
      create(net, 'port', { name: `${prefix}-p2`, network_id: network.id, fixed_ips: fixed }),
      (e: unknown) =>
        e instanceof IpAddressAlreadyAllocated && e.type === 'IpAddressAlreadyAllocated',
    );
  });

  test('403 for a member setting binding:host_id', async () => {
    const demo = open(passwordAuth(env.demoUser)).client('network');
    const network = await create<{ id: string }>(demo, 'network', { name: `${prefix}-demo` });
    await assert.rejects(
      create(demo, 'port', {
        name: `${prefix}-dp`,
        network_id: network.id,
        'binding:host_id': env.bindingHost,
      }),
      (e: unknown) => e instanceof Forbidden && isAuthError(e) && e.status === 403,
    );
  });

  test('Octavia 404', async () => {
    const lb = open(passwordAuth(env.kuryrUser)).client('load-balancer');
    await assert.rejects(
      lb.request({
        method: 'GET',
        path: '/v2/lbaas/loadbalancers/00000000-0000-0000-0000-00000000c0de',
      }),
      (e: unknown) =>
        e instanceof NotFound && e.serviceType === 'load-balancer' && e.message.length > 0,
    );
  });
});

describe('unreachable service', () => {
  test(
    'a closed port gives ServiceUnavailable after bounded retries (no hang)',
    { timeout: 20_000 },
    async () => {
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const { port } = srv.address() as AddressInfo;
      await new Promise<void>((r) => srv.close(() => r()));
      const s = open(passwordAuth(env.kuryrUser), {
        endpointOverrides: { network: `http://127.0.0.1:${port}` },
        timeouts: { connectMs: 1000, requestMs: 10_000 },
      });
      await assert.rejects(
        s.client('network').request({ method: 'GET', path: '/v2.0/networks' }),
        (e: unknown) => {
          assert.ok(e instanceof ServiceUnavailable, String(e));
          assert.ok(isNotReadyError(e));
          assert.match(e.message, /network service at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
          assert.match(e.message, /ECONNREFUSED/);
          assert.match(e.message, /after 3 attempts/);
          return true;
        },
      );
    },
  );
});
