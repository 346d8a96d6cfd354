import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotReadyError } from '../../common/errors/index.js';
import { EventRecorder } from '../../k8s/events.js';
import { KINDS } from '../../k8s/kinds.js';
import { FakeKube } from '../../k8s/testing/fake-kube.js';
import { vifFromPrimitive } from '../../models/vif-primitive.js';
import { NeutronPodVifDriver } from '../drivers/pod-vif/neutron-vif.js';
import { DefaultProjectDriver } from '../drivers/project/default.js';
import { DefaultSecurityGroupsDriver } from '../drivers/security-groups/default.js';
import { DefaultSubnetsDriver } from '../drivers/subnets/default.js';
import { fakeCloud, silentLog } from '../drivers/testing/fake-cloud.js';
import { NeutronVifPool } from '../drivers/vif-pool/neutron-pool.js';
import type { HandlerContext } from '../pipeline/types.js';
import { KuryrPortHandler } from './kuryrport.js';
import { VifHandler } from './vif.js';

function setup() {
  const cloud = fakeCloud();
  const kube = new FakeKube();
  const podVif = new NeutronPodVifDriver(cloud.neutron, silentLog);
  const pool = new NeutronVifPool(podVif, cloud.neutron, silentLog, { batch: 1, min: 0 });
  const kp = new KuryrPortHandler({
    podVif,
    pool,
    project: new DefaultProjectDriver('kd-project'),
    subnets: new DefaultSubnetsDriver(cloud.neutron, cloud.subnet.id),
    securityGroups: new DefaultSecurityGroupsDriver(['sg-1']),
  });
  const ctx: HandlerContext = {
    api: kube,
    events: new EventRecorder(kube, { log: silentLog, enabled: false }),
    log: silentLog,
    signal: new AbortController().signal,
  };
  const pod = kube.seed(KINDS.pod, {
    metadata: { name: 'web', namespace: 'default', uid: 'pod-uid-1' },
    spec: { nodeName: 'node-1' },
    status: { hostIP: '10.0.0.5' },
  });
  return { cloud, kube, pool, kp, vif: new VifHandler(), ctx, pod };
}

test('pod → KuryrPort → VIF in status (os-vif primitive) → active', async () => {
  const { cloud, kube, kp, vif, ctx, pod } = setup();
  await vif.onPresent(pod, ctx);
  await vif.onPresent(pod, ctx); // idempotent
  let port = await kube.get(KINDS.kuryrPort, 'web', 'default');
  assert.equal(port.spec.podUid, 'pod-uid-1');
  assert.equal(port.metadata?.labels?.['kuryr.openstack.org/nodeName'], 'node-1');
  assert.equal(port.metadata?.ownerReferences?.[0]?.uid, 'pod-uid-1');
  assert.deepEqual(port.metadata?.finalizers, ['kuryr.openstack.org/kuryrport-finalizer']);

  const r = await kp.onPresent(port, ctx);
  assert.deepEqual(r, { requeueAfterMs: 1000 });
  port = await kube.get(KINDS.kuryrPort, 'web', 'default');
  const entry = port.status?.vifs['eth0'];
  assert.equal(entry?.default, true);
  assert.equal(entry?.vif['versioned_object.name'], 'VIFBridge');
  const v = vifFromPrimitive(entry?.vif);
  assert.equal(v.active, false);
  const neutronPort = cloud.http.fake.all('ports').find((p) => p.id === v.id);
  assert.ok(neutronPort);
  neutronPort['status'] = 'ACTIVE';
  assert.equal(await kp.onPresent(port, ctx), undefined);
  port = await kube.get(KINDS.kuryrPort, 'web', 'default');
  assert.equal(vifFromPrimitive(port.status?.vifs['eth0']?.vif).active, true);
  assert.equal(cloud.http.fake.all('ports').length, 1, 'one port, not re-created');
});

test('hostNetwork and unscheduled pods get no KuryrPort', async () => {
  const { kube, vif, ctx } = setup();
  const host = kube.seed(KINDS.pod, {
    metadata: { name: 'h', namespace: 'default', uid: 'u-h' },
    spec: { nodeName: 'node-1', hostNetwork: true },
  });
  const pending = kube.seed(KINDS.pod, {
    metadata: { name: 'p', namespace: 'default', uid: 'u-p' },
    spec: {},
  });
  await vif.onPresent(host, ctx);
  await vif.onPresent(pending, ctx);
  assert.equal((await kube.list(KINDS.kuryrPort)).items.length, 0);
});

test('deletion: pod finalize deletes the KuryrPort and waits; kuryrport finalize returns the port', async () => {
  const { cloud, kube, kp, vif, ctx, pod, pool } = setup();
  await vif.onPresent(pod, ctx);
  await kp.onPresent(await kube.get(KINDS.kuryrPort, 'web', 'default'), ctx);
  const port = await kube.get(KINDS.kuryrPort, 'web', 'default');
  await assert.rejects(vif.onFinalize(pod, ctx), NotReadyError);
  await kp.onFinalize(port, ctx);
  assert.equal(pool.pools()[0]?.free, 1, 'the port went back to the pool');
  assert.equal(cloud.http.fake.all('ports').length, 1);
  await kp.onFinalize(port, ctx); // twice: still one pooled port
  assert.equal(pool.pools()[0]?.free, 1);
});

test('recoverPools: ports referenced by KuryrPorts stay out of the pool after a restart', async () => {
  const { cloud, kube, kp, vif, ctx, pod } = setup();
  const { NeutronVifPool: Pool } = await import('../drivers/vif-pool/neutron-pool.js');
  const { recoverPools } = await import('./pool-recovery.js');
  await vif.onPresent(pod, ctx);
  await kp.onPresent(await kube.get(KINDS.kuryrPort, 'web', 'default'), ctx);
  const restarted = new Pool(
    new NeutronPodVifDriver(cloud.neutron, silentLog),
    cloud.neutron,
    silentLog,
    { batch: 1, min: 0 },
  );
  assert.equal(await recoverPools(kube, restarted), 0, 'the only pool port is in use');
  const used = vifFromPrimitive(
    (await kube.get(KINDS.kuryrPort, 'web', 'default')).status?.vifs['eth0']?.vif,
  );
  await kp.onFinalize(await kube.get(KINDS.kuryrPort, 'web', 'default'), ctx);
  await kube.delete(KINDS.kuryrPort, 'web', 'default');
  const again = new Pool(
    new NeutronPodVifDriver(cloud.neutron, silentLog),
    cloud.neutron,
    silentLog,
  );
  assert.equal(await recoverPools(kube, again), 1);
  assert.equal(again.pools()[0]?.free, 1);
  assert.ok(cloud.http.fake.all('ports').some((p) => p.id === used.id));
});
