import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import {
  isConflictError,
  isConfigurationError,
  isNotFoundError,
} from '../../common/errors/index.js';
import { FakeNetlink } from '../netlink/fake-netlink.js';
import { FakeOvsdb, buildPort } from '../testing/fakes.js';
import type { BindTarget } from '../types.js';
import { VethBridgeDriver } from './veth-bridge.js';
import { VethHybridDriver } from './veth-hybrid.js';
import { VethOvsDriver } from './veth-ovs.js';

const logger = pino({ level: 'silent' });
const NS = '/var/run/netns/c1';
const port = buildPort();
const cni = (): BindTarget => ({
  port,
  netns: NS,
  ifName: 'eth0',
  mtu: 1450,
  ip: {
    addresses: [{ cidr: '10.0.1.7/24' }, { cidr: 'fd00::7/64' }],
    routes: [{ dst: 'default', gw: '10.0.1.1' }],
  },
});
const setup = () => {
  const nl = new FakeNetlink();
  nl.addNetns(NS);
  return { nl, before: nl.snapshot() };
};

test('bridge: veth created into the netns, host end on brq<net>, L3 configured and checked', async () => {
  const { nl } = setup();
  const d = new VethBridgeDriver({ netlink: nl, logger });
  const r = await d.bind(cni());
  assert.deepEqual(r, {
    driver: 'bridge',
    hostIfName: 'tap6f1d2a0b-4c',
    containerIfName: 'eth0',
    mac: port.mac_address,
    mtu: 1450,
  });
  const eth0 = await nl.getLink('eth0', NS);
  assert.equal(eth0?.mac, port.mac_address);
  assert.equal(eth0?.mtu, 1450);
  assert.equal(eth0?.up, true);
  const br = await nl.getLink('brq0b7c1234-aa');
  assert.equal((await nl.getLink('tap6f1d2a0b-4c'))?.masterIndex, br?.index);
  assert.deepEqual(await nl.listAddresses('eth0', NS), ['10.0.1.7/24', 'fd00::7/64']);
  assert.ok(nl.calls.includes(`enableIpv6:${NS}`));
  assert.deepEqual(await d.check(cni()), { ok: true, problems: [] });
});

test('bind twice converges (no duplicate create), unbind twice is fine and leaves only the agent bridge', async () => {
  const { nl, before } = setup();
  const d = new VethBridgeDriver({ netlink: nl, logger });
  await d.bind(cni());
  const once = nl.snapshot();
  const hostIndex = (await nl.getLink('tap6f1d2a0b-4c'))?.index;
  await d.bind(cni());
  assert.deepEqual(nl.snapshot(), once);
  assert.equal((await nl.getLink('tap6f1d2a0b-4c'))?.index, hostIndex, 'pair not recreated');
  assert.deepEqual(await d.check(cni()), { ok: true, problems: [] });
  await d.unbind(cni());
  await d.unbind(cni());
  assert.deepEqual(nl.snapshot(), [...before, '|brq0b7c1234-aa'].sort());
  assert.equal((await d.check(cni())).ok, false);
});

test('a failure after the veth exists rolls everything back (veth and a bridge it created)', async () => {
  const { nl, before } = setup();
  const d = new VethBridgeDriver({ netlink: nl, logger });
  nl.failOn = /^addRoute:/;
  await assert.rejects(d.bind(cni()), /injected failure/);
  assert.deepEqual(nl.snapshot(), before);
});

