/**
 * Integration: NetworkDriver network calls and IpamDriver pool calls against the real Neutron, over the
 * plugin's unix socket. Each test asserts the resulting Neutron objects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idTags } from '../../../src/common/tags.js';
import { type Bed, createDockerNetwork, removeDockerNetwork, startBed } from './harness.js';

describe('libnetwork network + IPAM calls (real Neutron)', () => {
  let bed: Bed;
  before(async () => {
    bed = await startBed();
  });
  after(async () => {
    await bed?.close();
  });

  test('Activate, GetCapabilities and GetDefaultAddressSpaces answer empty-body calls without Neutron', async () => {
    const n = bed.client.count;
    assert.deepEqual((await bed.call('/Plugin.Activate')).body, {
      Implements: ['NetworkDriver', 'IpamDriver'],
    });
    assert.deepEqual((await bed.call('/NetworkDriver.GetCapabilities')).body, {
      Scope: 'local',
      ConnectivityScope: 'local',
    });
    assert.deepEqual((await bed.call('/IpamDriver.GetCapabilities')).body, {
      RequiresMACAddress: true,
      RequiresRequestReplay: false,
    });
    assert.deepEqual((await bed.call('/IpamDriver.GetDefaultAddressSpaces')).body, {
      LocalDefaultAddressSpace: 'no_address_space',
      GlobalDefaultAddressSpace: 'no_address_space',
    });
    assert.equal(bed.client.count, n);
  });

  test('RequestPool with --subnet makes one kuryrPool subnetpool; an identical request returns the same pool', async () => {
    const body = {
      AddressSpace: 'no_address_space',
      Pool: '10.232.1.0/24',
      SubPool: '',
      Options: {},
      V6: false,
    };
    const a = await bed.call('/IpamDriver.RequestPool', body);
    const b = await bed.call('/IpamDriver.RequestPool', body);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.PoolID, b.body.PoolID);
    const sp = await bed.neutron.get('subnetpools', String(a.body.PoolID));
    assert.equal(sp.name, `${bed.options.subnetpoolNamePrefix}-10.232.1.0/24`);
    assert.deepEqual(sp.prefixes, ['10.232.1.0/24']);
    assert.deepEqual(a.body.Data, { 'com.docker.network.gateway': '10.232.1.1/24' });
    assert.equal(
      (await bed.call('/IpamDriver.ReleasePool', { PoolID: a.body.PoolID })).status,
      200,
    );
    await assert.rejects(bed.neutron.get('subnetpools', String(a.body.PoolID)));
  });

  test('IPv4 network with --subnet: tagged network, subnet from the pool with the gateway; rm deletes all', async () => {
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.232.2.0/24', gateway: '10.232.2.254' },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    const [network] = await bed.neutron.list('networks', { tags: idTags(net.networkId).join(',') });
    assert.ok(network, 'network tagged with lh/uh');
    assert.equal(network.name, `kuryr-net-${net.networkId.slice(0, 8)}`);
    const subnets = await bed.neutron.list('subnets', { network_id: network.id });
    assert.equal(subnets.length, 1);
    assert.equal(subnets[0]?.cidr, '10.232.2.0/24');
    assert.equal(subnets[0]?.gateway_ip, '10.232.2.254');
    assert.equal(subnets[0]?.subnetpool_id, net.pools[0]?.poolId);
    assert.deepEqual(subnets[0]?.tags, [net.pools[0]?.poolId]);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
    assert.equal((await bed.neutron.list('networks', { id: network.id })).length, 0);
    assert.equal((await bed.neutron.list('subnetpools', { id: net.pools[0]?.poolId })).length, 0);
  });

  test('network without --subnet gets a default_prefixlen block of the default pool (§9 #5)', async () => {
    const net = await createDockerNetwork(bed);
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    assert.match(net.pools[0]?.pool ?? '', /^10\.231\.\d+\.0\/24$/);
    const [network] = await bed.neutron.list('networks', { tags: idTags(net.networkId).join(',') });
    assert.ok(network);
    const [subnet] = await bed.neutron.list('subnets', { network_id: network.id });
    assert.equal(subnet?.cidr, net.pools[0]?.pool);
    const [pool] = await bed.neutron.list('subnetpools', { name: bed.options.defaultSubnetpoolV4 });
    assert.equal(subnet?.subnetpool_id, pool?.id);
    // a second network gets a different block
    const other = await createDockerNetwork(bed);
    assert.notEqual(other.pools[0]?.pool, net.pools[0]?.pool);
    assert.deepEqual(await removeDockerNetwork(bed, other), [200, 200, 200]);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
    assert.equal((await bed.neutron.list('networks', { id: network.id })).length, 0);
    assert.ok(await bed.neutron.get('subnetpools', pool?.id ?? ''), 'default pool kept');
  });

  test('dual stack: one subnet per family, the v6 one from the default v6 pool', async () => {
    const net = await createDockerNetwork(bed, { v4: { pool: '10.232.3.0/24' }, v6: {} });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    const [network] = await bed.neutron.list('networks', { tags: idTags(net.networkId).join(',') });
    const subnets = await bed.neutron.list('subnets', { network_id: network?.id ?? '' });
    assert.deepEqual(subnets.map((s) => s.ip_version).sort(), [4, 6]);
    assert.match(subnets.find((s) => s.ip_version === 6)?.cidr ?? '', /^fd31:7b:[0-9a-f:]*\/64$/);
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200, 200, 200]);
    assert.equal((await bed.neutron.list('networks', { id: network?.id ?? '' })).length, 0);
  });

  test('--ip-range and aux addresses shape the allocation pools', async () => {
    const net = await createDockerNetwork(bed, {
      v4: { pool: '10.232.4.0/24', subPool: '10.232.4.128/25', aux: { router: '10.232.4.130' } },
    });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    const [network] = await bed.neutron.list('networks', { tags: idTags(net.networkId).join(',') });
    const [subnet] = await bed.neutron.list('subnets', { network_id: network?.id ?? '' });
    assert.deepEqual(
      [...(subnet?.allocation_pools ?? [])].sort((a, b) => a.start.localeCompare(b.start)),
      [
        { start: '10.232.4.128', end: '10.232.4.129' },
        { start: '10.232.4.131', end: '10.232.4.254' },
      ],
    );
    assert.deepEqual(await removeDockerNetwork(bed, net), [200, 200, 200]);
  });

  test('network create costs at most 6 Neutron calls and network rm at most 5', async () => {
    const n0 = bed.client.count;
    const net = await createDockerNetwork(bed, { v4: { pool: '10.232.5.0/24' } });
    const createCalls = bed.client.count - n0;
    const n1 = bed.client.count;
    await removeDockerNetwork(bed, net);
    const rmCalls = bed.client.count - n1;
    assert.ok(createCalls <= 6, `create used ${createCalls}`);
    assert.ok(rmCalls <= 5, `rm used ${rmCalls}`);
  });

  test('DeleteNetwork and ReleasePool of unknown IDs succeed (restart safety, idempotent deletes)', async () => {
    assert.equal(
      (await bed.call('/NetworkDriver.DeleteNetwork', { NetworkID: 'f'.repeat(64) })).status,
      200,
    );
    assert.equal(
      (
        await bed.call('/IpamDriver.ReleasePool', {
          PoolID: '00000000-0000-0000-0000-000000000000',
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await bed.call('/IpamDriver.ReleaseAddress', {
          PoolID: '00000000-0000-0000-0000-000000000000',
          Address: '10.0.0.9',
        })
      ).status,
      200,
    );
  });
});
