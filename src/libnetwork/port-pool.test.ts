import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { pino } from 'pino';
import { FakeNeutron } from '../openstack/testing/fake-neutron.js';
import { RestLibnetworkNeutron } from './neutron-rest.js';
import type { Subnet } from './neutron-port.js';
import { restBulkCreatePorts } from './port-pool-bulk.js';
import { collectLibnetworkGarbage } from './port-pool-gc.js';
import { POOL_PORT_NAME, PortPool, TAG_PORT_POOL, poolDescription } from './port-pool.js';

const log = pino({ level: 'silent' });

function setup(opts: { min: number; batch: number; max: number }) {
  const fake = new FakeNeutron();
  const net = fake.seed('networks', { name: 'kp-net' });
  const subnet = fake.seed('subnets', {
    name: 'kp-sub',
    network_id: net.id,
    cidr: '10.77.0.0/24',
    ip_version: 4,
  }) as unknown as Subnet;
  const neutron = new RestLibnetworkNeutron(fake);
  const make = () =>
    new PortPool(neutron, { ...opts, host: 'kp-host' }, log, restBulkCreatePorts(fake));
  return { fake, subnet, neutron, make };
}

const bulkPosts = (fake: FakeNeutron) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path === '/v2.0/ports').length;

test('fill creates one batch in one bulk POST, bound, owned and tagged', async () => {
  const { fake, subnet, make } = setup({ min: 3, batch: 4, max: 0 });
  const pool = make();
  await pool.fill(subnet);
  assert.equal(pool.size(subnet.id), 4);
  assert.equal(bulkPosts(fake), 1);
  const ports = fake.all('ports');
  assert.equal(ports.length, 4);
  for (const p of ports) {
    assert.equal(p.name, POOL_PORT_NAME);
    assert.equal(p.device_owner, 'compute:kuryr');
    assert.equal(p.description, poolDescription('kp-host'));
    assert.deepEqual(p.tags, [TAG_PORT_POOL]);
  }
});

test('max caps a batch and trim deletes free ports above max', async () => {
  const { fake, subnet, make } = setup({ min: 5, batch: 10, max: 5 });
  const pool = make();
  await pool.fill(subnet);
  assert.equal(pool.size(subnet.id), 5);
  assert.equal(fake.all('ports').length, 5);
  await pool.trim(2);
  assert.equal(pool.size(subnet.id), 2);
  assert.equal(fake.all('ports').length, 2);
  await pool.close();
  assert.equal(fake.all('ports').length, 0);
});

test('take below min refills in the background without blocking', async () => {
  const { fake, subnet, make } = setup({ min: 2, batch: 2, max: 0 });
  const pool = make();
  await pool.fill(subnet);
  const before = fake.requests.length;
  const port = pool.take(subnet);
  assert.ok(port);
  assert.equal(fake.requests.length, before, 'take itself makes no request');
  await pool.fill(subnet); // waits for the background refill (same per-pool lock)
  assert.ok(pool.size(subnet.id) >= 2);
});

test('20 concurrent takes never hand out a port twice', async () => {
  const { subnet, make } = setup({ min: 10, batch: 10, max: 0 });
  const pool = make();
  await pool.fill(subnet);
  const got = await Promise.all(
    Array.from({ length: 20 }, () => Promise.resolve().then(() => pool.take(subnet))),
  );
  const ids = got.filter((p) => p !== undefined).map((p) => p.id);
  assert.equal(ids.length, 10);
  assert.equal(new Set(ids).size, ids.length);
  await pool.fill(subnet);
  assert.ok(!pool.portIds().some((id) => ids.includes(id)));
});

test('a new pool recovers free ports of this host from Neutron', async () => {
  const { fake, subnet, make } = setup({ min: 3, batch: 3, max: 0 });
  await make().fill(subnet);
  fake.seed('ports', {
    name: POOL_PORT_NAME,
    network_id: subnet.network_id,
    description: poolDescription('other-host'),
    fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.77.0.99' }],
    tags: [TAG_PORT_POOL],
  });
  const second = make();
  assert.equal(await second.recover(), 3);
  assert.equal(second.size(subnet.id), 3);
  const before = bulkPosts(fake);
  assert.ok(second.take(subnet));
  assert.equal(bulkPosts(fake), before);
});

test('gc lists free pooled and old untagged ports of this host only; --apply deletes them', async () => {
  const { fake, subnet, neutron, make } = setup({ min: 2, batch: 2, max: 0 });
  await make().fill(subnet);
  const base = { network_id: subnet.network_id, device_owner: 'compute:kuryr' };
  const old = fake.seed('ports', {
    ...base,
    name: 'kuryr-unbound-port',
    'binding:host_id': 'kp-host',
    created_at: '2020-01-01T00:00:00Z',
  });
  fake.seed('ports', {
    ...base,
    name: 'kuryr-unbound-port',
    'binding:host_id': 'kp-host',
    created_at: new Date().toISOString(),
  });
  fake.seed('ports', {
    ...base,
    name: 'x',
    'binding:host_id': 'kp-host',
    tags: ['kuryr.net.uuid.lh:ab'],
  });
  fake.seed('ports', {
    ...base,
    name: POOL_PORT_NAME,
    'binding:host_id': 'other',
    tags: [TAG_PORT_POOL],
  });
  const dry = await collectLibnetworkGarbage(neutron, { host: 'kp-host', apply: false });
  assert.equal(dry.items.length, 3);
  assert.equal(dry.deleted, 0);
  assert.ok(dry.items.some((i) => i.id === old.id && i.reason === 'untagged'));
  assert.equal(fake.all('ports').length, 6);
  const applied = await collectLibnetworkGarbage(neutron, { host: 'kp-host', apply: true });
  assert.equal(applied.deleted, 3);
  assert.equal(fake.all('ports').length, 3);
});
