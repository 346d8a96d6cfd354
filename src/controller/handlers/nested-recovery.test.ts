import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { fakeCloud, silentLog } from '../drivers/testing/fake-cloud.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import { nodeInternalIps, releaseNestedOrphans } from './nested-recovery.js';
import { recoverPools } from './pool-recovery.js';

const LIVE = '11111111-1111-4111-8111-111111111111';
const GONE = '22222222-2222-4222-8222-222222222222';
const OTHER_NS = '33333333-3333-4333-8333-333333333333';

/** Node `vm-1` (10.1.0.50) whose VM port has a trunk and pairs; kuryr pod ports on it. */
function setup(driver: 'nested-vlan' | 'nested-macvlan') {
  const cloud = fakeCloud();
  const f = cloud.http.fake;
  const kube = new FakeKube();
  kube.seed(KINDS.node, {
    metadata: { name: 'vm-1' },
    status: { addresses: [{ type: 'InternalIP', address: '10.1.0.50' }] },
  });
  kube.seed(KINDS.pod, { metadata: { name: 'live', namespace: 'a', uid: LIVE } });
  kube.seed(KINDS.pod, { metadata: { name: 'other', namespace: 'b', uid: OTHER_NS } });
  const port = (o: Record<string, unknown>) => {
    const p = f.seed('ports', {
      network_id: cloud.network.id,
      device_owner: 'compute:kuryr',
      device_id: '',
      ...o,
    });
    p.tags = ['t'];
    return p;
  };
  const desc = (uid: string) => ({ description: `kuryr.pod.uid:${uid}` });
  const ids = {
    held: port(desc(LIVE)), // referenced by a KuryrPort
    leakedLive: port(desc(LIVE)), // crash between attach and status write
    gone: port(desc(GONE)), // pod force-deleted while no controller ran
    otherNs: port(desc(OTHER_NS)), // another controller's port in flight
    pool: port({ name: 'kuryr-pool-port' }),
    goneOffNode: port(desc(GONE)), // not on this cluster's trunks: left to k8s-gc
    macGone: port({ device_id: GONE }),
  };
  const pair = (p: Record<string, unknown>) => ({
    ip_address: (p['fixed_ips'] as { ip_address: string }[])[0]?.ip_address ?? '',
    mac_address: String(p['mac_address']),
  });
  const foreignPair = { ip_address: '10.1.0.99', mac_address: 'fa:16:3e:00:00:99' };
  const vm = f.seed('ports', {
    network_id: cloud.network.id,
    fixed_ips: [{ subnet_id: cloud.subnet.id, ip_address: '10.1.0.50' }],
    allowed_address_pairs: [pair(ids.macGone), foreignPair],
  });
  const onTrunk = [ids.held, ids.leakedLive, ids.gone, ids.otherNs, ids.pool];
  const trunk = f.seed('trunks', {
    port_id: vm.id,
    sub_ports: onTrunk.map((p, i) => ({
      port_id: p.id,
      segmentation_type: 'vlan',
      segmentation_id: i + 1,
    })),
  });
  const sweep = {
    neutron: cloud.neutron,
    log: silentLog,
    namespace: 'a',
    nested: { driver, workerSubnets: [cloud.subnet.id] },
  };
  return { cloud, kube, ids, vm, trunk, foreignPair, sweep };
}

test('node IPs come from the InternalIP addresses', async () => {
  const { kube } = setup('nested-vlan');
  assert.deepEqual([...(await nodeInternalIps(kube))], ['10.1.0.50']);
});

test('nested-vlan recovery: orphaned subports of gone pods and leaked ones of live pods are released', async () => {
  const { cloud, kube, ids, trunk, sweep } = setup('nested-vlan');
  const released = await releaseNestedOrphans(kube, new Set([ids.held.id]), sweep);
  assert.deepEqual(released.sort(), [ids.leakedLive.id, ids.gone.id, ids.macGone.id].sort());
  const subs = (await cloud.neutron.trunks.get(trunk.id)).sub_ports.map((s) => s.port_id);
  assert.deepEqual(subs.sort(), [ids.held.id, ids.otherNs.id, ids.pool.id].sort());
  const left = cloud.http.fake.all('ports').map((p) => p.id);
  for (const keep of [ids.held, ids.otherNs, ids.pool, ids.goneOffNode]) {
    assert.ok(left.includes(keep.id), `${keep.id} kept`);
  }
  for (const gone of [ids.leakedLive, ids.gone]) assert.ok(!left.includes(gone.id));
  // a second activation finds nothing more (idempotent)
  assert.deepEqual(await releaseNestedOrphans(kube, new Set([ids.held.id]), sweep), []);
});

test('nested-macvlan recovery: the gone pod pair leaves the VM port, the other pair stays', async () => {
  const { cloud, kube, ids, vm, foreignPair, sweep } = setup('nested-macvlan');
  const n = await recoverPools(
    kube,
    { sync: () => Promise.resolve(0) } as unknown as VifPoolDriver,
    undefined,
    sweep,
  );
  assert.equal(n, 0);
  assert.deepEqual((await cloud.neutron.ports.get(vm.id)).allowed_address_pairs, [foreignPair]);
  assert.ok(!cloud.http.fake.all('ports').some((p) => p.id === ids.macGone.id));
});

test('neutron-vif: the nested sweep does nothing', async () => {
  const { kube, ids, sweep } = setup('nested-vlan');
  const plain = { ...sweep, nested: { driver: 'neutron-vif', workerSubnets: [] } };
  assert.deepEqual(await releaseNestedOrphans(kube, new Set([ids.held.id]), plain), []);
});
