import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeCloud, silentLog } from './drivers/testing/fake-cloud.js';
import { KubernetesOrphanCollector } from './gc.js';
import { NestedOrphanReleaser } from './nested-orphans.js';

const LIVE = '11111111-1111-1111-1111-111111111111';
const GONE = '22222222-2222-2222-2222-222222222222';
const NS_GONE = '33333333-3333-3333-3333-333333333333';

function setup(now = Date.parse('2030-01-01T00:00:00Z')) {
  const cloud = fakeCloud();
  const f = cloud.http.fake;
  const old = '2029-12-31T00:00:00Z';
  const port = (o: Record<string, unknown>) =>
    f.seed('ports', {
      network_id: cloud.network.id,
      device_owner: 'compute:kuryr',
      created_at: old,
      ...o,
    });
  const live = port({ device_id: LIVE });
  const gone = port({ device_id: GONE });
  const young = port({ device_id: GONE, created_at: '2029-12-31T23:59:00Z' });
  const pool = port({ device_id: '', name: 'kuryr-pool-port' });
  const docker = port({ device_id: 'a'.repeat(64) });
  const dockerTagged = port({ device_id: GONE });
  dockerTagged.tags = ['kuryr.net.uuid.lh:' + 'a'.repeat(32)];
  const net = f.seed('networks', { name: `${NS_GONE}/old-ns`, created_at: old });
  const deleted: string[] = [];
  const gc = new KubernetesOrphanCollector(cloud.neutron, silentLog, {
    graceSeconds: 600,
    now: () => now,
    deleteNetwork: (id) => (deleted.push(id), Promise.resolve()),
  });
  return { cloud, gc, ids: { live, gone, young, pool, docker, dockerTagged, net }, deleted };
}

const owners = { livePodUids: new Set([LIVE]), liveNamespaceUids: new Set<string>() };

test('dry run lists only kubernetes orphans and changes nothing', async () => {
  const { cloud, gc, ids } = setup();
  const n = cloud.http.fake.all('ports').length;
  const r = await gc.collect(owners, { dryRun: true });
  assert.deepEqual(
    r.orphans.map((o) => o.id).sort(),
    [ids.gone.id, ids.young.id, ids.net.id].sort(),
  );
  assert.equal(r.orphans.find((o) => o.id === ids.young.id)?.expired, false);
  assert.deepEqual(r.deleted, []);
  assert.equal(cloud.http.fake.all('ports').length, n);
});

test('a real run deletes expired orphans only, networks through the subnets driver', async () => {
  const { cloud, gc, ids, deleted } = setup();
  const r = await gc.collect(owners, { dryRun: false });
  assert.deepEqual(r.deleted.sort(), [ids.gone.id, ids.net.id].sort());
  assert.deepEqual(deleted, [ids.net.id]);
  const left = cloud.http.fake.all('ports').map((p) => p.id);
  for (const keep of [ids.live, ids.young, ids.pool, ids.docker, ids.dockerTagged]) {
    assert.ok(left.includes(keep.id));
  }
  assert.ok(!left.includes(ids.gone.id));
});

const POD_GONE = '44444444-4444-4444-8444-444444444444';
const POD_LIVE = '55555555-5555-4555-8555-555555555555';

