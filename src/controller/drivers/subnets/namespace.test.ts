import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotReadyError } from '../../../common/errors/index.js';
import { fakeCloud, silentLog, type FakeCloud } from '../testing/fake-cloud.js';
import { NamespaceSubnetsDriver } from './namespace.js';

const ns = { uid: '0b7c2a1e-1111-2222-3333-444444444444', name: 'team-a' };

function setup(): { cloud: FakeCloud; d: NamespaceSubnetsDriver; routerId: string } {
  const cloud = fakeCloud();
  const pool = cloud.http.fake.seed('subnetpools', {
    prefixes: ['10.50.0.0/16'],
    default_prefixlen: 24,
    ip_version: 4,
  });
  const router = cloud.http.fake.seed('routers', { name: 'kd-router' });
  const d = new NamespaceSubnetsDriver(cloud.neutron, silentLog, {
    routerId: router.id,
    subnetPoolId: pool.id,
    mtu: 1400,
    resourceTags: ['kd-k8s'],
  });
  return { cloud, d, routerId: router.id };
}

test('ensure creates network + subnet named <uid>/<ns>, tagged, attached; second call adopts', async () => {
  const { cloud, d, routerId } = setup();
  const a = await d.ensureNamespaceNetwork(ns, 'proj-1');
  const net = await cloud.neutron.networks.get(a.netId);
  const subnet = await cloud.neutron.subnets.get(a.subnetId);
  assert.equal(net.name, `${ns.uid}/${ns.name}`);
  assert.equal(net.mtu, 1400);
  assert.deepEqual(net.tags, ['kd-k8s']);
  assert.equal(subnet.name, net.name);
  assert.equal(subnet.enable_dhcp, false);
  assert.equal(a.subnetCIDR, '10.50.0.0/24');
  assert.equal(a.routerId, routerId);
  const b = await d.ensureNamespaceNetwork(ns, 'proj-1');
  assert.deepEqual(b, a);
  assert.equal(cloud.http.fake.all('networks').length, 2);
  const routerPorts = cloud.http.fake.all('ports').filter((p) => p['device_id'] === routerId);
  assert.equal(routerPorts.length, 1);
  const [s] = await d.getSubnets({ namespace: 'team-a' });
  assert.equal(s?.subnet.id, a.subnetId);
});

test('a failing step rolls back what this call created', async () => {
  const { cloud, d } = setup();
  const add = cloud.neutron.routers.addInterface.bind(cloud.neutron.routers);
  cloud.neutron.routers.addInterface = () => Promise.reject(new NotReadyError('boom'));
  await assert.rejects(d.ensureNamespaceNetwork(ns, 'proj-1'), NotReadyError);
  assert.equal(cloud.http.fake.all('networks').length, 1);
  assert.equal(cloud.http.fake.all('subnets').length, 1);
  cloud.neutron.routers.addInterface = add;
  await d.ensureNamespaceNetwork(ns, 'proj-1');
});

test('delete detaches, removes leftover kuryr ports, subnet, network; twice is fine', async () => {
  const { cloud, d, routerId } = setup();
  const a = await d.ensureNamespaceNetwork(ns, 'proj-1');
  cloud.http.fake.seed('ports', { network_id: a.netId, device_owner: 'compute:kuryr' });
  await d.deleteNamespaceNetwork(ns);
  await d.deleteNamespaceNetwork(ns);
  await d.deleteNamespaceNetwork({ netId: a.netId });
  assert.equal(cloud.http.fake.all('networks').length, 1);
  assert.equal(cloud.http.fake.all('ports').filter((p) => p['device_id'] === routerId).length, 0);
  await assert.rejects(d.getSubnets({ namespace: 'team-a' }), NotReadyError);
});
