/**
 * E2E with the real dockerd 20.10 (scripts/docker.sh) and the real Neutron + linuxbridge agent: containers
 * on kuryr networks get Neutron-bound interfaces and ping each other; pre-existing Neutron network; dual
 * stack; --expose; network without --subnet; plugin restart between network create and docker run; after
 * docker rm and docker network rm, Neutron holds nothing kuryr created.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { containerIp, docker, neutronNetworkOf } from './docker-harness.js';
import { DockerSuite } from './docker-suite.js';

describe('kuryr libnetwork with real dockerd', () => {
  const s = new DockerSuite();
  const createNetwork = async (suffix: string, args: string[]) =>
    (await s.createNetwork(suffix, args)).name;

  test('two containers on a kuryr network ping each other over ACTIVE Neutron ports', async () => {
    const net = await createNetwork('ping', ['--subnet', '10.238.1.0/24']);
    const a = await s.run('a', net);
    const b = await s.run('b', net);
    const pa = await s.portOf(a, net);
    const pb = await s.portOf(b, net);
    assert.equal(pa.status, 'ACTIVE');
    assert.equal(pb['binding:host_id'], s.bed.host);
    const ipB = await containerIp(b, net);
    assert.equal(ipB, pb.fixed_ips[0]?.ip_address);
    const out = await docker('exec', a, 'ping', '-c', '2', '-W', '3', ipB);
    assert.match(out, / 0% packet loss/);
    const route = await docker('exec', a, 'ip', 'route');
    assert.match(route, /default via 10\.238\.1\.1/);
    await s.rm(a, b);
    await s.netRm(net);
  });

  test('container on a pre-existing Neutron network (-o neutron.net.uuid); network kept and untagged after rm', async () => {
    const user = await s.bed.neutron.create('networks', { name: `${s.bed.prefix}-user` });
    s.onClose(() => s.bed.neutron.delete('networks', user.id));
    const net = await createNetwork('adopt', [
      '--subnet',
      '10.238.2.0/24',
      '-o',
      `neutron.net.uuid=${user.id}`,
    ]);
    const c = await s.run('c', net);
    const port = await s.portOf(c, net);
    assert.equal(port.network_id, user.id);
    assert.equal(port.status, 'ACTIVE');
    await s.rm(c);
    await s.netRm(net);
    const kept = await s.bed.neutron.get('networks', user.id);
    assert.deepEqual(kept.tags, []);
    assert.deepEqual(kept.subnets, []);
    s.neutronNets.push(user.id);
  });

  test('dual stack: the container has both addresses from one Neutron port', async () => {
    const net = await createNetwork('dual', [
      '--ipv6',
      '--subnet',
      '10.238.3.0/24',
      '--subnet',
      'fd31:7e:3::/64',
    ]);
    const d = await s.run('d', net);
    const port = await s.portOf(d, net);
    assert.equal(port.fixed_ips.length, 2);
    const v6 = await containerIp(d, net, true);
    assert.ok(
      port.fixed_ips.some((f) => f.ip_address === v6),
      `v6 ${v6} on the port`,
    );
    const addrs = await docker('exec', d, 'ip', 'addr');
    assert.match(addrs, /inet6 fd31:7e:3:/);
    await s.rm(d);
    await s.netRm(net);
  });

  test('--expose creates <port>-exposed_ports with the rules; docker rm removes it', async () => {
    const net = await createNetwork('expose', ['--subnet', '10.238.4.0/24']);
    const e = await s.run('e', net, ['--expose', '8080-8082', '--expose', '53/udp']);
    const port = await s.portOf(e, net);
    const [sg] = await s.bed.neutron.list('security-groups', { name: `${port.id}-exposed_ports` });
    assert.ok(sg, 'exposed-ports security group');
    const rules = (await s.bed.neutron.list('security-group-rules', { security_group_id: sg.id }))
      .filter((r) => r.direction === 'ingress')
      .map((r) => `${r.protocol}:${r.port_range_min}-${r.port_range_max}`)
      .sort();
    assert.deepEqual(rules, ['tcp:8080-8082', 'udp:53-53']);
    await s.rm(e);
    assert.equal((await s.bed.neutron.list('security-groups', { id: sg.id })).length, 0);
    await s.netRm(net);
  });

  test('network without --subnet works; plugin restarted between network create and docker run', async () => {
    const net = await createNetwork('nosubnet', []);
    const { network } = await neutronNetworkOf(s.bed, net);
    assert.ok(network);
    const [subnet] = await s.bed.neutron.list('subnets', { network_id: network.id });
    assert.match(subnet?.cidr ?? '', /^10\.239\.\d+\.0\/24$/);
    await s.bed.restartPlugin();
    const f = await s.run('f', net);
    const g = await s.run('g', net);
    await s.portOf(f, net);
    const out = await docker('exec', f, 'ping', '-c', '2', '-W', '3', await containerIp(g, net));
    assert.match(out, / 0% packet loss/);
    await s.rm(f, g);
    await s.netRm(net);
  });

  test('after docker rm and docker network rm, Neutron holds nothing kuryr created', async () => {
    assert.ok(s.dockerIds.length >= 5);
    assert.deepEqual(await s.leftovers(), []);
  });
});
