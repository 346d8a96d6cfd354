/**
 * Integration: the `[vif_pool]` port pool of the libnetwork driver against the real Neutron: RequiresMACAddress
 * is false, network create pre-warms pre-bound ports, a warm attach costs exactly one Neutron request (tags PUT),
 * `--mac-address` and a MAC-carrying RequestAddress fall back correctly, a new plugin instance recovers the
 * pool, `kuryr gc --apply` trims it, nothing is left after.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { idTags } from '../../../src/common/tags.js';
import { createLibnetworkServer } from '../../../src/libnetwork/create-libnetwork.js';
import type { HostBinder } from '../../../src/libnetwork/host-binder.js';
import type { Subnet } from '../../../src/libnetwork/neutron-port.js';
import { RestLibnetworkNeutron } from '../../../src/libnetwork/neutron-rest.js';
import { restBulkCreatePorts } from '../../../src/libnetwork/port-pool-bulk.js';
import { collectLibnetworkGarbage } from '../../../src/libnetwork/port-pool-gc.js';
import { PortPool, TAG_PORT_POOL, poolDescription } from '../../../src/libnetwork/port-pool.js';
import {
  attach,
  type Bed,
  createDockerNetwork,
  detach,
  removeDockerNetwork,
  startBed,
} from './harness.js';

const log = pino({ level: 'silent' });
const binder: HostBinder = {
  plug: (port) => Promise.resolve(`t_c${port.id.slice(0, 11)}`),
  unplug: () => Promise.resolve(),
};

describe('libnetwork port pool (real Neutron)', () => {
  let bed: Bed;
  let net: Awaited<ReturnType<typeof createDockerNetwork>>;
  let subnet: Subnet;
  const pools: PortPool[] = [];

  // The pool talks through its own (uncounted) client: its background refills are not on the attach path.
  const newPool = () => {
    const client = bed.session.client('network');
    const pool = new PortPool(
      new RestLibnetworkNeutron(client),
      { min: 2, batch: 2, max: 4, host: bed.env.bindingHost },
      log,
      restBulkCreatePorts(client),
    );
    pools.push(pool);
    return pool;
  };
  // A plugin (re)start with a pool: no in-memory state of the previous server survives.
  const serveWith = async (portPool: PortPool) => {
    await bed.server.close();
    bed.server = createLibnetworkServer({
      neutron: bed.neutron,
      binder,
      options: bed.options,
      log,
      portPool,
    });
    await bed.server.listen({ socketPath: bed.socket });
  };
  const poolPorts = () =>
    bed.neutron.list('ports', { network_id: subnet.network_id, tags: TAG_PORT_POOL });

  before(async () => {
    bed = await startBed();
    // the plugin serves with its pool from the start: CreateNetwork pre-warms it in the background
    await serveWith(newPool());
    net = await createDockerNetwork(bed, { v4: { pool: '10.233.17.0/24' } });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
    const [network] = await bed.neutron.list('networks', {
      tags: idTags(net.networkId).join(','),
    });
    assert.ok(network, 'Neutron network of the Docker network');
    const [s] = await bed.neutron.list('subnets', { network_id: network.id });
    assert.ok(s, 'its subnet');
    subnet = s;
  });
  after(async () => {
    for (const p of pools) await p.close().catch(() => undefined);
    if (bed && subnet) {
      for (const p of await poolPorts().catch(() => [])) {
        await bed.neutron.delete('ports', p.id).catch(() => undefined);
      }
    }
    if (bed && net) await removeDockerNetwork(bed, net).catch(() => undefined);
    await bed?.close();
  });

  test('with a pool the IPAM asks dockerd for no MAC; network create pre-warmed bound pooled ports', async () => {
    const caps = await bed.call('/IpamDriver.GetCapabilities', {});
    assert.equal(caps.body.RequiresMACAddress, false);
    const pool = pools[0];
    assert.ok(pool);
    await pool.fill(subnet); // waits for the background pre-warm CreateNetwork started
    const warm = await poolPorts();
    assert.equal(warm.length, 2);
    for (const p of warm) {
      assert.equal(
        (p as { description?: string }).description,
        poolDescription(bed.env.bindingHost),
      );
      assert.equal(p.device_owner, 'compute:kuryr');
      assert.equal(p['binding:host_id'], bed.env.bindingHost, 'pooled ports are pre-bound');
    }
  });

  test('warm pool: attach is ONE Neutron request (the tags PUT), so is detach (recycled); CreateEndpoint returns the port MAC', async () => {
    const pool = pools[0];
    assert.ok(pool);
    await pool.fill(subnet);
    const warm = await poolPorts();
    const n0 = bed.client.count;
    const ep = await attach(bed, net, { noIpamMac: true });
    assert.equal(ep.createEndpoint.status, 200, JSON.stringify(ep.createEndpoint.body));
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body));
    const trace = bed.client.log.slice(n0).map((r) => `${r.method} ${r.path}`);
    assert.equal(bed.client.count - n0, 1, trace.join(' | '));
    assert.match(trace[0] ?? '', /^PUT \/v2\.0\/ports\/[0-9a-f-]+\/tags$/);
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.ok(port, 'port tagged with the EndpointID');
    assert.ok(
      warm.some((w) => w.id === port.id),
      'the port came from the pool',
    );
    assert.ok(!port.tags.includes(TAG_PORT_POOL));
    assert.ok(port.tags.includes('compute:kuryr'));
    assert.equal(port['binding:host_id'], bed.env.bindingHost);
    assert.deepEqual(ep.createEndpoint.body, { Interface: { MacAddress: port.mac_address } });
    assert.equal(`${port.fixed_ips[0]?.ip_address}/24`, ep.addresses[0]?.address);
    const d0 = bed.client.count;
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
    const dtrace = bed.client.log.slice(d0).map((r) => `${r.method} ${r.path}`);
    // the untouched pooled port goes back to the pool: one tags PUT instead of a DELETE
    assert.deepEqual(dtrace, [`PUT /v2.0/ports/${port.id}/tags`]);
    const [back] = await bed.neutron.list('ports', { id: port.id });
    assert.ok(back, 'recycled, not deleted');
    assert.deepEqual(back.tags, [TAG_PORT_POOL]);
    assert.equal(back['binding:host_id'], bed.env.bindingHost);
    assert.ok(pool.portIds().includes(port.id));
    await pool.fill(subnet); // the background refill has settled
    assert.ok(pool.size(subnet.id) >= 2);
  });

  test('--mac-address with the pool: the pooled port gets the user MAC and stays bound', async () => {
    const pool = pools[0];
    assert.ok(pool);
    await pool.fill(subnet);
    const mac = 'fa:16:3e:a2:00:01';
    const ep = await attach(bed, net, { noIpamMac: true, mac });
    assert.equal(ep.createEndpoint.status, 200, JSON.stringify(ep.createEndpoint.body));
    assert.deepEqual(ep.createEndpoint.body, { Interface: {} }, 'a MAC that was set is not echoed');
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.ok(port);
    assert.equal(port.mac_address, mac);
    assert.equal(port['binding:host_id'], bed.env.bindingHost);
    assert.equal(`${port.fixed_ips[0]?.ip_address}/24`, ep.addresses[0]?.address);
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
    assert.equal((await bed.neutron.list('ports', { id: port.id })).length, 0);
  });

  test('a RequestAddress that carries a MAC gets a fresh port with it (pool untouched)', async () => {
    const pool = pools[0];
    assert.ok(pool);
    await pool.fill(subnet);
    const free = new Set(pool.portIds());
    const mac = 'fa:16:3e:a2:00:02';
    const ep = await attach(bed, net, { mac });
    assert.equal(ep.createEndpoint.status, 200, JSON.stringify(ep.createEndpoint.body));
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.ok(port && !free.has(port.id), 'not a pooled port');
    assert.equal(port.mac_address, mac);
    assert.deepEqual(new Set(pool.portIds()), free);
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
  });

  test('a restarted plugin recovers the pool from Neutron and attaches from it', async () => {
    const before = new Set(pools[0]?.portIds());
    const pool = newPool();
    // recover() takes every free pooled port of this host, also those of other plugins' networks that
    // another suite may be using at the same moment: assert on this network's subnet only.
    assert.ok((await pool.recover()) >= before.size);
    assert.equal(pool.size(subnet.id), before.size);
    const recovered = new Set(pool.portIds());
    for (const id of before) assert.ok(recovered.has(id), `pooled port ${id} recovered`);
    await serveWith(pool);
    const n0 = bed.client.count;
    const ep = await attach(bed, net, { noIpamMac: true });
    assert.equal(ep.createEndpoint.status, 200, JSON.stringify(ep.createEndpoint.body));
    // cold caches after the restart (network, subnets) but no port POST: the port comes from the pool
    assert.equal(bed.client.log.filter((r, i) => i >= n0 && r.method === 'POST').length, 0);
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.ok(port && before.has(port.id), 'recovered pooled port handed out');
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
  });

  test('gc lists the free pooled ports (dry run) and --apply trims them; nothing is left', async () => {
    for (const p of pools) await p.fill(subnet); // settle background refills
    const pooled = await poolPorts();
    assert.ok(pooled.length >= 2);
    const dry = await collectLibnetworkGarbage(bed.neutron, {
      host: bed.env.bindingHost,
      apply: false,
    });
    const ids = new Set(dry.items.filter((i) => i.reason === 'pooled').map((i) => i.id));
    for (const p of pooled) assert.ok(ids.has(p.id), `gc lists pooled port ${p.id}`);
    assert.equal((await poolPorts()).length, pooled.length, 'dry run deletes nothing');
    // stop the plugin's pools first (gc is for a stopped plugin), then apply
    for (const p of pools) await p.trim(Number.POSITIVE_INFINITY);
    const applied = await collectLibnetworkGarbage(bed.neutron, {
      host: bed.env.bindingHost,
      apply: true,
    });
    assert.ok(applied.deleted >= pooled.length);
    assert.deepEqual(await poolPorts(), []);
    const left = await bed.neutron.list('ports', { network_id: subnet.network_id });
    assert.deepEqual(
      left.filter((p) => p.device_owner === 'compute:kuryr').map((p) => p.id),
      [],
    );
  });
});
