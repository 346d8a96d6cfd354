/**
 * E2E with the real dockerd 20.10 (scripts/docker.sh) and the real Neutron + linuxbridge agent: containers
 * on kuryr networks get Neutron-bound interfaces and ping each other; pre-existing Neutron network; dual
 * stack; --expose; network without --subnet; plugin restart between network create and docker run; after
 * docker rm and docker network rm, Neutron holds nothing kuryr created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { idTags } from '../../../src/common/tags.js';
import {
  containerIp,
  docker,
  type DockerBed,
  leftovers,
  neutronNetworkOf,
  runContainer,
  startDockerBed,
} from './docker-harness.js';

describe('kuryr libnetwork with real dockerd', () => {
  let bed: DockerBed;
  const containers: string[] = [];
  const networks: string[] = [];
  const dockerIds: string[] = [];
  const neutronNets: string[] = [];
  const portIds: string[] = [];
  const userNets: string[] = [];

  before(async () => {
    bed = await startDockerBed();
  });
  after(async () => {
    for (const c of containers) await docker('rm', '-f', c).catch(() => '');
    for (const n of networks) await docker('network', 'rm', n).catch(() => '');
    for (const id of userNets) await bed?.neutron.delete('networks', id).catch(() => undefined);
    await bed?.close();
  });

  async function createNetwork(suffix: string, args: string[]): Promise<string> {
    const name = `${bed.prefix}-${suffix}`;
    await docker('network', 'create', '-d', bed.driver, '--ipam-driver', bed.driver, ...args, name);
    networks.push(name);
    const { dockerId, network } = await neutronNetworkOf(bed, name);
    dockerIds.push(dockerId);
    if (network) neutronNets.push(network.id);
    return name;
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

  test('two containers on a kuryr network ping each other over ACTIVE Neutron ports', async () => {
    const net = await createNetwork('ping', ['--subnet', '10.238.1.0/24']);
    const a = await runContainer(bed, `${bed.prefix}-a`, net);
    containers.push(a);
    const b = await runContainer(bed, `${bed.prefix}-b`, net);
    containers.push(b);
    const pa = await portOf(a, net);
    const pb = await portOf(b, net);
    assert.equal(pa.status, 'ACTIVE');
    assert.equal(pb['binding:host_id'], bed.host);
    const ipB = await containerIp(b, net);
    assert.equal(ipB, pb.fixed_ips[0]?.ip_address);
    const out = await docker('exec', a, 'ping', '-c', '2', '-W', '3', ipB);
    assert.match(out, / 0% packet loss/);
    const route = await docker('exec', a, 'ip', 'route');
    assert.match(route, /default via 10\.238\.1\.1/);
    await rm(a, b);
    await netRm(net);
  });

  test('container on a pre-existing Neutron network (-o neutron.net.uuid); network kept and untagged after rm', async () => {
    const user = await bed.neutron.create('networks', { name: `${bed.prefix}-user` });
    userNets.push(user.id);
    const net = await createNetwork('adopt', [
      '--subnet',
      '10.238.2.0/24',
      '-o',
      `neutron.net.uuid=${user.id}`,
    ]);
    const c = await runContainer(bed, `${bed.prefix}-c`, net);
    containers.push(c);
    const port = await portOf(c, net);
    assert.equal(port.network_id, user.id);
    assert.equal(port.status, 'ACTIVE');
    await rm(c);
    await netRm(net);
    const kept = await bed.neutron.get('networks', user.id);
    assert.deepEqual(kept.tags, []);
    assert.deepEqual(kept.subnets, []);
    neutronNets.push(user.id);
  });

  test('dual stack: the container has both addresses from one Neutron port', async () => {
    const net = await createNetwork('dual', [
      '--ipv6',
      '--subnet',
      '10.238.3.0/24',
      '--subnet',
      'fd31:7e:3::/64',
    ]);
    const d = await runContainer(bed, `${bed.prefix}-d`, net);
    containers.push(d);
    const port = await portOf(d, net);
    assert.equal(port.fixed_ips.length, 2);
    const v6 = await containerIp(d, net, true);
    assert.ok(
      port.fixed_ips.some((f) => f.ip_address === v6),
      `v6 ${v6} on the port`,
    );
    const addrs = await docker('exec', d, 'ip', 'addr');
    assert.match(addrs, /inet6 fd31:7e:3:/);
    await rm(d);
    await netRm(net);
  });

  test('--expose creates <port>-exposed_ports with the rules; docker rm removes it', async () => {
    const net = await createNetwork('expose', ['--subnet', '10.238.4.0/24']);
    const e = await runContainer(bed, `${bed.prefix}-e`, net, [
      '--expose',
      '8080-8082',
      '--expose',
      '53/udp',
    ]);
    containers.push(e);
    const port = await portOf(e, net);
    const [sg] = await bed.neutron.list('security-groups', { name: `${port.id}-exposed_ports` });
    assert.ok(sg, 'exposed-ports security group');
    const rules = (await bed.neutron.list('security-group-rules', { security_group_id: sg.id }))
      .filter((r) => r.direction === 'ingress')
      .map((r) => `${r.protocol}:${r.port_range_min}-${r.port_range_max}`)
      .sort();
    assert.deepEqual(rules, ['tcp:8080-8082', 'udp:53-53']);
    await rm(e);
    assert.equal((await bed.neutron.list('security-groups', { id: sg.id })).length, 0);
    await netRm(net);
  });

  test('network without --subnet works; plugin restarted between network create and docker run', async () => {
    const net = await createNetwork('nosubnet', []);
    const { network } = await neutronNetworkOf(bed, net);
    assert.ok(network);
    const [subnet] = await bed.neutron.list('subnets', { network_id: network.id });
    assert.match(subnet?.cidr ?? '', /^10\.239\.\d+\.0\/24$/);
    await bed.restartPlugin();
    const f = await runContainer(bed, `${bed.prefix}-f`, net);
    containers.push(f);
    const g = await runContainer(bed, `${bed.prefix}-g`, net);
    containers.push(g);
    await portOf(f, net);
    const out = await docker('exec', f, 'ping', '-c', '2', '-W', '3', await containerIp(g, net));
    assert.match(out, / 0% packet loss/);
    await rm(f, g);
    await netRm(net);
  });

  test('after docker rm and docker network rm, Neutron holds nothing kuryr created', async () => {
    assert.ok(dockerIds.length >= 5);
    assert.deepEqual(await leftovers(bed, dockerIds, neutronNets, portIds), []);
  });
});
