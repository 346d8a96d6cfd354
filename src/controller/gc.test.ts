import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeCloud, silentLog } from './drivers/testing/fake-cloud.js';
import { KubernetesOrphanCollector } from './gc.js';

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
