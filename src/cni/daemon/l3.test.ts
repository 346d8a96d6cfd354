import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Subnet } from '../../openstack/neutron/types.js';
import { cniResultFor, containerL3, prevResultProblems } from './l3.js';

const v4 = {
  id: 's4',
  cidr: '10.1.0.0/24',
  gateway_ip: '10.1.0.1',
  ip_version: 4,
  dns_nameservers: ['10.1.0.2'],
  host_routes: [{ destination: '192.168.0.0/16', nexthop: '10.1.0.254' }],
} as unknown as Subnet;
const v6 = {
  id: 's6',
  cidr: 'fd00:1::/64',
  gateway_ip: 'fd00:1::1',
  ip_version: 6,
  dns_nameservers: [],
  host_routes: [],
} as unknown as Subnet;
const port = {
  mac_address: 'fa:16:3e:00:00:01',
  fixed_ips: [
    { subnet_id: 's4', ip_address: '10.1.0.5' },
    { subnet_id: 's6', ip_address: 'fd00:1::5' },
  ],
};

test('dual stack on eth0: both addresses, host routes and one default route per family', () => {
  const l3 = containerL3({ port, subnets: [v4, v6], ifName: 'eth0' });
  assert.deepEqual(l3.addresses, [{ cidr: '10.1.0.5/24' }, { cidr: 'fd00:1::5/64' }]);
  assert.deepEqual(l3.routes, [
    { dst: '192.168.0.0/16', gw: '10.1.0.254' },
    { dst: '0.0.0.0/0', gw: '10.1.0.1' },
    { dst: '::/0', gw: 'fd00:1::1' },
  ]);
});

test('other interfaces get no default route (a second one would clash)', () => {
  const l3 = containerL3({ port, subnets: [v4, v6], ifName: 'eth1' });
  assert.deepEqual(l3.routes, [{ dst: '192.168.0.0/16', gw: '10.1.0.254' }]);
});

test('result: host tap first, container interface with sandbox and mtu, ips indexed, dns', () => {
  const r = cniResultFor({
    port,
    subnets: [v4, v6],
    ifName: 'eth0',
    netns: '/run/netns/x',
    mtu: 1450,
    hostIfName: 'tapabc',
  });
  assert.deepEqual(r.interfaces, [
    { name: 'tapabc', mac: 'fa:16:3e:00:00:01' },
    { name: 'eth0', mac: 'fa:16:3e:00:00:01', sandbox: '/run/netns/x', mtu: 1450 },
  ]);
  assert.deepEqual(
    r.ips.map((i) => i.interface),
    [1, 1],
  );
  assert.deepEqual(r.dns, { nameservers: ['10.1.0.2'] });
});

test('prevResultProblems: a foreign address or MAC is reported', () => {
  const prev = {
    interfaces: [{ name: 'eth0', sandbox: '/x', mac: 'fa:16:3e:00:00:02' }],
    ips: [{ address: '10.1.0.9/24', interface: 0 }],
    routes: [],
    dns: {},
  };
  assert.equal(prevResultProblems(prev, port, [v4, v6], 'eth0').length, 2);
  assert.deepEqual(prevResultProblems(undefined, port, [v4], 'eth0'), []);
});
