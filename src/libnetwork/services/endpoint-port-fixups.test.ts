import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isConflictError } from '../../common/errors/index.js';
import { FakeNeutron } from '../../openstack/testing/fake-neutron.js';
import type { Port } from '../neutron-port.js';
import { RestLibnetworkNeutron } from '../neutron-rest.js';
import { ensureMac, mergeAddressPorts } from './endpoint-port-fixups.js';
import { NeutronLookup } from './neutron-lookup.js';

function setup() {
  const fake = new FakeNeutron();
  const neutron = new RestLibnetworkNeutron(fake);
  const lookup = new NeutronLookup(neutron, true);
  const net = fake.seed('networks', { name: 'n' });
  const s4 = fake.seed('subnets', { network_id: net.id, cidr: '10.0.0.0/24', ip_version: 4 });
  const s6 = fake.seed('subnets', { network_id: net.id, cidr: 'fd00::/64', ip_version: 6 });
  const port = (ip: string, extra: Record<string, unknown> = {}) =>
    fake.seed('ports', {
      network_id: net.id,
      device_owner: 'compute:kuryr',
      mac_address: 'fa:16:3e:00:00:01',
      'binding:host_id': 'h',
      fixed_ips: [{ subnet_id: ip.includes(':') ? s6.id : s4.id, ip_address: ip }],
      ...extra,
    }) as unknown as Port;
  return { fake, neutron, lookup, port };
}

test('merge: a single port is returned as is, without any request', async () => {
  const { fake, neutron, lookup, port } = setup();
  const p = port('10.0.0.5');
  const n0 = fake.requests.length;
  assert.equal((await mergeAddressPorts(neutron, lookup, [p], ['10.0.0.5'])).id, p.id);
  assert.equal(fake.requests.length, n0);
});

test('merge refuses to delete a port kuryr did not make (user port holding the v6 address)', async () => {
  const { fake, neutron, lookup, port } = setup();
  const v4 = port('10.0.0.5');
  const user = port('fd00::5', { device_owner: 'compute:nova', device_id: 'vm1' });
  await assert.rejects(
    mergeAddressPorts(neutron, lookup, [v4, user], ['10.0.0.5', 'fd00::5']),
    (e) => isConflictError(e),
  );
  assert.equal(fake.all('ports').length, 2, 'nothing deleted');
});

test('ensureMac: same MAC (any case) makes no request; a bound port is unbound before the MAC change', async () => {
  const { fake, neutron, lookup, port } = setup();
  const p = port('10.0.0.5');
  const n0 = fake.requests.length;
  assert.equal(await ensureMac(neutron, lookup, p, 'FA:16:3E:00:00:01', 'h'), p);
  assert.equal(await ensureMac(neutron, lookup, p, undefined, 'h'), p);
  assert.equal(fake.requests.length, n0);
  const out = await ensureMac(neutron, lookup, p, 'fa:16:3e:00:00:02', 'h');
  assert.equal(out.mac_address, 'fa:16:3e:00:00:02');
  const bodies = fake.requests.slice(n0).map((r) => r.body);
  assert.deepEqual(bodies, [
    { port: { 'binding:host_id': '' } },
    { port: { mac_address: 'fa:16:3e:00:00:02', 'binding:host_id': 'h' } },
  ]);
});
