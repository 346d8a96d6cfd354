/**
 * Integration: endpoint calls (RequestAddress, CreateEndpoint, Join, Program/Revoke, Leave, DeleteEndpoint,
 * ReleaseAddress) against the real Neutron: ports bound to the agent host, tags, SGs, request budgets,
 * plugin restart between calls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TAG_COMPUTE_KURYR, idTags } from '../../../src/common/tags.js';
import {
  attach,
  type Bed,
  createDockerNetwork,
  detach,
  dockerId,
  removeDockerNetwork,
  startBed,
} from './harness.js';

describe('libnetwork endpoint calls (real Neutron)', () => {
  let bed: Bed;
  let net: Awaited<ReturnType<typeof createDockerNetwork>>;
  before(async () => {
    bed = await startBed();
    net = await createDockerNetwork(bed, { v4: { pool: '10.233.1.0/24' } });
    assert.equal(net.reply.status, 200, JSON.stringify(net.reply.body));
  });
  after(async () => {
    if (bed && net) await removeDockerNetwork(bed, net).catch(() => undefined);
    await bed?.close();
  });

  test('attach: one bound port tagged with the EndpointID, Join answers name/gateway, ≤ 2 Neutron calls', async () => {
    const n0 = bed.client.count;
    const ep = await attach(bed, net);
    const calls = bed.client.count - n0;
    assert.equal(ep.createEndpoint.status, 200, JSON.stringify(ep.createEndpoint.body));
    assert.deepEqual(ep.createEndpoint.body, { Interface: {} });
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body));
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.ok(port, 'port tagged with lh/uh of the EndpointID');
    assert.ok(port.tags.includes(TAG_COMPUTE_KURYR));
    assert.equal(port['binding:host_id'], bed.env.bindingHost);
    assert.equal(port['binding:vif_type'], bed.env.vifType);
    assert.equal(port.device_owner, 'compute:kuryr');
    assert.equal(port.mac_address, ep.mac);
    assert.equal(`${port.fixed_ips[0]?.ip_address}/24`, ep.addresses[0]?.address);
    assert.deepEqual(ep.join?.body.InterfaceName, {
      SrcName: `t_c${port.id.slice(0, 11)}`,
      DstPrefix: 'eth',
    });
    assert.equal(ep.join?.body.Gateway, '10.233.1.1');
    assert.deepEqual(bed.plugged, [port.id]);
    assert.ok(calls <= 2, `attach used ${calls} Neutron calls`);

    const n1 = bed.client.count;
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
    assert.ok(bed.client.count - n1 <= 2, `detach used ${bed.client.count - n1} Neutron calls`);
    assert.equal((await bed.neutron.list('ports', { id: port.id })).length, 0);
    assert.deepEqual(bed.plugged, []);
    // idempotent: a second DeleteEndpoint / ReleaseAddress succeeds
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
  });

  test('--ip requests that address; --expose makes <port>-exposed_ports before plug, Revoke drops its rules, DeleteEndpoint the group', async () => {
    const exposed = [
      { Proto: 6, Port: 80 },
      { Proto: 6, Port: 81 },
      { Proto: 6, Port: 82 },
      { Proto: 6, Port: 443 },
      { Proto: 17, Port: 53 },
    ];
    const ep = await attach(bed, net, { ip: '10.233.1.77', exposed });
    assert.equal(ep.addresses[0]?.address, '10.233.1.77/24');
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body ?? ep.createEndpoint.body));
    const ids = { NetworkID: net.networkId, EndpointID: ep.endpointId };
    const prog = await bed.call('/NetworkDriver.ProgramExternalConnectivity', {
      ...ids,
      Options: { 'com.docker.network.endpoint.exposedports': exposed },
    });
    assert.equal(prog.status, 200, JSON.stringify(prog.body));
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.ok(port);
    const sgs = await bed.neutron.list('security-groups', { name: `${port.id}-exposed_ports` });
    assert.equal(sgs.length, 1, 'exactly one exposed-ports security group');
    const sg = sgs[0]!;
    assert.ok(port.security_groups.includes(sg.id));
    const ingress = async () =>
      (await bed.neutron.list('security-group-rules', { security_group_id: sg.id }))
        .filter((r) => r.direction === 'ingress')
        .map((r) => `${r.protocol}:${r.port_range_min}-${r.port_range_max}`)
        .sort();
    assert.deepEqual(await ingress(), ['tcp:443-443', 'tcp:80-82', 'udp:53-53']);
    assert.equal((await bed.call('/NetworkDriver.RevokeExternalConnectivity', ids)).status, 200);
    assert.deepEqual(await ingress(), []);
    assert.equal((await bed.call('/NetworkDriver.Leave', ids)).status, 200);
    assert.equal((await bed.call('/NetworkDriver.DeleteEndpoint', ids)).status, 200);
    assert.equal((await bed.neutron.list('security-groups', { id: sg.id })).length, 0);
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
  });

  test('ProgramExternalConnectivity alone (ports not in CreateEndpoint) still creates the group', async () => {
    const ep = await attach(bed, net);
    const ids = { NetworkID: net.networkId, EndpointID: ep.endpointId };
    const prog = await bed.call('/NetworkDriver.ProgramExternalConnectivity', {
      ...ids,
      Options: { 'com.docker.network.endpoint.exposedports': [{ Proto: 6, Port: 8080 }] },
    });
    assert.equal(prog.status, 200, JSON.stringify(prog.body));
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    const [sg] = await bed.neutron.list('security-groups', { name: `${port?.id}-exposed_ports` });
    assert.ok(sg && port?.security_groups.includes(sg.id));
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
    assert.equal((await bed.neutron.list('security-groups', { id: sg.id })).length, 0);
  });

  test('plugin restart between attach and detach: Join and teardown work from Neutron tags alone', async () => {
    const ep = await attach(bed, net);
    await bed.restart();
    const join = await bed.call('/NetworkDriver.Join', {
      NetworkID: net.networkId,
      EndpointID: ep.endpointId,
      SandboxKey: '/x',
    });
    assert.equal(join.status, 200, JSON.stringify(join.body));
    assert.equal(join.body.Gateway, '10.233.1.1');
    const [port] = await bed.neutron.list('ports', { tags: idTags(ep.endpointId).join(',') });
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
    assert.equal((await bed.neutron.list('ports', { id: port?.id ?? '' })).length, 0);
  });

  test('plugin restart between network create and attach: a new endpoint works', async () => {
    await bed.restart();
    const n0 = bed.client.count;
    const ep = await attach(bed, net);
    assert.equal(ep.join?.status, 200, JSON.stringify(ep.join?.body));
    assert.ok(bed.client.count - n0 <= 5, `cold attach used ${bed.client.count - n0}`);
    assert.deepEqual(await detach(bed, net.networkId, ep), [200, 200, 200, 200]);
  });

  test('CreateEndpoint / Join on an unknown network fail with non-200 + Err (never 200 + Err, never 404)', async () => {
    const ids = { NetworkID: 'e'.repeat(64), EndpointID: 'd'.repeat(64) };
    const ce = await bed.call('/NetworkDriver.CreateEndpoint', {
      ...ids,
      Interface: { Address: '10.233.1.9/24', AddressIPv6: '', MacAddress: 'fa:16:3e:00:00:09' },
    });
    assert.equal(ce.status, 500);
    assert.match(String(ce.body.Err), /not found/);
    const join = await bed.call('/NetworkDriver.Join', ids);
    assert.ok(join.status >= 400 && join.status !== 404);
    assert.ok(join.body.Err);
    for (const p of [
      '/NetworkDriver.Leave',
      '/NetworkDriver.DeleteEndpoint',
      '/NetworkDriver.RevokeExternalConnectivity',
    ]) {
      assert.equal((await bed.call(p, ids)).status, 200, p);
    }
  });

  test('malformed JSON and schema violations answer 400 and make no Neutron call', async () => {
    const n0 = bed.client.count;
    const bad = await bed.call('/NetworkDriver.CreateEndpoint', '{"NetworkID":');
    assert.equal(bad.status, 400);
    const missing = await bed.call('/IpamDriver.RequestAddress', { Address: '' });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.Error);
    const wrong = await bed.call('/NetworkDriver.CreateNetwork', { NetworkID: 'x/../y' });
    assert.equal(wrong.status, 400);
    assert.equal(bed.client.count, n0);
  });
});

describe("libnetwork NetworkDriver with Docker's own IPAM (real Neutron)", () => {
  let bed: Bed;
  before(async () => {
    bed = await startBed();
  });
  after(async () => {
    await bed?.close();
  });

  test('CreateEndpoint makes the bound port itself; DeleteEndpoint removes it; network rm cleans up', async () => {
    const networkId = dockerId();
    bed.networks.add(networkId);
    const cn = await bed.call('/NetworkDriver.CreateNetwork', {
      NetworkID: networkId,
      Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': {} },
      IPv4Data: [{ AddressSpace: 'LocalDefault', Pool: '10.233.9.0/24', Gateway: '10.233.9.1/24' }],
      IPv6Data: [],
    });
    assert.equal(cn.status, 200, JSON.stringify(cn.body));
    const [network] = await bed.neutron.list('networks', { tags: idTags(networkId).join(',') });
    const [subnet] = await bed.neutron.list('subnets', { network_id: network?.id ?? '' });
    assert.equal(subnet?.subnetpool_id, null);
    const endpointId = dockerId();
    const ce = await bed.call('/NetworkDriver.CreateEndpoint', {
      NetworkID: networkId,
      EndpointID: endpointId,
      Interface: { Address: '10.233.9.5/24', AddressIPv6: '', MacAddress: '' },
    });
    assert.equal(ce.status, 200, JSON.stringify(ce.body));
    const [port] = await bed.neutron.list('ports', { tags: idTags(endpointId).join(',') });
    assert.ok(port);
    assert.deepEqual(ce.body, { Interface: { MacAddress: port.mac_address } });
    assert.equal(port.fixed_ips[0]?.ip_address, '10.233.9.5');
    assert.equal(port['binding:host_id'], bed.env.bindingHost);
    const ids = { NetworkID: networkId, EndpointID: endpointId };
    assert.equal((await bed.call('/NetworkDriver.Join', ids)).body.Gateway, '10.233.9.1');
    assert.equal((await bed.call('/NetworkDriver.DeleteEndpoint', ids)).status, 200);
    assert.equal((await bed.neutron.list('ports', { id: port.id })).length, 0);
    assert.equal(
      (await bed.call('/NetworkDriver.DeleteNetwork', { NetworkID: networkId })).status,
      200,
    );
    assert.equal((await bed.neutron.list('networks', { id: network?.id ?? '' })).length, 0);
  });
});
