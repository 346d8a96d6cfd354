import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NeutronPodVifDriver } from '../pod-vif/neutron-vif.js';
import { fakeCloud, silentLog, vifRequest } from '../testing/fake-cloud.js';
import { NoopVifPool } from './noop.js';

test('noop: concurrent same-key pods share ONE bulk POST, each gets its own pod port', async () => {
  const cloud = fakeCloud();
  const pool = new NoopVifPool(new NeutronPodVifDriver(cloud.neutron, silentLog), {
    log: silentLog,
    maxBatch: 10,
  });
  const uids = Array.from({ length: 7 }, (_, i) => `uid-${i}`);
  const vifs = await Promise.all(uids.map((uid) => pool.requestVif(vifRequest(cloud, { uid }))));
  assert.equal(new Set(vifs.map((v) => v.id)).size, 7);
  const posts = cloud.http.fake.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 1);
  // each port carries its own pod's device_id (not a pool port)
  const ports = cloud.http.fake.all('ports');
  assert.deepEqual(ports.map((p) => p['device_id']).sort(), uids);
  for (const [i, v] of vifs.entries()) {
    assert.equal(ports.find((p) => p.id === v.id)?.['device_id'], uids[i]);
  }
});

test('noop: pods of other security groups or nodes are not batched together', async () => {
  const cloud = fakeCloud();
  const pool = new NoopVifPool(new NeutronPodVifDriver(cloud.neutron, silentLog), {
    log: silentLog,
  });
  await Promise.all([
    pool.requestVif(vifRequest(cloud, { uid: 'a', sgs: ['sg-1'] })),
    pool.requestVif(vifRequest(cloud, { uid: 'b', sgs: ['sg-2'] })),
    pool.requestVif(vifRequest(cloud, { uid: 'c', node: 'node-2' })),
    pool.requestVif(vifRequest(cloud, { uid: 'd', sgs: ['sg-1'] })),
  ]);
  assert.equal(cloud.http.fake.requests.filter((r) => r.method === 'POST').length, 3);
});

test('noop: an aborted pod does not leak its batched port', async () => {
  const cloud = fakeCloud();
  let sent!: () => void;
  const inFlight = new Promise<void>((r) => (sent = r));
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  /** A driver whose bulk POST is held until the test opens the gate. */
  class SlowDriver extends NeutronPodVifDriver {
    override async requestVifsFor(...a: Parameters<NeutronPodVifDriver['requestVifsFor']>) {
      sent();
      await gate;
      return super.requestVifsFor(...a);
    }
  }
  const pool = new NoopVifPool(new SlowDriver(cloud.neutron, silentLog), {
    log: silentLog,
    windowMs: 1,
  });
  const ac = new AbortController();
  const gone = pool.requestVif(vifRequest(cloud, { uid: 'gone' }), { signal: ac.signal });
  const kept = pool.requestVif(vifRequest(cloud, { uid: 'kept' }));
  await inFlight; // the batch with both pods is on its way
  ac.abort();
  await assert.rejects(gone);
  open();
  const vif = await kept;
  for (let i = 0; i < 20 && cloud.http.fake.all('ports').length > 1; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.deepEqual(
    cloud.http.fake.all('ports').map((p) => p.id),
    [vif.id],
  );
});

test('noop keeps no pools: no port ids, freePools refuses clearly', async () => {
  const cloud = fakeCloud();
  const pool = new NoopVifPool(new NeutronPodVifDriver(cloud.neutron, silentLog));
  assert.equal(pool.keepsPools, false);
  assert.deepEqual(pool.poolPortIds(), []);
  await assert.rejects(pool.freePools(), /noop keeps no pools/);
});
