import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiRequest, ApiResponse, ServiceClient } from '../http/types.js';
import { NeutronClient } from './index.js';

/** Records requests and answers each with `reply(req)`. */
function recorder(reply: (req: ApiRequest) => unknown = () => ({})) {
  const requests: ApiRequest[] = [];
  const http: ServiceClient = {
    serviceType: 'network',
    endpoint: () => Promise.resolve('http://n'),
    request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
      requests.push(req);
      return Promise.resolve({ status: 200, body: reply(req) as T, headers: {}, requestId: 'r' });
    },
  };
  return { requests, neutron: new NeutronClient(http) };
}

const line = (r: ApiRequest | undefined) => `${r?.method} ${r?.path}`;

test('routers: add/remove interface by subnet or port', async () => {
  const { requests, neutron } = recorder(() => ({ id: 'r1', port_id: 'p1', subnet_id: 's1' }));
  const info = await neutron.routers.addInterface('r1', { subnet_id: 's1' });
  assert.equal(info.port_id, 'p1');
  await neutron.routers.removeInterface('r1', { port_id: 'p1' });
  assert.deepEqual(requests.map(line), [
    'PUT /v2.0/routers/r1/add_router_interface',
    'PUT /v2.0/routers/r1/remove_router_interface',
  ]);
  assert.deepEqual(requests[0]?.body, { subnet_id: 's1' });
  assert.deepEqual(requests[1]?.body, { port_id: 'p1' });
});

test('floating IPs: associate / disassociate are updates of port_id', async () => {
  const { requests, neutron } = recorder((r) => ({
    floatingip: { id: 'f1', ...(r.body as { floatingip: object }).floatingip },
  }));
  assert.equal((await neutron.floatingIps.associate('f1', 'p1', '10.0.0.5')).port_id, 'p1');
  assert.equal((await neutron.floatingIps.disassociate('f1')).port_id, null);
  assert.deepEqual(
    requests.map((r) => r.body),
    [
      { floatingip: { port_id: 'p1', fixed_ip_address: '10.0.0.5' } },
      { floatingip: { port_id: null } },
    ],
  );
  assert.equal(line(requests[0]), 'PUT /v2.0/floatingips/f1');
});

test('port forwardings live under their floating IP', async () => {
  const { requests, neutron } = recorder(() => ({
    port_forwarding: { id: 'pf1' },
    port_forwardings: [],
  }));
  await neutron.portForwardings.create('f1', {
    protocol: 'tcp',
    internal_ip_address: '10.0.0.5',
    internal_port_id: 'p1',
    internal_port: 80,
    external_port: 8080,
  });
  await neutron.portForwardings.get('f1', 'pf1');
  await neutron.portForwardings.update('f1', 'pf1', { internal_port: 81 });
  await neutron.portForwardings.delete('f1', 'pf1');
  await neutron.portForwardings.listAll('f1', { protocol: 'tcp' });
  assert.deepEqual(requests.map(line), [
    'POST /v2.0/floatingips/f1/port_forwardings',
    'GET /v2.0/floatingips/f1/port_forwardings/pf1',
    'PUT /v2.0/floatingips/f1/port_forwardings/pf1',
    'DELETE /v2.0/floatingips/f1/port_forwardings/pf1',
    'GET /v2.0/floatingips/f1/port_forwardings',
  ]);
  assert.deepEqual(requests[2]?.body, { port_forwarding: { internal_port: 81 } });
});

test('quotas: get, default, update, reset', async () => {
  const { requests, neutron } = recorder(() => ({ quota: { network: 10 } }));
  assert.equal((await neutron.quotas.get('pj')).network, 10);
  await neutron.quotas.getDefault('pj');
  await neutron.quotas.update('pj', { network: 20 });
  await neutron.quotas.reset('pj');
  assert.deepEqual(requests.map(line), [
    'GET /v2.0/quotas/pj',
    'GET /v2.0/quotas/pj/default',
    'PUT /v2.0/quotas/pj',
    'DELETE /v2.0/quotas/pj',
  ]);
  assert.deepEqual(requests[2]?.body, { quota: { network: 20 } });
});

test('security group rules: bulk create is one request with the plural key', async () => {
  const { requests, neutron } = recorder((r) => ({
    security_group_rules: (r.body as { security_group_rules: unknown[] }).security_group_rules,
  }));
  const rules = await neutron.securityGroupRules.createBulk([
    { security_group_id: 'sg', direction: 'ingress', protocol: 'tcp' },
    { security_group_id: 'sg', direction: 'egress' },
  ]);
  assert.equal(rules.length, 2);
  assert.equal(requests.length, 1);
  assert.equal(line(requests[0]), 'POST /v2.0/security-group-rules');
  assert.deepEqual(await neutron.securityGroupRules.createBulk([]), []);
  assert.equal(requests.length, 1);
});

test('ids are URL-encoded in paths; the signal and timeout reach the transport', async () => {
  const { requests, neutron } = recorder(() => ({ network: { id: 'a/b' } }));
  const ac = new AbortController();
  await neutron.networks.get('a/b', { signal: ac.signal, timeoutMs: 1234 });
  assert.equal(requests[0]?.path, '/v2.0/networks/a%2Fb');
  assert.equal(requests[0]?.signal, ac.signal);
  assert.equal(requests[0]?.timeoutMs, 1234);
});
