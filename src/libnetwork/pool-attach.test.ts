import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { FakeNeutron } from '../openstack/testing/fake-neutron.js';
import { createLibnetworkServer } from './create-libnetwork.js';
import type { HostBinder } from './host-binder.js';
import type { Subnet } from './neutron-port.js';
import { RestLibnetworkNeutron } from './neutron-rest.js';
import { defaultLibnetworkOptions } from './options.js';
import { restBulkCreatePorts } from './port-pool-bulk.js';
import { PortPool, TAG_PORT_POOL } from './port-pool.js';

const NET = 'a'.repeat(32) + 'b'.repeat(32);
const log = pino({ level: 'silent' });
let epSeq = 0;

function setup(opts: { fatal?: boolean } = {}) {
  const fake = new FakeNeutron();
  const neutron = new RestLibnetworkNeutron(fake);
  // min 1, batch 2: one hand-out leaves 1 free port, so no background refill mixes into the counted requests
  const pool = new PortPool(
    neutron,
    { min: 1, batch: 2, max: 4, host: 'host1' },
    log,
    restBulkCreatePorts(fake),
  );
  const binder: HostBinder = {
    plug: (port) => Promise.resolve(`t_c${port.id.slice(0, 11)}`),
    unplug: () => Promise.resolve(),
  };
  const server = createLibnetworkServer({
    neutron,
    binder,
    options: {
      ...defaultLibnetworkOptions('host1'),
      vifPluggingIsFatal: opts.fatal ?? false,
      vifPluggingTimeout: 1,
    },
    log,
    portPool: pool,
  });
  const call = async (path: string, body: unknown = {}) => {
    const r = await server.dispatch(path, JSON.stringify(body));
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const subnets = () => fake.all('subnets') as unknown as Subnet[];
  async function network(pools: { cidr: string; v6: boolean }[]) {
    const data: Record<'4' | '6', unknown[]> = { '4': [], '6': [] };
    const ids: string[] = [];
    for (const p of pools) {
      const rp = await call('/IpamDriver.RequestPool', { Pool: p.cidr, V6: p.v6, Options: {} });
      ids.push(String(rp.PoolID));
      const gw = (rp.Data as Record<string, string>)['com.docker.network.gateway'];
      data[p.v6 ? '6' : '4'].push({ AddressSpace: 'x', Pool: p.cidr, Gateway: gw });
    }
    await call('/NetworkDriver.CreateNetwork', {
      NetworkID: NET,
      Options: { 'com.docker.network.generic': {} },
      IPv4Data: data['4'],
      IPv6Data: data['6'],
    });
    for (const s of subnets()) await pool.fill(s); // settle the background pre-warm
    return ids;
  }
  async function attach(poolIds: string[], mac = '') {
    const EP = String(++epSeq).padStart(64, 'e');
    const addrs: string[] = [];
    for (const id of poolIds) {
      const r = await call('/IpamDriver.RequestAddress', {
        PoolID: id,
        Address: '',
        Options: null,
      });
      addrs.push(String(r.Address));
    }
    const ce = await call('/NetworkDriver.CreateEndpoint', {
      NetworkID: NET,
      EndpointID: EP,
      Interface: {
        Address: addrs.find((a) => !a.includes(':')) ?? '',
        AddressIPv6: addrs.find((a) => a.includes(':')) ?? '',
        MacAddress: mac,
      },
      Options: {},
    });
    await call('/NetworkDriver.Join', { NetworkID: NET, EndpointID: EP, SandboxKey: '/x' });
    return { EP, addrs, ce };
  }
  async function detach(poolIds: string[], ep: { EP: string; addrs: string[] }) {
    await call('/NetworkDriver.Leave', { NetworkID: NET, EndpointID: ep.EP });
    await call('/NetworkDriver.DeleteEndpoint', { NetworkID: NET, EndpointID: ep.EP });
    for (const [i, id] of poolIds.entries()) {
      const Address = (ep.addrs[i] ?? '').split('/')[0];
      await call('/IpamDriver.ReleaseAddress', { PoolID: id, Address });
    }
  }
  const trace = (from: number) => fake.requests.slice(from).map((r) => `${r.method} ${r.path}`);
  return { fake, pool, call, network, attach, detach, trace, subnets };
}

describe('libnetwork with a port pool (fake Neutron)', () => {
  test('IPAM capabilities: RequiresMACAddress false with a pool', async () => {
    const { call } = setup();
    assert.equal((await call('/IpamDriver.GetCapabilities')).RequiresMACAddress, false);
  });

  test('CreateNetwork pre-warms the subnet pool with bound, pool-tagged ports', async () => {
    const { fake, network, pool, subnets } = setup();
    await network([{ cidr: '10.1.0.0/24', v6: false }]);
    const [s] = subnets();
    assert.ok(s);
    assert.equal(pool.size(s.id), 2);
    for (const p of fake.all('ports')) {
      assert.equal(p['binding:host_id'], 'host1');
      assert.deepEqual(p.tags, [TAG_PORT_POOL]);
    }
  });

  test('warm attach is one request (tags PUT) and CreateEndpoint returns the port MAC', async () => {
    const { fake, network, attach, trace } = setup();
    const ids = await network([{ cidr: '10.1.0.0/24', v6: false }]);
    const n0 = fake.requests.length;
    const { EP, ce } = await attach(ids);
    const port = fake.all('ports').find((p) => p.tags.some((x) => x.endsWith(EP.slice(32))));
    assert.ok(port);
    assert.deepEqual(trace(n0), [`PUT /v2.0/ports/${port.id}/tags`]);
    assert.deepEqual(ce, { Interface: { MacAddress: port['mac_address'] } });
    assert.ok(!port.tags.includes(TAG_PORT_POOL));
    assert.ok(port.tags.includes('compute:kuryr'));
  });

  test('detach recycles an untouched pooled port: ONE tags PUT, back in the pool, never deleted', async () => {
    const { fake, network, attach, detach, pool, trace, subnets } = setup();
    const ids = await network([{ cidr: '10.1.0.0/24', v6: false }]);
    const ep = await attach(ids);
    const port = fake.all('ports').find((p) => p.tags.some((x) => x.endsWith(ep.EP.slice(32))));
    assert.ok(port);
    const n0 = fake.requests.length;
    await detach(ids, ep);
    assert.deepEqual(trace(n0), [`PUT /v2.0/ports/${port.id}/tags`]);
    assert.deepEqual(fake.all('ports').find((p) => p.id === port.id)?.tags, [TAG_PORT_POOL]);
    const [s] = subnets();
    assert.ok(s && pool.portIds().includes(port.id));
  });

  test('detach deletes instead of recycling: --mac-address port, or vif_plugging_is_fatal', async () => {
    const a = setup();
    const ids = await a.network([{ cidr: '10.1.0.0/24', v6: false }]);
    const ep = await a.attach(ids, 'fa:16:3e:00:00:43');
    await a.detach(ids, ep);
    assert.ok(!a.fake.all('ports').some((p) => p['mac_address'] === 'fa:16:3e:00:00:43'));
    const b = setup({ fatal: true });
    const ids2 = await b.network([{ cidr: '10.1.0.0/24', v6: false }]);
    const before = new Set(b.fake.all('ports').map((p) => p.id));
    // the fake never turns ports ACTIVE: mark them so CreateEndpoint's wait ends
    for (const p of b.fake.all('ports')) p['status'] = 'ACTIVE';
    const ep2 = await b.attach(ids2);
    const used = b.fake.all('ports').find((p) => p.tags.some((x) => x.endsWith(ep2.EP.slice(32))));
    assert.ok(used && before.has(used.id));
    await b.detach(ids2, ep2);
    assert.ok(!b.fake.all('ports').some((p) => p.id === used.id), 'deleted');
  });

  test('--mac-address: unbind, set MAC + bind again, tag; the set MAC is not echoed', async () => {
    const { fake, network, attach } = setup();
    const ids = await network([{ cidr: '10.1.0.0/24', v6: false }]);
    const mac = 'fa:16:3e:00:00:42';
    const n0 = fake.requests.length;
    const { ce } = await attach(ids, mac);
    assert.deepEqual(ce, { Interface: {} });
    const port = fake.all('ports').find((p) => p['mac_address'] === mac);
    assert.ok(port, 'the port has the user MAC');
    assert.equal(port['binding:host_id'], 'host1');
    const puts = fake.requests
      .slice(n0)
      .filter((r) => r.method === 'PUT' && r.path === `/v2.0/ports/${port.id}`)
      .map((r) => JSON.stringify(r.body));
    assert.equal(puts.length, 2);
    assert.match(puts[0] ?? '', /"binding:host_id":""/);
    assert.match(puts[1] ?? '', /"mac_address":"fa:16:3e:00:00:42"/);
  });

  test('dual stack: v4 and v6 pooled ports are merged into one port holding both addresses', async () => {
    const { fake, network, attach } = setup();
    const ids = await network([
      { cidr: '10.1.0.0/24', v6: false },
      { cidr: 'fd00:1::/64', v6: true },
    ]);
    const { EP, addrs } = await attach(ids);
    const mine = fake.all('ports').filter((p) => p.tags.some((x) => x.endsWith(EP.slice(32))));
    assert.equal(mine.length, 1);
    const ips = (mine[0]?.['fixed_ips'] as { ip_address: string }[]).map((f) => f.ip_address);
    assert.deepEqual(ips.sort(), addrs.map((a) => a.split('/')[0]).sort());
    const holders = fake
      .all('ports')
      .filter((p) =>
        (p['fixed_ips'] as { ip_address: string }[]).some((f) => ips.includes(f.ip_address)),
      );
    assert.equal(holders.length, 1, 'the v6 pooled port is gone');
  });

  test('network rm drains the free pooled ports before deleting subnets; nothing is left', async () => {
    const { fake, network, call, pool, subnets } = setup();
    const ids = await network([{ cidr: '10.1.0.0/24', v6: false }]);
    const [s] = subnets();
    assert.ok(s && pool.size(s.id) === 2);
    for (const id of ids) await call('/IpamDriver.ReleasePool', { PoolID: id });
    await call('/NetworkDriver.DeleteNetwork', { NetworkID: NET });
    assert.equal(fake.all('ports').length, 0);
    assert.equal(fake.all('subnets').length, 0);
    assert.equal(fake.all('networks').length, 0);
    assert.equal(fake.all('subnetpools').length, 0);
    assert.equal(pool.size(s.id), 0);
    pool.refillInBackground(s); // a late refill of a retired subnet does nothing
    await pool.fill(s);
    assert.equal(fake.all('ports').length, 0);
  });
});