test('Docker mode: both ends in the current netns, container end left down and unaddressed', async () => {
  const { nl } = setup();
  const d = new VethBridgeDriver({ netlink: nl, logger });
  await d.bind({ port, ifName: 't_c6f1d2a0b-4c' });
  const c = await nl.getLink('t_c6f1d2a0b-4c');
  assert.equal(c?.up, false);
  assert.equal(c?.mtu, 1500);
  assert.deepEqual(await nl.listAddresses('t_c6f1d2a0b-4c'), []);
  // libnetwork moved the container end away: a second bind must not recreate the pair.
  await nl.setLink('t_c6f1d2a0b-4c', { moveTo: NS });
  const hostIndex = (await nl.getLink('tap6f1d2a0b-4c'))?.index;
  await d.bind({ port, ifName: 't_c6f1d2a0b-4c' });
  assert.equal((await nl.getLink('tap6f1d2a0b-4c'))?.index, hostIndex, 'pair not recreated');
  assert.equal(await nl.getLink('t_c6f1d2a0b-4c'), undefined);
});

test('missing netns is NotFound; an unrelated eth0 already in the netns is a Conflict and nothing leaks', async () => {
  const { nl, before } = setup();
  const d = new VethBridgeDriver({ netlink: nl, logger });
  await assert.rejects(d.bind({ ...cni(), netns: '/nope' }), isNotFoundError);
  await nl.createMacvlan({ name: 'eth0', parent: 'lo', parentNetns: NS, netns: NS });
  const withEth0 = nl.snapshot();
  await assert.rejects(d.bind(cni()), isConflictError);
  assert.deepEqual(nl.snapshot(), withEth0);
  assert.notDeepEqual(withEth0, before);
});

test('ovs: port on the integration bridge with the agent external_ids; unbind removes it', async () => {
  const { nl, before } = setup();
  const ovsdb = new FakeOvsdb();
  const d = new VethOvsDriver({ netlink: nl, logger, ovsdb });
  const t = { ...cni(), port: buildPort({ 'binding:vif_type': 'ovs' }) };
  await d.bind(t);
  assert.deepEqual(await ovsdb.getPort('tap6f1d2a0b-4c'), {
    bridge: 'br-int',
    externalIds: {
      'iface-id': port.id,
      'attached-mac': port.mac_address,
      'iface-status': 'active',
      'vm-uuid': 'dev-1',
      owner: 'kuryr',
    },
  });
  assert.equal((await d.check(t)).ok, true);
  await d.unbind(t);
  await d.unbind(t);
  assert.equal(await ovsdb.getPort('tap6f1d2a0b-4c'), undefined);
  assert.deepEqual(nl.snapshot(), before);
});

test('ovs: vif_details.bridge_name is honoured; missing bridge rolls the veth back', async () => {
  const { nl, before } = setup();
  const d = new VethOvsDriver({ netlink: nl, logger, ovsdb: new FakeOvsdb() });
  const t = { ...cni(), port: buildPort({ 'binding:vif_details': { bridge_name: 'br-x' } }) };
  await assert.rejects(d.bind(t), isNotFoundError);
  assert.deepEqual(nl.snapshot(), before);
  const noDb = new VethOvsDriver({ netlink: nl, logger });
  await assert.rejects(noDb.bind(cni()), isConfigurationError);
  assert.deepEqual(nl.snapshot(), before);
});

test('ovs-hybrid: tap and qvb on qbr, qvo on br-int; OVS failure rolls back qbr and qvb/qvo', async () => {
  const { nl, before } = setup();
  const ovsdb = new FakeOvsdb();
  const d = new VethHybridDriver({ netlink: nl, logger, ovsdb });
  await d.bind(cni());
  const qbr = await nl.getLink('qbr6f1d2a0b-4c');
  assert.equal((await nl.getLink('tap6f1d2a0b-4c'))?.masterIndex, qbr?.index);
  assert.equal((await nl.getLink('qvb6f1d2a0b-4c'))?.masterIndex, qbr?.index);
  assert.equal((await ovsdb.getPort('qvo6f1d2a0b-4c'))?.externalIds['iface-id'], port.id);
  assert.equal((await d.check(cni())).ok, true);
  await d.unbind(cni());
  assert.deepEqual(nl.snapshot(), before);
  ovsdb.failAdd = true;
  await assert.rejects(d.bind(cni()), /injected OVSDB failure/);
  assert.deepEqual(nl.snapshot(), before);
});
