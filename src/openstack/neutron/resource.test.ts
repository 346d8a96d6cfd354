import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, isNotFoundError } from '../../common/errors/index.js';
import { ServiceUnavailable } from '../http/errors.js';
import { FakeNeutron } from '../testing/fake-neutron.js';
import { NeutronClient } from './index.js';

function setup() {
  const fake = new FakeNeutron();
  return { fake, neutron: new NeutronClient(fake) };
}

test('list pages with limit + marker from the next link until no next link', async () => {
  const { fake, neutron } = setup();
  for (let i = 0; i < 7; i++) fake.seed('networks', { name: `ka-net-${i}` });
  fake.requests.length = 0;
  const names = [];
  for await (const n of neutron.networks.list({}, { pageSize: 3 })) names.push(n.name);
  assert.equal(names.length, 7);
  assert.equal(new Set(names).size, 7);
  assert.equal(fake.requests.length, 3); // 3 + 3 + 1
  assert.equal(fake.requests[0]?.query?.['limit'], 3);
  assert.equal(fake.requests[0]?.query?.['marker'], undefined);
  assert.equal(typeof fake.requests[1]?.query?.['marker'], 'string');
  // The path stays relative: the link host is never trusted (see paginate.ts).
  assert.equal(fake.requests[2]?.path, '/v2.0/networks');
});

test('list passes encoded filters on every page and stops early when the consumer breaks', async () => {
  const { fake, neutron } = setup();
  for (let i = 0; i < 5; i++) fake.seed('networks', { name: `n${i}` });
  const first = fake.all('networks')[0];
  assert.ok(first);
  first.tags = ['a', 'b'];
  const tagged = await neutron.networks.listAll({ tags: ['a', 'b'] }, { pageSize: 1 });
  assert.deepEqual(
    tagged.map((n) => n.id),
    [first.id],
  );
  fake.requests.length = 0;
  for await (const _ of neutron.networks.list({ 'not-tags': ['a'] }, { pageSize: 2 })) break;
  assert.equal(fake.requests.length, 1);
  assert.equal(fake.requests[0]?.query?.['not-tags'], 'a');
});

test('a next link whose marker repeats is an error, not an endless loop', async () => {
  const stuck = {
    serviceType: 'network',
    endpoint: () => Promise.resolve('http://x'),
    request: <T>() =>
      Promise.resolve({
        status: 200,
        body: {
          networks: [{ id: 'a' }],
          networks_links: [{ rel: 'next', href: 'http://x/v2.0/networks?marker=a' }],
        } as T,
        headers: {},
        requestId: undefined,
      }),
  };
  const neutron = new NeutronClient(stuck);
  await assert.rejects(neutron.networks.listAll({}, { pageSize: 1 }), /does not advance/);
});

test('findOne: one request; 0 → undefined, 1 → it, >1 → ConflictError', async () => {
  const { fake, neutron } = setup();
  fake.requests.length = 0;
  assert.equal(await neutron.ports.findOne({ tags: ['x'] }), undefined);
  const net = fake.seed('networks', { name: 'n' });
  const p1 = fake.seed('ports', { network_id: net.id });
  p1.tags = ['x'];
  assert.equal((await neutron.ports.findOne({ tags: ['x'] }))?.id, p1.id);
  const p2 = fake.seed('ports', { network_id: net.id });
  p2.tags = ['x'];
  await assert.rejects(neutron.ports.findOne({ tags: ['x'] }), ConflictError);
  assert.equal(fake.requests.length, 3);
  assert.ok(fake.requests.every((r) => r.query?.['limit'] === 2));
});

test('get/delete of a missing object reject NotFoundError; deleteIfExists is idempotent', async () => {
  const { fake, neutron } = setup();
  await assert.rejects(neutron.networks.get('nope'), isNotFoundError);
  await assert.rejects(neutron.networks.delete('nope'), isNotFoundError);
  const net = fake.seed('networks', { name: 'n' });
  assert.equal(await neutron.networks.deleteIfExists(net.id), true);
  assert.equal(await neutron.networks.deleteIfExists(net.id), false);
});

test('createTagged creates then PUTs the tags; a failed tag call rolls the create back', async () => {
  const { fake, neutron } = setup();
  const net = await neutron.networks.createTagged({ name: 'ka-n' }, ['t1', 't2']);
  assert.deepEqual(net.tags, ['t1', 't2']);
  assert.deepEqual(
    fake.requests.map((r) => `${r.method} ${r.path}`),
    ['POST /v2.0/networks', `PUT /v2.0/networks/${net.id}/tags`],
  );
  fake.failWith = (r) =>
    r.path.endsWith('/tags') ? new ServiceUnavailable('neutron down') : undefined;
  await assert.rejects(neutron.networks.createTagged({ name: 'ka-m' }, ['t']), ServiceUnavailable);
  assert.deepEqual(
    fake.all('networks').map((n) => n['name']),
    ['ka-n'],
  );
});

