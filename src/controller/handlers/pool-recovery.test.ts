import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { fakeCloud, silentLog } from '../drivers/testing/fake-cloud.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import { deleteLeakedPodPorts, recoverPools, tagUntaggedPoolPorts } from './pool-recovery.js';

const UID_LIVE = '11111111-1111-4111-8111-111111111111';
const UID_GONE = '22222222-2222-4222-8222-222222222222';

test('a crash between port create and KuryrPort write: the live pod port nobody holds is deleted', async () => {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  kube.seed(KINDS.pod, { metadata: { name: 'web', namespace: 'ns', uid: UID_LIVE } });
  const port = ({ tags = ['t'], ...fields }: Record<string, unknown>) => {
    const p = cloud.http.fake.seed('ports', {
      network_id: cloud.network.id,
      device_owner: 'compute:kuryr',
      ...fields,
    });
    p.tags = tags as string[]; // like Neutron, the fake ignores tags in create bodies
    return p;
  };
  const held = port({ device_id: UID_LIVE, name: '' });
  const leaked = port({ device_id: UID_LIVE, name: '' });
  const ofGonePod = port({ device_id: UID_GONE, name: '' });
  const pooled = port({ device_id: '', name: 'kuryr-pool-port' });
  const untagged = port({ device_id: UID_LIVE, name: '', tags: [] });
  const adopted = port({ device_id: UID_LIVE, name: '', tags: ['t', 'kuryr.port.existing'] });

  const deleted = await deleteLeakedPodPorts(kube, new Set([held.id]), {
    neutron: cloud.neutron,
    resourceTags: ['t'],
    log: silentLog,
  });
  assert.deepEqual(
    deleted.sort(),
    [leaked.id, untagged.id].sort(),
    'tagging may have been cut off',
  );
  const left = cloud.http.fake.all('ports').map((p) => p.id);
  for (const keep of [held, ofGonePod, pooled, adopted]) {
    assert.ok(left.includes(keep.id), `${keep.id} kept`);
  }
  assert.ok(!left.includes(leaked.id));
});

test('recoverPools: sweep first, then the pool sync sees the same referenced set', async () => {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  kube.seed(KINDS.pod, { metadata: { name: 'web', namespace: 'ns', uid: UID_LIVE } });
  const leaked = cloud.http.fake.seed('ports', {
    network_id: cloud.network.id,
    device_owner: 'compute:kuryr',
    device_id: UID_LIVE,
    name: '',
  });
  const seen: ReadonlySet<string>[] = [];
  const pool = { sync: (ids: ReadonlySet<string>) => (seen.push(ids), Promise.resolve(3)) };
  const n = await recoverPools(kube, pool as unknown as VifPoolDriver, undefined, {
    neutron: cloud.neutron,
    log: silentLog,
  });
  assert.equal(n, 3);
  assert.equal(seen.length, 1);
  assert.ok(!cloud.http.fake.all('ports').some((p) => p.id === leaked.id));
  // without a sweep nothing is deleted (library callers that only want the pools back)
  const kept = cloud.http.fake.seed('ports', {
    network_id: cloud.network.id,
    device_owner: 'compute:kuryr',
    device_id: UID_LIVE,
    name: '',
  });
  await recoverPools(kube, pool as unknown as VifPoolDriver);
  assert.ok(cloud.http.fake.all('ports').some((p) => p.id === kept.id));
});

test('untagged free pool ports on the cluster networks get the resource tags (crash before tagging)', async () => {
  const cloud = fakeCloud();
  const pool = (fields: Record<string, unknown>, tags: string[] = []) => {
    const p = cloud.http.fake.seed('ports', {
      network_id: cloud.network.id,
      device_owner: 'compute:kuryr',
      name: 'kuryr-pool-port',
      device_id: '',
      ...fields,
    });
    p.tags = tags;
    return p;
  };
  const untagged = pool({});
  const tagged = pool({}, ['t']);
  const foreign = pool({}, ['other-deployment']);
  const inUse = pool({ device_id: UID_LIVE });
  const sweep = { neutron: cloud.neutron, resourceTags: ['t'], log: silentLog };
  assert.deepEqual(await tagUntaggedPoolPorts(new Set([cloud.network.id]), sweep), [untagged.id]);
  const tagsOf = (id: string) => cloud.http.fake.all('ports').find((p) => p.id === id)?.tags;
  assert.deepEqual(tagsOf(untagged.id), ['t']);
  assert.deepEqual(tagsOf(tagged.id), ['t']);
  assert.deepEqual(tagsOf(foreign.id), ['other-deployment']);
  assert.deepEqual(tagsOf(inUse.id), []);
  assert.deepEqual(await tagUntaggedPoolPorts(new Set(['elsewhere']), sweep), []);
  assert.deepEqual(
    await tagUntaggedPoolPorts(new Set([cloud.network.id]), { ...sweep, resourceTags: [] }),
    [],
  );
});

test('--watch-namespace: the sweep leaves pods of other namespaces to their own controllers', async () => {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  kube.seed(KINDS.pod, { metadata: { name: 'mine', namespace: 'a', uid: UID_LIVE } });
  kube.seed(KINDS.pod, { metadata: { name: 'theirs', namespace: 'b', uid: UID_GONE } });
  const port = (device_id: string) =>
    cloud.http.fake.seed('ports', {
      network_id: cloud.network.id,
      device_owner: 'compute:kuryr',
      device_id,
      name: '',
    });
  const mine = port(UID_LIVE);
  const theirs = port(UID_GONE); // another controller is about to write it into its KuryrPort
  const deleted = await deleteLeakedPodPorts(kube, new Set(), {
    neutron: cloud.neutron,
    log: silentLog,
    namespace: 'a',
  });
  assert.deepEqual(deleted, [mine.id]);
  assert.ok(cloud.http.fake.all('ports').some((p) => p.id === theirs.id));
});