/** A node VM port (10.1.0.50) with a trunk and a macvlan pair, plus pod ports hanging on it. */
function nestedSetup(driver: 'nested-vlan' | 'nested-macvlan') {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const cloud = fakeCloud();
  const f = cloud.http.fake;
  const old = '2029-12-31T00:00:00Z';
  const port = (o: Record<string, unknown>) => {
    const p = f.seed('ports', {
      network_id: cloud.network.id,
      device_owner: 'compute:kuryr',
      device_id: '',
      created_at: old,
      ...o,
    });
    p.tags = ['t'];
    return p;
  };
  const desc = (uid: string) => ({ description: `kuryr.pod.uid:${uid}` });
  const orphan = port(desc(POD_GONE));
  const young = port({ ...desc(POD_GONE), created_at: '2029-12-31T23:59:00Z' });
  const live = port(desc(POD_LIVE));
  const pool = port({ name: 'kuryr-pool-port' });
  const macOrphan = port({ device_id: POD_GONE });
  const mac = (p: typeof macOrphan) => ({
    ip_address: (p['fixed_ips'] as { ip_address: string }[])[0]?.ip_address,
    mac_address: p['mac_address'],
  });
  const foreignPair = { ip_address: '10.1.0.99', mac_address: 'fa:16:3e:00:00:99' };
  const vm = f.seed('ports', {
    network_id: cloud.network.id,
    fixed_ips: [{ subnet_id: cloud.subnet.id, ip_address: '10.1.0.50' }],
    allowed_address_pairs: [mac(macOrphan), foreignPair],
  });
  const subs = [orphan, young, live, pool].map((p, i) => ({
    port_id: p.id,
    segmentation_type: 'vlan',
    segmentation_id: i + 1,
  }));
  const trunk = f.seed('trunks', { port_id: vm.id, sub_ports: subs });
  const nested = new NestedOrphanReleaser(cloud.neutron, silentLog, {
    driver,
    workerSubnets: [cloud.subnet.id],
  });
  const gc = new KubernetesOrphanCollector(cloud.neutron, silentLog, {
    resourceTags: ['t'],
    graceSeconds: 600,
    now: () => now,
    nested,
  });
  const nestedOwners = {
    livePodUids: new Set([POD_LIVE]),
    liveNamespaceUids: new Set<string>(),
    nodeIps: new Set(['10.1.0.50']),
  };
  return {
    cloud,
    gc,
    trunk,
    vm,
    foreignPair,
    nestedOwners,
    ids: { orphan, young, live, pool, macOrphan },
  };
}

test('nested-vlan: an orphaned subport is detached and deleted; pool, live and young ones stay', async () => {
  const { cloud, gc, trunk, nestedOwners, ids } = nestedSetup('nested-vlan');
  const subsOf = async () =>
    (await cloud.neutron.trunks.get(trunk.id)).sub_ports.map((s) => s.port_id);
  const dry = await gc.collect(nestedOwners, { dryRun: true });
  assert.deepEqual(
    dry.orphans.map((o) => o.id).sort(),
    [ids.orphan.id, ids.young.id, ids.macOrphan.id].sort(),
  );
  assert.equal(dry.orphans.find((o) => o.id === ids.orphan.id)?.ownerUid, POD_GONE);
  assert.equal((await subsOf()).length, 4, 'dry run detaches nothing');
  assert.equal(cloud.http.fake.all('ports').length, 6, 'dry run deletes nothing');

  const r = await gc.collect(nestedOwners, { dryRun: false });
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.deleted.sort(), [ids.orphan.id, ids.macOrphan.id].sort());
  assert.deepEqual(
    (await subsOf()).sort(),
    [ids.young.id, ids.live.id, ids.pool.id].sort(),
    'only the expired orphan left the trunk',
  );
  const left = cloud.http.fake.all('ports').map((p) => p.id);
  assert.ok(!left.includes(ids.orphan.id));
  for (const keep of [ids.young, ids.live, ids.pool]) assert.ok(left.includes(keep.id));
  // idempotent: a second run finds the remaining in-grace orphan only and fails on nothing
  const again = await gc.collect(nestedOwners, { dryRun: false });
  assert.deepEqual(again.failed, []);
  assert.deepEqual(again.deleted, []);
});

test('nested-macvlan: the orphan pair leaves the VM port, other pairs stay', async () => {
  const { cloud, gc, vm, foreignPair, nestedOwners, ids } = nestedSetup('nested-macvlan');
  const r = await gc.collect(nestedOwners, { dryRun: false });
  assert.deepEqual(r.failed, []);
  assert.ok(r.deleted.includes(ids.macOrphan.id));
  assert.deepEqual((await cloud.neutron.ports.get(vm.id)).allowed_address_pairs, [foreignPair]);
  assert.ok(!cloud.http.fake.all('ports').some((p) => p.id === ids.macOrphan.id));
});
