/**
 * E2E with the real dockerd 20.10 and the real Neutron + linuxbridge agent, plugin served WITH the `[vif_pool]`
 * port pool (driver `ka2pool`): dockerd is told RequiresMACAddress=false, so containers get the pre-bound pooled
 * port's own MAC; `network create` pre-warms the pool; `--mac-address` still wins; dual stack ends on one port;
 * after `docker rm` and `docker network rm` Neutron holds nothing kuryr created (free pooled ports included).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TAG_PORT_POOL } from '../../../src/libnetwork/port-pool.js';
import { containerIp, docker, endpointField, endpointPort } from './docker-harness.js';
import { DockerSuite } from './docker-suite.js';

const macOf = (container: string, network: string) =>
  endpointField(container, network, 'MacAddress');

describe('kuryr libnetwork with real dockerd and a port pool', () => {
  const s = new DockerSuite({
    pool: { min: 2, batch: 2, max: 4 },
    driver: 'ka2pool',
    prefixBase: 'ka2-e2e',
  });

  async function createNetwork(suffix: string, args: string[]) {
    const { name, network } = await s.createNetwork(suffix, args);
    assert.ok(network, `Neutron network of ${name}`);
    return { name, network };
  }

  test('network create pre-warms bound ports; containers get pooled ports with their MAC and ping', async () => {
    const { name: net, network } = await createNetwork('pool', ['--subnet', '10.238.11.0/24']);
    const pool = s.bed.portPool;
    assert.ok(pool);
    const [subnet] = await s.bed.neutron.list('subnets', { network_id: network.id });
    assert.ok(subnet);
    await pool.fill(subnet); // settles the background pre-warm started by CreateNetwork
    const pooled = await s.bed.neutron.list('ports', {
      network_id: network.id,
      tags: TAG_PORT_POOL,
    });
    assert.equal(pooled.length, 2);
    for (const p of pooled) assert.equal(p['binding:host_id'], s.bed.host);
    const ids = new Set(pooled.map((p) => p.id));
    const a = await s.run('a', net);
    const b = await s.run('b', net);
    const pa = await s.portOf(a, net);
    const pb = await s.portOf(b, net);
    assert.ok(ids.has(pa.id) && ids.has(pb.id), 'both ports came from the pool');
    assert.equal(pa.status, 'ACTIVE');
    assert.ok(!pa.tags.includes(TAG_PORT_POOL));
    assert.equal(await macOf(a, net), pa.mac_address, 'the container uses the port MAC');
    assert.equal(await containerIp(b, net), pb.fixed_ips[0]?.ip_address);
    const out = await docker('exec', a, 'ping', '-c', '2', '-W', '3', await containerIp(b, net));
    assert.match(out, / 0% packet loss/);
    await s.rm(a, b);
    await s.netRm(net);
  });

  test('--mac-address with the pool: the container and its ACTIVE port carry the user MAC', async () => {
    const { name: net } = await createNetwork('mac', ['--subnet', '10.238.12.0/24']);
    const mac = 'fa:16:3e:a2:0e:01';
    const c = await s.run('c', net, ['--mac-address', mac]);
    const d = await s.run('d', net);
    const pc = await s.portOf(c, net);
    assert.equal(pc.mac_address, mac);
    assert.equal(pc.status, 'ACTIVE');
    assert.equal(pc['binding:host_id'], s.bed.host);
    assert.equal(await macOf(c, net), mac);
    const out = await docker('exec', d, 'ping', '-c', '2', '-W', '3', await containerIp(c, net));
    assert.match(out, / 0% packet loss/);
    await s.rm(c, d);
    await s.netRm(net);
  });

  test('dual stack with the pool: both addresses on one Neutron port', async () => {
    const { name: net } = await createNetwork('dual', [
      '--ipv6',
      '--subnet',
      '10.238.13.0/24',
      '--subnet',
      'fd31:7e:13::/64',
    ]);
    const e = await s.run('e', net);
    const port = await s.portOf(e, net);
    assert.equal(port.fixed_ips.length, 2);
    const v6 = await containerIp(e, net, true);
    assert.ok(
      port.fixed_ips.some((f) => f.ip_address === v6),
      `v6 ${v6} on the port`,
    );
    assert.equal(await macOf(e, net), port.mac_address);
    await s.rm(e);
    await s.netRm(net);
  });

  test('after docker rm and docker network rm, Neutron holds nothing kuryr created', async () => {
    assert.equal(s.dockerIds.length, 3);
    assert.deepEqual(await s.leftovers(), []);
  });
});

describe('kuryr libnetwork with real dockerd: pooled ports recycled (vif_plugging_is_fatal = False)', () => {
  const s = new DockerSuite({
    pool: { min: 1, batch: 1, max: 2 },
    driver: 'ka2pool',
    prefixBase: 'ka2-e2e',
    vifPluggingIsFatal: false,
  });
  let net = '';

  test('docker rm returns the port to the pool; a later container reuses it and pings', async () => {
    const { bed } = s;
    const created = await s.createNetwork('recycle', ['--subnet', '10.238.14.0/24']);
    net = created.name;
    assert.ok(created.network);
    const [subnet] = await bed.neutron.list('subnets', { network_id: created.network.id });
    assert.ok(subnet && bed.portPool);
    await bed.portPool.fill(subnet); // settle the pre-warm: the first container must get a pooled port
    const pooled = new Set(bed.portPool.portIds());
    const a = await s.run('ra', net);
    const first = await endpointPort(bed, a, net);
    assert.ok(pooled.has(first.id), 'the first container got a pooled port');
    await s.rm(a);
    const [back] = await bed.neutron.list('ports', { id: first.id });
    assert.ok(back, 'the port was not deleted');
    assert.deepEqual(back.tags, [TAG_PORT_POOL]);
    assert.ok(bed.portPool?.portIds().includes(first.id), 'back in the free list');
    // take ports until the recycled one comes out (free list order), then prove it carries traffic
    let reused = '';
    for (let i = 0; i < 4 && !reused; i++) {
      const c = await s.run(`r${i}`, net);
      if ((await endpointPort(bed, c, net)).id === first.id) reused = c;
    }
    assert.ok(reused, 'a later container got the recycled port');
    const other = s.containers.find((c) => c !== reused) ?? (await s.run('r9', net));
    assert.equal(await containerIp(reused, net), first.fixed_ips[0]?.ip_address);
    let out = '';
    for (let i = 0; i < 10 && !/ 0% packet loss/.test(out); i++) {
      // no ACTIVE wait with vif_plugging_is_fatal = False: give the L2 agent its few seconds
      out = await docker(
        'exec',
        other,
        'ping',
        '-c',
        '2',
        '-W',
        '2',
        await containerIp(reused, net),
      ).catch((e: unknown) => String(e));
    }
    assert.match(out, / 0% packet loss/);
  });

  test('after docker rm and docker network rm, Neutron holds nothing kuryr created', async () => {
    await s.rm(...s.containers);
    await s.netRm(net);
    assert.deepEqual(await s.leftovers(), []);
  });
});
