import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { FakeNeutron } from '../openstack/testing/fake-neutron.js';
import { createLibnetworkServer } from './create-libnetwork.js';
import type { HostBinder } from './host-binder.js';
import { RestLibnetworkNeutron } from './neutron-rest.js';
import { defaultLibnetworkOptions } from './options.js';

const NET = 'a'.repeat(32) + 'b'.repeat(32);
const EP = 'c'.repeat(32) + 'd'.repeat(32);

function setup() {
  const fake = new FakeNeutron();
  const plugged: string[] = [];
  const binder: HostBinder = {
    plug: (port) => {
      plugged.push(port.id);
      return Promise.resolve(`t_c${port.id.slice(0, 11)}`);
    },
    unplug: (port) => {
      plugged.splice(plugged.indexOf(port.id), 1);
      return Promise.resolve();
    },
  };
  const server = createLibnetworkServer({
    neutron: new RestLibnetworkNeutron(fake),
    binder,
    options: defaultLibnetworkOptions('host1'),
    log: pino({ level: 'silent' }),
  });
  const call = async (path: string, body: unknown = {}) => {
    const r = await server.dispatch(path, typeof body === 'string' ? body : JSON.stringify(body));
    return r;
  };
  return { fake, plugged, call };
}

describe('libnetwork plugin (fake Neutron)', () => {
  test('activate and capabilities answer without a body', async () => {
    const { call, fake } = setup();
    assert.deepEqual((await call('/Plugin.Activate', '')).body, {
      Implements: ['NetworkDriver', 'IpamDriver'],
    });
    assert.equal((await call('/NetworkDriver.GetCapabilities', '')).body.Scope, 'local');
    assert.equal((await call('/IpamDriver.GetCapabilities', '')).body.RequiresMACAddress, true);
    assert.equal(fake.requests.length, 0);
  });

  test('bad JSON and schema violations answer 400 with Err and make no Neutron call', async () => {
    const { call, fake } = setup();
    const bad = await call('/NetworkDriver.CreateNetwork', '{nope');
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.Err), /not valid JSON/);
    const schema = await call('/IpamDriver.RequestAddress', { Address: 1 });
    assert.equal(schema.status, 400);
    assert.equal(schema.body.Error, schema.body.Err);
    assert.equal((await call('/Nope.Call')).status, 404);
    assert.equal(fake.requests.length, 0);
  });

  test('full lifecycle: pool, network, endpoint, join, expose, teardown', async () => {
    const { call, fake, plugged } = setup();
    const pool = await call('/IpamDriver.RequestPool', {
      Pool: '10.99.0.0/24',
      V6: false,
      Options: {},
    });
    assert.equal(pool.status, 200, JSON.stringify(pool.body));
    const poolId = String(pool.body.PoolID);
    const gw = await call('/IpamDriver.RequestAddress', {
      PoolID: poolId,
      Address: '',
      Options: { RequestAddressType: 'com.docker.network.gateway' },
    });
    assert.equal(gw.body.Address, '10.99.0.1/24');
    const net = await call('/NetworkDriver.CreateNetwork', {
      NetworkID: NET,
      Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': {} },
      IPv4Data: [
        { AddressSpace: 'no_address_space', Pool: '10.99.0.0/24', Gateway: '10.99.0.1/24' },
      ],
      IPv6Data: [],
    });
    assert.equal(net.status, 200, JSON.stringify(net.body));
    assert.equal(fake.all('networks').length, 1);
    assert.equal(fake.all('subnets').length, 1);

    const before = fake.requests.length;
    const addr = await call('/IpamDriver.RequestAddress', {
      PoolID: poolId,
      Address: '',
      Options: { 'com.docker.network.endpoint.macaddress': 'fa:16:3e:00:00:01' },
    });
    assert.equal(addr.status, 200, JSON.stringify(addr.body));
    const ip = String(addr.body.Address);
    const ce = await call('/NetworkDriver.CreateEndpoint', {
      NetworkID: NET,
      EndpointID: EP,
      Interface: { Address: ip, AddressIPv6: '', MacAddress: 'fa:16:3e:00:00:01' },
      Options: {},
    });
    assert.equal(ce.status, 200, JSON.stringify(ce.body));
    assert.deepEqual(ce.body, { Interface: {} });
    const join = await call('/NetworkDriver.Join', {
      NetworkID: NET,
      EndpointID: EP,
      SandboxKey: '/x',
    });
    assert.equal(join.status, 200, JSON.stringify(join.body));
    assert.equal(join.body.Gateway, '10.99.0.1');
    assert.ok(
      fake.requests.length - before <= 2,
      `attach used ${fake.requests.length - before} calls`,
    );
    assert.equal(plugged.length, 1);

    const prog = await call('/NetworkDriver.ProgramExternalConnectivity', {
      NetworkID: NET,
      EndpointID: EP,
      Options: {
        'com.docker.network.endpoint.exposedports': [
          { Proto: 6, Port: 80 },
          { Proto: 6, Port: 81 },
          { Proto: 17, Port: 53 },
        ],
      },
    });
    assert.equal(prog.status, 200, JSON.stringify(prog.body));
    assert.equal(
      fake.all('security-groups').filter((g) => String(g.name).endsWith('-exposed_ports')).length,
      1,
    );
    assert.equal(fake.all('security-group-rules').filter((r) => r.port_range_min === 80).length, 1);

    for (const [p, b] of [
      ['/NetworkDriver.RevokeExternalConnectivity', { NetworkID: NET, EndpointID: EP }],
      ['/NetworkDriver.Leave', { NetworkID: NET, EndpointID: EP }],
      ['/NetworkDriver.DeleteEndpoint', { NetworkID: NET, EndpointID: EP }],
      ['/IpamDriver.ReleaseAddress', { PoolID: poolId, Address: ip.split('/')[0] }],
      ['/NetworkDriver.DeleteEndpoint', { NetworkID: NET, EndpointID: EP }],
      ['/IpamDriver.ReleaseAddress', { PoolID: poolId, Address: '10.99.0.1' }],
      ['/IpamDriver.ReleasePool', { PoolID: poolId }],
      ['/NetworkDriver.DeleteNetwork', { NetworkID: NET }],
      ['/NetworkDriver.DeleteNetwork', { NetworkID: NET }],
      ['/IpamDriver.ReleasePool', { PoolID: poolId }],
    ] as const) {
      const r = await call(p, b);
      assert.equal(r.status, 200, `${p}: ${JSON.stringify(r.body)}`);
    }
    assert.equal(plugged.length, 0);
    assert.equal(fake.all('ports').filter((p) => p.device_owner === 'compute:kuryr').length, 0);
    assert.equal(fake.all('networks').length, 0);
    assert.equal(fake.all('subnetpools').length, 0);
    assert.equal(
      fake.all('security-groups').filter((g) => String(g.name).endsWith('-exposed_ports')).length,
      0,
    );
  });
});
