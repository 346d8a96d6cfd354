/**
 * Integration: adopting existing Neutron objects through the `neutron.*` options (COMPATIBILITY.md §3):
 * they are marked existing, used, and on removal only untagged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  TAG_PORT_EXISTING,
  TAG_SUBNETPOOL_EXISTING,
  existingNetworkTag,
  idTags,
} from '../../../src/common/tags.js';
import {
  attach,
  type Bed,
  createDockerNetwork,
  detach,
  removeDockerNetwork,
  startBed,
} from './harness.js';

describe('libnetwork adoption of existing Neutron objects (real Neutron)', () => {
  let bed: Bed;
  before(async () => {
    bed = await startBed();
  });
  after(async () => {
    await bed?.close();
  });

  async function userNetwork(suffix: string) {
    const n = await bed.neutron.create('networks', { name: `${bed.prefix}-${suffix}` });
    bed.created.push({ kind: 'networks', id: n.id });
    return n;
  }

  test('neutron.net.uuid: the network is tagged and marked existing; rm deletes only the kuryr subnet and untags', async () => {
    const user = await userNetwork('net-uuid');
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.235.1.0/24' },
      generic: { 'neutron.net.uuid': user.id },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    const tagged = await bed.neutron.get('networks', user.id);
    for (const t of [...idTags(net.networkId), existingNetworkTag(net.networkId)])
      assert.ok(tagged.tags.includes(t), t);
    const ep = await attach(bed, net);
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body));
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.equal(port?.network_id, user.id);
    await detach(bed, net.networkId, ep);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
    const kept = await bed.neutron.get('networks', user.id);
    assert.deepEqual(kept.tags, []);
    assert.equal((await bed.neutron.list('subnets', { network_id: user.id })).length, 0);
  });

  test('neutron.net.name adopts the uniquely named network', async () => {
    const user = await userNetwork('net-name');
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.235.2.0/24' },
      generic: { 'neutron.net.name': user.name },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    assert.ok(
      (await bed.neutron.get('networks', user.id)).tags.includes(existingNetworkTag(net.networkId)),
    );
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
    assert.ok(await bed.neutron.get('networks', user.id));
  });

  test('neutron.net.shared that differs from the adopted network is a 409 and leaves no tag', async () => {
    const user = await userNetwork('net-shared');
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.235.3.0/24' },
      generic: { 'neutron.net.uuid': user.id, 'neutron.net.shared': 'true' },
    });
    assert.equal(net.reply.status, 409);
    assert.match(String(net.reply.body.Err), /shared/);
    assert.deepEqual((await bed.neutron.get('networks', user.id)).tags, []);
    await bed.call('/IpamDriver.ReleasePool', { PoolID: net.pools[0]?.poolId });
  });

  test('neutron.subnet.uuid: the existing subnet is used for addresses and kept on rm', async () => {
    const user = await userNetwork('subnet');
    const subnet = await bed.neutron.create('subnets', {
      network_id: user.id,
      name: `${bed.prefix}-subnet`,
      cidr: '10.235.4.0/24',
      ip_version: 4,
    });
    const opts = { 'neutron.net.uuid': user.id, 'neutron.subnet.uuid': subnet.id };
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.235.4.0/24' },
      generic: opts,
      ipamOpts: { 'neutron.subnet.uuid': subnet.id },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    const pool = await bed.neutron.get('subnetpools', net.pools[0]?.poolId ?? '');
    assert.ok(pool.tags.includes(subnet.id), 'pool tagged with the subnet id');
    const ep = await attach(bed, net);
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body));
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.equal(port?.fixed_ips[0]?.subnet_id, subnet.id);
    await detach(bed, net.networkId, ep);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
    assert.ok(await bed.neutron.get('subnets', subnet.id), 'adopted subnet kept');
    assert.equal((await bed.neutron.list('subnetpools', { id: pool.id })).length, 0);
  });

  test('neutron.pool.uuid: the subnet comes from the user pool, which is marked existing and only untagged on rm', async () => {
    const sp = await bed.neutron.create('subnetpools', {
      name: `${bed.prefix}-userpool`,
      prefixes: ['10.236.0.0/16'],
      default_prefixlen: 24,
    });
    bed.created.push({ kind: 'subnetpools', id: sp.id });
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.236.5.0/24' },
      generic: { 'neutron.pool.uuid': sp.id },
      ipamOpts: { 'neutron.pool.uuid': sp.id },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    assert.equal(net.pools[0]?.poolId, sp.id);
    assert.ok((await bed.neutron.get('subnetpools', sp.id)).tags.includes(TAG_SUBNETPOOL_EXISTING));
    const [network] = await bed.neutron.list('networks', { tags: idTags(net.networkId).join(',') });
    const [subnet] = await bed.neutron.list('subnets', { network_id: network?.id ?? '' });
    assert.equal(subnet?.subnetpool_id, sp.id);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
    const kept = await bed.neutron.get('subnetpools', sp.id);
    assert.ok(!kept.tags.includes(TAG_SUBNETPOOL_EXISTING));
  });

  test('neutron.pool.name without --subnet allocates a block of the named pool', async () => {
    const sp = await bed.neutron.create('subnetpools', {
      name: `${bed.prefix}-namedpool`,
      prefixes: ['10.237.0.0/16'],
      default_prefixlen: 26,
    });
    bed.created.push({ kind: 'subnetpools', id: sp.id });
    const net = await createDockerNetwork(bed, {
      generic: { 'neutron.pool.name': sp.name },
      ipamOpts: { 'neutron.pool.name': sp.name },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    assert.match(net.pools[0]?.pool ?? '', /^10\.237\.\d+\.\d+\/26$/);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
    assert.ok(await bed.neutron.get('subnetpools', sp.id));
  });

  test('--ip of a pre-created port adopts it (kuryr.port.existing); release resets and keeps it', async () => {
    const net = await createDockerNetwork(bed, { v4: { pool: '10.235.6.0/24' } });
    const [network] = await bed.neutron.list('networks', { tags: idTags(net.networkId).join(',') });
    const pre = await bed.neutron.create('ports', {
      network_id: network?.id,
      name: `${bed.prefix}-pre`,
      fixed_ips: [{ ip_address: '10.235.6.50' }],
    });
    bed.created.push({ kind: 'ports', id: pre.id });
    const ep = await attach(bed, net, { ip: '10.235.6.50' });
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body ?? ep.createEndpoint.body));
    const adopted = await bed.neutron.get('ports', pre.id);
    assert.ok(adopted.tags.includes(TAG_PORT_EXISTING));
    assert.ok(idTags(ep.endpointId).every((t) => adopted.tags.includes(t)));
    assert.equal(adopted['binding:host_id'], bed.env.bindingHost);
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
    const reset = await bed.neutron.get('ports', pre.id);
    assert.deepEqual(reset.tags, []);
    assert.equal(reset.device_owner, '');
    assert.equal(reset['binding:host_id'], '');
    await bed.neutron.delete('ports', pre.id);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
  });
});
