import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NeutronPodVifDriver } from '../pod-vif/neutron-vif.js';
import { fakeCloud, silentLog, vifRequest, type FakeCloud } from '../testing/fake-cloud.js';
import { NeutronVifPool, type PortPoolOptions } from './neutron-pool.js';

function pool(cloud: FakeCloud, o: PortPoolOptions = {}): NeutronVifPool {
  const driver = new NeutronPodVifDriver(cloud.neutron, silentLog);
  return new NeutronVifPool(driver, cloud.neutron, silentLog, { min: 2, batch: 5, ...o });
}

test('concurrent requests never get the same port', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud, { batch: 3 });
  const vifs = await Promise.all(
    Array.from({ length: 40 }, (_, i) => p.requestVif(vifRequest(cloud, { uid: `u-${i}` }))),
  );
  assert.equal(new Set(vifs.map((v) => v.id)).size, 40);
  // every refill is one bulk POST of `batch` ports
  const posts = cloud.http.fake.requests.filter((r) => r.method === 'POST');
  assert.ok(posts.every((r) => (r.body as { ports: unknown[] }).ports.length === 3));
  assert.equal(posts.length, Math.ceil(40 / 3));
});

test('a populated pool hands out without any Neutron call', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud);
  const req = vifRequest(cloud);
  assert.equal(await p.populate(req, 12), 12);
  assert.equal(cloud.http.fake.requests.filter((r) => r.method === 'POST').length, 3); // 5+5+2
  const n = cloud.http.fake.requests.length;
  for (let i = 0; i < 12; i++) await p.requestVif(req);
  assert.equal(cloud.http.fake.requests.length, n);
});

test('populate without a count tops up to ports_pool_min', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud, { min: 4 });
  assert.equal(await p.populate(vifRequest(cloud)), 4);
  assert.equal(await p.populate(vifRequest(cloud)), 0);
});

test('a port from a pool with other SGs gets its SGs updated (one PUT)', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud);
  await p.populate(vifRequest(cloud, { sgs: ['sg-a'] }), 1);
  const n = cloud.http.fake.requests.length;
  const vif = await p.requestVif(vifRequest(cloud, { sgs: ['sg-b', 'sg-c'] }));
  const calls = cloud.http.fake.requests.slice(n);
  assert.deepEqual(
    calls.map((r) => r.method),
    ['PUT'],
  );
  assert.deepEqual((await cloud.neutron.ports.get(vif.id)).security_groups, ['sg-b', 'sg-c']);
});

test('release returns the port; above ports_pool_max it is deleted', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud, { max: 1, batch: 1, min: 0 });
  const req = vifRequest(cloud);
  const a = await p.requestVif(req);
  const b = await p.requestVif(req);
  await p.releaseVif(a, req);
  await p.releaseVif(a, req); // second release: no-op, not a duplicate
  await p.releaseVif(b, req);
  assert.equal(p.pools()[0]?.free, 1);
  const ids = cloud.http.fake.all('ports').map((x) => x.id);
  assert.ok(ids.includes(a.id) && !ids.includes(b.id));
  assert.equal((await p.requestVif(req)).id, a.id);
});

test('recovery after a restart: unreferenced pool ports come back, referenced ones do not', async () => {
  const cloud = fakeCloud();
  const first = pool(cloud);
  const req = vifRequest(cloud);
  await first.populate(req, 6);
  const taken = [await first.requestVif(req), await first.requestVif(req)];
  // "restart": a new pool instance, the taken ports are referenced by KuryrPorts.
  const second = pool(cloud);
  const recovered = await second.sync(new Set(taken.map((v) => v.id)));
  assert.equal(recovered, 4);
  assert.equal(await second.sync(new Set(taken.map((v) => v.id))), 0);
  const handed = await Promise.all(Array.from({ length: 4 }, () => second.requestVif(req)));
  const ids = new Set([...handed, ...taken].map((v) => v.id));
  assert.equal(ids.size, 6, 'no port handed out twice across the restart');
  const n = cloud.http.fake.requests.length;
  await second.requestVif(req);
  assert.equal(cloud.http.fake.requests.length, n + 1, 'empty pool refills with one bulk POST');
});

test('deleteNetworkPools and removeSgFromPools delete the free ports', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud);
  await p.populate(vifRequest(cloud, { sgs: ['sg-x'] }), 2);
  await p.populate(vifRequest(cloud, { sgs: ['sg-y'] }), 2);
  await p.removeSgFromPools('sg-x');
  assert.equal(cloud.http.fake.all('ports').length, 2);
  await p.deleteNetworkPools(cloud.network.id);
  assert.equal(cloud.http.fake.all('ports').length, 0);
  assert.deepEqual(p.pools(), []);
});

test('maintain() tops the pools that served requests up to ports_pool_min', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud, { min: 3, batch: 1 });
  const req = vifRequest(cloud);
  await p.requestVif(req); // refill of 3 (max(batch, min)), one handed out
  assert.equal(p.pools()[0]?.free, 2);
  assert.equal(await p.maintain(), 1);
  assert.equal(p.pools()[0]?.free, 3);
  assert.equal(await p.maintain(), 0);
});

test('requests that find their pool empty share one bulk refill, each getting its own port', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud, { batch: 10, min: 0 });
  const vifs = await Promise.all(
    Array.from({ length: 6 }, (_, i) => p.requestVif(vifRequest(cloud, { uid: `u-${i}` }))),
  );
  assert.equal(new Set(vifs.map((v) => v.id)).size, 6);
  const posts = cloud.http.fake.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 1);
  assert.equal((posts[0]?.body as { ports: unknown[] }).ports.length, 10);
  assert.equal(p.pools()[0]?.free, 4);
});

test('freePools deletes the free ports of the selected pools only and forgets them', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud, { batch: 2 });
  await p.populate(vifRequest(cloud, { node: 'node-1' }), 3);
  await p.populate(vifRequest(cloud, { node: 'node-2' }), 2);
  const key1 = p.pools().find((x) => x.node === 'node-1')?.key as string;
  const ids1 = p.poolPortIds(key1);
  assert.equal(ids1.length, 3);
  assert.deepEqual(p.poolPortIds('["nope"]'), []);
  assert.equal(await p.freePools((x) => x.node === 'node-1'), 3);
  const left = cloud.http.fake.all('ports').map((x) => x.id);
  assert.equal(left.length, 2);
  assert.ok(ids1.every((id) => !left.includes(id)));
  assert.deepEqual(
    p.pools().map((x) => x.node),
    ['node-2'],
  );
  // a freed pool is forgotten: maintain() does not top it up again
  assert.equal(await p.maintain(), 0);
});

test('freePools: a port whose delete fails stays in its pool and the error is thrown', async () => {
  const cloud = fakeCloud();
  const p = pool(cloud);
  await p.populate(vifRequest(cloud), 3);
  const [key] = p.pools().map((x) => x.key);
  const victim = p.poolPortIds(key as string)[1] as string;
  cloud.http.fake.failWith = (r) =>
    r.method === 'DELETE' && r.path.endsWith(victim) ? new Error('neutron down') : undefined;
  await assert.rejects(
    p.freePools(() => true),
    /neutron down/,
  );
  assert.deepEqual(p.poolPortIds(key as string), [victim]);
  cloud.http.fake.failWith = undefined;
  assert.equal(await p.freePools(() => true), 1);
  assert.deepEqual(p.pools(), []);
  assert.equal(cloud.http.fake.all('ports').length, 0);
});