test('update sends If-Match for compare-and-swap', async () => {
  const { fake, neutron } = setup();
  const net = fake.seed('networks', { name: 'a' });
  const updated = await neutron.networks.update(net.id, { name: 'b' }, { ifRevision: 1 });
  assert.equal(updated.name, 'b');
  assert.deepEqual(fake.requests.at(-1)?.headers, { 'If-Match': 'revision_number=1' });
  assert.deepEqual(fake.requests.at(-1)?.body, { network: { name: 'b' } });
});

test('bulk port create is one request and keeps order', async () => {
  const { fake, neutron } = setup();
  const net = fake.seed('networks', { name: 'n' });
  fake.seed('subnets', { network_id: net.id, cidr: '10.9.0.0/24' });
  fake.requests.length = 0;
  const ports = await neutron.ports.createBulk([
    { network_id: net.id, name: 'a' },
    { network_id: net.id, name: 'b' },
  ]);
  assert.deepEqual(
    ports.map((p) => p.name),
    ['a', 'b'],
  );
  assert.equal(fake.requests.length, 1);
  assert.deepEqual(await neutron.ports.createBulk([]), []);
  assert.equal(fake.requests.length, 1);
});

test('tags: add, replace, remove one, remove all hit the tag API paths', async () => {
  const { fake, neutron } = setup();
  const net = fake.seed('networks', { name: 'n' });
  await neutron.tags.add('networks', net.id, 'kuryr.net.uuid.lh:00');
  await neutron.tags.add('networks', net.id, 'b');
  assert.deepEqual(net.tags, ['kuryr.net.uuid.lh:00', 'b']);
  assert.equal(fake.requests[0]?.path, `/v2.0/networks/${net.id}/tags/kuryr.net.uuid.lh%3A00`);
  await neutron.tags.remove('networks', net.id, 'b');
  assert.deepEqual(net.tags, ['kuryr.net.uuid.lh:00']);
  await assert.rejects(neutron.tags.remove('networks', net.id, 'b'), isNotFoundError);
  assert.deepEqual(await neutron.tags.replace('networks', net.id, ['x', 'y']), ['x', 'y']);
  await neutron.tags.removeAll('networks', net.id);
  assert.deepEqual(net.tags, []);
  await assert.rejects(neutron.tags.add('networks', net.id, 'a/b'), /contains '\/'/);
});

test('extensions.has caches the list; a failure is not cached', async () => {
  const { fake, neutron } = setup();
  fake.failWith = () => new ServiceUnavailable('down');
  await assert.rejects(neutron.extensions.has('trunk'), ServiceUnavailable);
  fake.failWith = undefined;
  assert.equal(await neutron.extensions.has('trunk'), true);
  assert.equal(await neutron.extensions.has('no-such'), false);
  assert.equal(fake.requests.length, 2);
});

test('trunk subports: add, get, remove', async () => {
  const { fake, neutron } = setup();
  const net = fake.seed('networks', { name: 'n' });
  const parent = fake.seed('ports', { network_id: net.id, fixed_ips: [] });
  const child = fake.seed('ports', { network_id: net.id, fixed_ips: [] });
  const trunk = await neutron.trunks.create({ port_id: parent.id });
  const sub = { port_id: child.id, segmentation_type: 'vlan', segmentation_id: 101 };
  assert.deepEqual((await neutron.trunks.addSubports(trunk.id, [sub])).sub_ports, [sub]);
  assert.deepEqual(await neutron.trunks.getSubports(trunk.id), [sub]);
  assert.deepEqual((await neutron.trunks.removeSubports(trunk.id, [child.id])).sub_ports, []);
  assert.deepEqual(fake.requests.at(-1)?.body, { sub_ports: [{ port_id: child.id }] });
});

test('an aborted signal stops the listing before any request', async () => {
  const { fake, neutron } = setup();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(neutron.networks.listAll({}, { signal: ac.signal }));
  assert.equal(fake.requests.length, 0);
});

test('fake Neutron allocates subnets from a pool like Neutron (prefixlen or pool default)', async () => {
  const { neutron } = setup();
  const net = await neutron.networks.create({ name: 'n' });
  const pool = await neutron.subnetpools.create({
    prefixes: ['10.50.0.0/16'],
    default_prefixlen: 24,
  });
  const a = await neutron.subnets.create({
    network_id: net.id,
    ip_version: 4,
    subnetpool_id: pool.id,
  });
  const b = await neutron.subnets.create({
    network_id: net.id,
    ip_version: 4,
    subnetpool_id: pool.id,
    prefixlen: 26,
  });
  assert.equal(a.cidr, '10.50.0.0/24');
  assert.equal(b.cidr, '10.50.1.0/26');
  const port = await neutron.ports.create({ network_id: net.id, fixed_ips: [{ subnet_id: b.id }] });
  assert.deepEqual(port.fixed_ips, [{ subnet_id: b.id, ip_address: '10.50.1.2' }]);
});
