import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotReadyError } from '../../../common/errors/index.js';
import { fakeCloud, silentLog, vifRequest, type FakeCloud } from '../testing/fake-cloud.js';
import { updateAllowedAddressPairs, addPairs } from './allowed-address-pairs.js';
import { NestedMacvlanPodVifDriver } from './nested-macvlan.js';

function setup(attempts = 3): { cloud: FakeCloud; vmPort: string; d: NestedMacvlanPodVifDriver } {
  const cloud = fakeCloud();
  const vm = cloud.http.fake.seed('ports', {
    network_id: cloud.network.id,
    fixed_ips: [{ subnet_id: cloud.subnet.id, ip_address: '10.1.0.50' }],
  });
  const d = new NestedMacvlanPodVifDriver(cloud.neutron, silentLog, {
    workerSubnets: [cloud.subnet.id],
    revUpdateAttempts: attempts,
  });
  return { cloud, vmPort: vm.id, d };
}

test('concurrent requests from two controllers all land in allowed_address_pairs (412 retried)', async () => {
  const { cloud, vmPort, d } = setup(10);
  const other = new NestedMacvlanPodVifDriver(cloud.neutron, silentLog, {
    workerSubnets: [cloud.subnet.id],
    revUpdateAttempts: 10,
  });
  const vifs = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      (i % 2 === 0 ? d : other).requestVif(
        vifRequest(cloud, { hostIp: '10.1.0.50', uid: `u-${i}` }),
      ),
    ),
  );
  const pairs = (await cloud.neutron.ports.get(vmPort)).allowed_address_pairs;
  for (const v of vifs) {
    assert.equal(v.type, 'macvlan-nested');
    const ip = v.network.subnets[0]?.ips[0];
    assert.ok(
      pairs.some((p) => p.ip_address === ip && p.mac_address === v.address),
      `pair of ${ip} missing`,
    );
  }
  assert.equal(pairs.length, 6);
  assert.ok(cloud.http.preconditionFailures > 0, 'some updates had to be retried');
});

test('a port that keeps changing exhausts rev_update_attempts: NotReady', async () => {
  const { cloud, vmPort } = setup();
  // Every read is followed by someone else's update: our If-Match never matches.
  const get = cloud.neutron.ports.get.bind(cloud.neutron.ports);
  cloud.neutron.ports.get = async (id, o) => {
    const port = await get(id, o);
    const stored = cloud.http.fake.all('ports').find((x) => x.id === id);
    if (stored) stored['revision_number'] = Number(stored['revision_number']) + 1;
    return port;
  };
  await assert.rejects(
    updateAllowedAddressPairs(
      cloud.neutron,
      vmPort,
      addPairs([{ ip_address: '10.1.0.9' }]),
      3,
      silentLog,
    ),
    NotReadyError,
  );
  assert.equal(cloud.http.preconditionFailures, 3);
});

test('release removes the pair and the port', async () => {
  const { cloud, vmPort, d } = setup();
  const req = vifRequest(cloud, { hostIp: '10.1.0.50' });
  const vif = await d.requestVif(req);
  await d.releaseVif(vif, req.pod);
  await d.releaseVif(vif, req.pod);
  assert.deepEqual((await cloud.neutron.ports.get(vmPort)).allowed_address_pairs, []);
  assert.equal(
    cloud.http.fake.all('ports').some((p) => p.id === vif.id),
    false,
  );
});
