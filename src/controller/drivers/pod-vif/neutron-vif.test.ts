import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError, NotReadyError, ValidationError } from '../../../common/errors/index.js';
import { fakeCloud, silentLog, vifRequest } from '../testing/fake-cloud.js';
import { NeutronPodVifDriver } from './neutron-vif.js';

test('requestVif: one port with kuryr owner, pod uid, node binding, SGs, tags', async () => {
  const cloud = fakeCloud();
  const d = new NeutronPodVifDriver(cloud.neutron, silentLog, {
    portDebug: true,
    resourceTags: ['kd-k8s'],
  });
  const vif = await d.requestVif(vifRequest(cloud));
  const port = await cloud.neutron.ports.get(vif.id);
  assert.equal(port.device_owner, 'compute:kuryr');
  assert.equal(port.device_id, '11111111-2222-3333-4444-555555555555');
  assert.equal(port['binding:host_id'], 'node-1');
  assert.equal(port.name, 'default/pod-a');
  assert.deepEqual(port.security_groups, ['sg-a']);
  assert.deepEqual(port.tags, ['kd-k8s']);
  assert.ok(vif.type === 'bridge' && vif.plugin === 'linux_bridge');
  assert.deepEqual(vif.network.subnets[0]?.ips, [port.fixed_ips[0]?.ip_address]);
});

test('requestVifs creates all ports in ONE bulk request', async () => {
  const cloud = fakeCloud();
  const d = new NeutronPodVifDriver(cloud.neutron, silentLog);
  const vifs = await d.requestVifs(vifRequest(cloud), 7);
  assert.equal(vifs.length, 7);
  const posts = cloud.http.fake.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 1);
  for (const p of cloud.http.fake.all('ports')) assert.equal(p['name'], 'kuryr-pool-port');
  await assert.rejects(d.requestVifs(vifRequest(cloud), -1), ValidationError);
});

test('an unbound port is deleted and reported NotReady', async () => {
  const cloud = fakeCloud();
  cloud.http.vifType = 'binding_failed';
  const d = new NeutronPodVifDriver(cloud.neutron, silentLog);
  await assert.rejects(d.requestVif(vifRequest(cloud)), NotReadyError);
  assert.equal(cloud.http.fake.all('ports').length, 0);
});

test('activateVif waits for ACTIVE; releaseVif is idempotent; updateVifSgs replaces SGs', async () => {
  const cloud = fakeCloud();
  const d = new NeutronPodVifDriver(cloud.neutron, silentLog);
  const vif = await d.requestVif(vifRequest(cloud));
  await assert.rejects(d.activateVif(vif), NotReadyError);
  const stored = cloud.http.fake.all('ports').find((p) => p.id === vif.id);
  if (stored) stored['status'] = 'ACTIVE';
  assert.equal((await d.activateVif(vif)).active, true);
  await d.updateVifSgs(vif, ['sg-z']);
  assert.deepEqual((await cloud.neutron.ports.get(vif.id)).security_groups, ['sg-z']);
  await d.releaseVif(vif);
  await d.releaseVif(vif);
  assert.equal(cloud.http.fake.all('ports').length, 0);
});

test('requestVifsFor: several pods, ONE bulk POST, each port with its own pod uid and name', async () => {
  const cloud = fakeCloud();
  const d = new NeutronPodVifDriver(cloud.neutron, silentLog, { portDebug: true });
  const reqs = ['u1', 'u2', 'u3'].map((uid) => {
    const r = vifRequest(cloud, { uid });
    return { ...r, pod: { ...r.pod, name: `pod-${uid}` } };
  });
  const vifs = await d.requestVifsFor(reqs);
  assert.equal(cloud.http.fake.requests.filter((r) => r.method === 'POST').length, 1);
  for (const [i, vif] of vifs.entries()) {
    const port = await cloud.neutron.ports.get(vif.id);
    assert.equal(port.device_id, reqs[i]?.pod.uid);
    assert.equal(port.name, `default/pod-${reqs[i]?.pod.uid}`);
  }
  await assert.rejects(d.requestVifsFor([{ ...reqs[0]!, subnets: [] }]), ValidationError);
});

test('concurrent ACTIVE checks share one port listing; a gone port is NotFound', async () => {
  const cloud = fakeCloud();
  const d = new NeutronPodVifDriver(cloud.neutron, silentLog, { statusWindowMs: 5 });
  const vifs = await d.requestVifs(vifRequest(cloud), 5);
  const stored = cloud.http.fake.all('ports').find((p) => p.id === vifs[0]?.id);
  if (stored) stored['status'] = 'ACTIVE';
  await cloud.neutron.ports.delete(vifs[4]?.id ?? '');
  const before = cloud.http.fake.requests.length;
  const results = await Promise.allSettled(vifs.map((v) => d.activateVif(v)));
  assert.equal(cloud.http.fake.requests.length - before, 1);
  assert.equal(results[0]?.status === 'fulfilled' && results[0].value.active, true);
  for (const r of results.slice(1, 4)) {
    assert.ok(r.status === 'rejected' && r.reason instanceof NotReadyError);
  }
  assert.ok(results[4]?.status === 'rejected' && isNotFoundError(results[4].reason));
});
