import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, ConflictError } from '../../../common/errors/index.js';
import { fakeCloud, silentLog, vifRequest, type FakeCloud } from '../testing/fake-cloud.js';
import { NestedVlanPodVifDriver } from './nested-vlan.js';

function withTrunk(): { cloud: FakeCloud; trunkId: string; vmPort: string } {
  const cloud = fakeCloud();
  const vm = cloud.http.fake.seed('ports', {
    network_id: cloud.network.id,
    fixed_ips: [{ subnet_id: cloud.subnet.id, ip_address: '10.1.0.50' }],
  });
  const trunk = cloud.http.fake.seed('trunks', { port_id: vm.id, sub_ports: [] });
  return { cloud, trunkId: trunk.id, vmPort: vm.id };
}

function driver(cloud: FakeCloud, random?: () => number): NestedVlanPodVifDriver {
  return new NestedVlanPodVifDriver(cloud.neutron, silentLog, {
    workerSubnets: [cloud.subnet.id],
    ...(random ? { random } : {}),
  });
}

test('requestVif adds a subport with a free VLAN id and returns a VIFVlanNested', async () => {
  const { cloud, trunkId } = withTrunk();
  const d = driver(cloud);
  const a = await d.requestVif(vifRequest(cloud, { hostIp: '10.1.0.50' }));
  const b = await d.requestVif(vifRequest(cloud, { hostIp: '10.1.0.50' }));
  assert.equal(a.type, 'vlan-nested');
  const subs = (await cloud.neutron.trunks.get(trunkId)).sub_ports;
  assert.deepEqual(subs.map((s) => s.port_id).sort(), [a.id, b.id].sort());
  assert.notEqual(subs[0]?.segmentation_id, subs[1]?.segmentation_id);
  assert.ok(a.type === 'vlan-nested' && subs.some((s) => s.segmentation_id === a.vlanId));
});

test('an id taken concurrently (409) is retried with a fresh read', async () => {
  const { cloud } = withTrunk();
  let calls = 0;
  const d = driver(cloud, () => 0); // always the lowest free id
  const other = cloud.http.fake.seed('ports', { network_id: cloud.network.id });
  // Another writer takes VLAN 1 right after our first read: our add_subports gets a 409.
  const orig = cloud.neutron.trunks.getSubports.bind(cloud.neutron.trunks);
  cloud.neutron.trunks.getSubports = async (id, o) => {
    const r = await orig(id, o);
    if (calls++ === 0) {
      const t = cloud.http.fake.all('trunks').find((x) => x.id === id);
      if (t)
        t['sub_ports'] = [{ port_id: other.id, segmentation_type: 'vlan', segmentation_id: 1 }];
    }
    return r;
  };
  const vif = await d.requestVif(vifRequest(cloud, { hostIp: '10.1.0.50' }));
  assert.ok(vif.type === 'vlan-nested' && vif.vlanId === 2, `got ${JSON.stringify(vif)}`);
  assert.equal(calls, 2);
});

test('retries end: a persistent conflict surfaces and leaves no port behind', async () => {
  const { cloud } = withTrunk();
  const d = driver(cloud);
  const before = cloud.http.fake.all('ports').length;
  cloud.http.fake.failWith = (req) =>
    req.path.endsWith('/add_subports') ? new ConflictError('taken') : undefined;
  await assert.rejects(d.requestVif(vifRequest(cloud, { hostIp: '10.1.0.50' })), ConflictError);
  assert.equal(cloud.http.fake.all('ports').length, before);
});

test('release removes the subport and deletes the port; twice is fine', async () => {
  const { cloud, trunkId } = withTrunk();
  const d = driver(cloud);
  const req = vifRequest(cloud, { hostIp: '10.1.0.50' });
  const vif = await d.requestVif(req);
  await d.releaseVif(vif, req.pod);
  await d.releaseVif(vif, req.pod);
  assert.deepEqual((await cloud.neutron.trunks.get(trunkId)).sub_ports, []);
  assert.equal(
    cloud.http.fake.all('ports').some((p) => p.id === vif.id),
    false,
  );
});

test('a node port without a trunk is a ConfigurationError', async () => {
  const cloud = fakeCloud();
  cloud.http.fake.seed('ports', {
    network_id: cloud.network.id,
    fixed_ips: [{ subnet_id: cloud.subnet.id, ip_address: '10.1.0.60' }],
  });
  await assert.rejects(
    driver(cloud).requestVif(vifRequest(cloud, { hostIp: '10.1.0.60' })),
    ConfigurationError,
  );
});
