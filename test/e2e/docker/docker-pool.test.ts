/**
 * E2E with the real dockerd 20.10 and the real Neutron + linuxbridge agent, plugin served WITH the `[vif_pool]`
 * port pool (driver `ka2pool`): dockerd is told RequiresMACAddress=false, so containers get the pre-bound pooled
 * port's own MAC; `network create` pre-warms the pool; `--mac-address` still wins; dual stack ends on one port;
 * after `docker rm` and `docker network rm` Neutron holds nothing kuryr created (free pooled ports included).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idTags } from '../../../src/common/tags.js';
import { TAG_PORT_POOL } from '../../../src/libnetwork/port-pool.js';
import {
  containerIp,
  docker,
  type DockerBed,
  leftovers,
  neutronNetworkOf,
  runContainer,
  startDockerBed,
} from './docker-harness.js';

describe('kuryr libnetwork with real dockerd and a port pool', () => {
  let bed: DockerBed;
  const containers: string[] = [];
  const networks: string[] = [];
  const dockerIds: string[] = [];
  const neutronNets: string[] = [];
  const portIds: string[] = [];

  before(async () => {
    bed = await startDockerBed({
      pool: { min: 2, batch: 2, max: 4 },
      driver: 'ka2pool',
      prefixBase: 'ka2-e2e',
    });
  });
  after(async () => {
    for (const c of containers) await docker('rm', '-f', c).catch(() => '');
    for (const n of networks) await docker('network', 'rm', n).catch(() => '');
    await bed?.close();
  });

  async function createNetwork(suffix: string, args: string[]) {
    const name = `${bed.prefix}-${suffix}`;
    await docker('network', 'create', '-d', bed.driver, '--ipam-driver', bed.driver, ...args, name);
    networks.push(name);
    const { dockerId, network } = await neutronNetworkOf(bed, name);
    assert.ok(network, `Neutron network of ${name}`);
    dockerIds.push(dockerId);
    neutronNets.push(network.id);
    return { name, network };
  }

  async function portOf(container: string, network: string) {
    const epId = await docker(
      'inspect',
      '-f',
      `{{(index .NetworkSettings.Networks "${network}").EndpointID}}`,
      container,
    );
    const [port] = await bed.neutron.list('ports', { tags: idTags(epId).join(',') });
    assert.ok(port, `Neutron port of ${container} on ${network}`);
    portIds.push(port.id);
    return port;
  }

  const macOf = (container: string, network: string) =>
    docker(
      'inspect',
      '-f',
      `{{(index .NetworkSettings.Networks "${network}").MacAddress}}`,
      container,
    );

  async function rm(...names: string[]) {
    for (const n of names) {
      await docker('rm', '-f', n);
      containers.splice(containers.indexOf(n), 1);
    }
  }

  async function netRm(name: string) {
    await docker('network', 'rm', name);
    networks.splice(networks.indexOf(name), 1);
  }

  test('network create pre-warms bound ports; containers get pooled ports with their MAC and ping', async () => {
    const { name: net, network } = await createNetwork('pool', ['--subnet', '10.238.11.0/24']);
    const pool = bed.portPool;
    assert.ok(pool);
    const [subnet] = await bed.neutron.list('subnets', { network_id: network.id });
    assert.ok(subnet);
    await pool.fill(subnet); // settles the background pre-warm started by CreateNetwork
    const pooled = await bed.neutron.list('ports', {
      network_id: network.id,
      tags: TAG_PORT_POOL,
    });
    assert.equal(pooled.length, 2);
    for (const p of pooled) assert.equal(p['binding:host_id'], bed.host);
    const ids = new Set(pooled.map((p) => p.id));
    const a = await runContainer(bed, `${bed.prefix}-a`, net);
    containers.push(a);
    const b = await runContainer(bed, `${bed.prefix}-b`, net);
    containers.push(b);
    const pa = await portOf(a, net);
    const pb = await portOf(b, net);
    assert.ok(ids.has(pa.id) && ids.has(pb.id), 'both ports came from the pool');
    assert.equal(pa.status, 'ACTIVE');
    assert.ok(!pa.tags.includes(TAG_PORT_POOL));
    assert.equal(await macOf(a, net), pa.mac_address, 'the container uses the port MAC');
    assert.equal(await containerIp(b, net), pb.fixed_ips[0]?.ip_address);
    const out = await docker('exec', a, 'ping', '-c', '2', '-W', '3', await containerIp(b, net));
    assert.match(out, / 0% packet loss/);
    await rm(a, b);
    await netRm(net);
  });

  test('--mac-address with the pool: the container and its ACTIVE port carry the user MAC', async () => {
    const { name: net } = await createNetwork('mac', ['--subnet', '10.238.12.0/24']);
    const mac = 'fa:16:3e:a2:0e:01';
    const c = await runContainer(bed, `${bed.prefix}-c`, net, ['--mac-address', mac]);
    containers.push(c);
    const d = await runContainer(bed, `${bed.prefix}-d`, net);
    containers.push(d);
    const pc = await portOf(c, net);
    assert.equal(pc.mac_address, mac);
    assert.equal(pc.status, 'ACTIVE');
    assert.equal(pc['binding:host_id'], bed.host);
    assert.equal(await macOf(c, net), mac);
    const out = await docker('exec', d, 'ping', '-c', '2', '-W', '3', await containerIp(c, net));
    assert.match(out, / 0% packet loss/);
    await rm(c, d);
    await netRm(net);
  });

  test('dual stack with the pool: both addresses on one Neutron port', async () => {
    const { name: net } = await createNetwork('dual', [
      '--ipv6',
      '--subnet',
      '10.238.13.0/24',
      '--subnet',
      'fd31:7e:13::/64',
    ]);
    const e = await runContainer(bed, `${bed.prefix}-e`, net);
    containers.push(e);
    const port = await portOf(e, net);
    assert.equal(port.fixed_ips.length, 2);
    const v6 = await containerIp(e, net, true);
    assert.ok(
      port.fixed_ips.some((f) => f.ip_address === v6),
      `v6 ${v6} on the port`,
    );
    assert.equal(await macOf(e, net), port.mac_address);
    await rm(e);
    await netRm(net);
  });

  test('after docker rm and docker network rm, Neutron holds nothing kuryr created', async () => {
    assert.equal(dockerIds.length, 3);
    assert.deepEqual(await leftovers(bed, dockerIds, neutronNets, portIds), []);
  });
});

describe('kuryr libnetwork with real dockerd: pooled ports recycled (vif_plugging_is_fatal = False)', () => {
  let bed: DockerBed;
  const containers: string[] = [];
  let net = '';
  let dockerId = '';
  let neutronNet = '';

  before(async () => {
    bed = await startDockerBed({
      pool: { min: 1, batch: 1, max: 2 },
      driver: 'ka2pool',
      prefixBase: 'ka2-e2e',
      vifPluggingIsFatal: false,
    });
  });
  after(async () => {
    for (const c of containers) await docker('rm', '-f', c).catch(() => '');
    if (net) await docker('network', 'rm', net).catch(() => '');
    await bed?.close();
  });

  const endpointPort = async (container: string) => {
    const epId = await docker(
      'inspect',
      '-f',
      `{{(index .NetworkSettings.Networks "${net}").EndpointID}}`,
      container,
    );
    const [port] = await bed.neutron.list('ports', { tags: idTags(epId).join(',') });
    assert.ok(port, `port of ${container}`);
    return port;
  };

  test('docker rm returns the port to the pool; a later container reuses it and pings', async () => {
    net = `${bed.prefix}-recycle`;
    await docker(
      'network',
      'create',
      '-d',
      bed.driver,
      '--ipam-driver',
      bed.driver,
      '--subnet',
      '10.238.14.0/24',
      net,
    );
    const ids = await neutronNetworkOf(bed, net);
    assert.ok(ids.network);
    dockerId = ids.dockerId;
    neutronNet = ids.network.id;
    const [subnet] = await bed.neutron.list('subnets', { network_id: neutronNet });
    assert.ok(subnet && bed.portPool);
    await bed.portPool.fill(subnet); // settle the pre-warm: the first container must get a pooled port
    const pooled = new Set(bed.portPool.portIds());
    const a = await runContainer(bed, `${bed.prefix}-ra`, net);
    containers.push(a);
    const first = await endpointPort(a);
    assert.ok(pooled.has(first.id), 'the first container got a pooled port');
    await docker('rm', '-f', a);
    containers.splice(containers.indexOf(a), 1);
    const [back] = await bed.neutron.list('ports', { id: first.id });
    assert.ok(back, 'the port was not deleted');
    assert.deepEqual(back.tags, [TAG_PORT_POOL]);
    assert.ok(bed.portPool?.portIds().includes(first.id), 'back in the free list');
    // take ports until the recycled one comes out (free list order), then prove it carries traffic
    let reused = '';
    for (let i = 0; i < 4 && !reused; i++) {
      const c = await runContainer(bed, `${bed.prefix}-r${i}`, net);
      containers.push(c);
      if ((await endpointPort(c)).id === first.id) reused = c;
    }
    assert.ok(reused, 'a later container got the recycled port');
    let other = containers.find((c) => c !== reused);
    if (!other) {
      other = await runContainer(bed, `${bed.prefix}-r9`, net);
      containers.push(other);
    }
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
    for (const c of [...containers]) await docker('rm', '-f', c);
    containers.length = 0;
    await docker('network', 'rm', net);
    net = '';
    assert.deepEqual(await leftovers(bed, [dockerId], [neutronNet], []), []);
  });
});
