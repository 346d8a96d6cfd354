import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotReadyError } from '../../common/errors/index.js';
import type { KuryrNetwork } from '../../k8s/crds/types.js';
import { EventRecorder } from '../../k8s/events.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { NeutronPodVifDriver } from '../drivers/pod-vif/neutron-vif.js';
import type { PodSubnet } from '../drivers/pod-vif/types.js';
import { DefaultProjectDriver } from '../drivers/project/default.js';
import { fakeCloud, silentLog, type FakeCloud } from '../drivers/testing/fake-cloud.js';
import { NeutronVifPool } from '../drivers/vif-pool/neutron-pool.js';
import type { HandlerContext } from '../pipeline/types.js';
import { KuryrNetworkPopulationHandler } from './kuryrnetwork-population.js';

function setup(o: { subnets?: () => PodSubnet[] } = {}) {
  const cloud: FakeCloud = fakeCloud();
  const kube = new FakeKube();
  const driver = new NeutronPodVifDriver(cloud.neutron, silentLog);
  const pool = new NeutronVifPool(driver, cloud.neutron, silentLog, { min: 3, batch: 2 });
  const handler = new KuryrNetworkPopulationHandler({
    pool,
    project: new DefaultProjectDriver('kd-project'),
    subnets: {
      alias: 'test',
      getSubnets: () => Promise.resolve(o.subnets?.() ?? [cloud.podSubnet]),
    },
    securityGroups: { alias: 'test', getSecurityGroups: () => Promise.resolve(['sg-a']) },
  });
  const ctx: HandlerContext = {
    api: kube,
    events: new EventRecorder(kube, { log: silentLog, enabled: false }),
    log: silentLog,
    signal: new AbortController().signal,
  };
  for (const name of ['node-1', 'node-2']) kube.seed(KINDS.node, { metadata: { name } });
  const kn = (status: KuryrNetwork['status']) =>
    kube.seed(KINDS.kuryrNetwork, {
      metadata: { name: 'team', namespace: 'team' },
      spec: { nsName: 'team', projectId: 'kd-project', nsLabels: {} },
      ...(status ? { status } : {}),
    });
  const posts = () => cloud.http.fake.requests.filter((r) => r.method === 'POST').length;
  return { cloud, kube, pool, handler, ctx, kn, posts };
}

test('populates ports_pool_min ports per node in batches, then marks the network populated', async () => {
  const { kube, pool, handler, ctx, kn, posts, cloud } = setup();
  await handler.onPresent(kn({ subnetId: cloud.subnet.id, populated: false }), ctx);
  const pools = pool.pools();
  assert.deepEqual(pools.map((p) => [p.node, p.free, p.securityGroups]).sort(), [
    ['node-1', 3, ['sg-a']],
    ['node-2', 3, ['sg-a']],
  ]);
  assert.equal(posts(), 4); // per node: 2 + 1
  const ports = cloud.http.fake.all('ports');
  assert.deepEqual([...new Set(ports.map((p) => p['binding:host_id']))].sort(), [
    'node-1',
    'node-2',
  ]);
  assert.equal((await kube.get(KINDS.kuryrNetwork, 'team', 'team')).status?.populated, true);
});

test('runs once: a populated network or one without a subnet yet creates nothing', async () => {
  const { handler, ctx, kn, posts, cloud } = setup();
  await handler.onPresent(kn(undefined), ctx);
  await handler.onPresent(kn({ netId: 'n' }), ctx);
  await handler.onPresent(kn({ subnetId: cloud.subnet.id, populated: true }), ctx);
  assert.equal(posts(), 0);
});

test('a rerun after a crash before the mark tops up only (no double population)', async () => {
  const { kube, handler, ctx, kn, posts, cloud } = setup();
  const crd = kn({ subnetId: cloud.subnet.id, populated: false });
  kube.failNext('patchJson', new NotReadyError('apiserver went away'));
  await assert.rejects(handler.onPresent(crd, ctx), NotReadyError);
  const first = posts();
  await handler.onPresent(crd, ctx);
  assert.equal(posts(), first);
  assert.equal(cloud.http.fake.all('ports').length, 6);
  assert.equal((await kube.get(KINDS.kuryrNetwork, 'team', 'team')).status?.populated, true);
});

test('a subnet the pod drivers do not see yet is NotReady (requeue), nothing created', async () => {
  const { handler, ctx, kn, posts } = setup();
  await assert.rejects(
    handler.onPresent(kn({ subnetId: 'other-subnet', populated: false }), ctx),
    NotReadyError,
  );
  assert.equal(posts(), 0);
});

test('a node that cannot be populated is skipped; all nodes failing is retried', async () => {
  const { kube, handler, ctx, kn, cloud, pool } = setup();
  kube.seed(KINDS.node, { metadata: { name: 'node-3' } });
  const real = pool.populate.bind(pool);
  pool.populate = (req, count, opts) =>
    req.pod.nodeName === 'node-3'
      ? Promise.reject(new NotReadyError('binding failed'))
      : real(req, count, opts);
  await handler.onPresent(kn({ subnetId: cloud.subnet.id, populated: false }), ctx);
  assert.equal((await kube.get(KINDS.kuryrNetwork, 'team', 'team')).status?.populated, true);
  assert.equal(cloud.http.fake.all('ports').length, 6);
  pool.populate = () => Promise.reject(new NotReadyError('neutron down'));
  await assert.rejects(
    handler.onPresent(kn({ subnetId: cloud.subnet.id, populated: false }), ctx),
    NotReadyError,
  );
});
