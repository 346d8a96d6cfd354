import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { isValidationError } from '../../common/errors/index.js';
import { FakeNetlink } from '../netlink/fake-netlink.js';
import { FakeNestedNeutron, buildPort } from '../testing/fakes.js';
import { NestedDriver } from './nested-driver.js';

const logger = pino({ level: 'silent' });
const NS = '/var/run/netns/c1';
const port = buildPort({ 'binding:vif_type': 'unbound' });

function setup() {
  const nl = new FakeNetlink();
  nl.addNetns(NS);
  void nl.createBridge({ name: 'ens3' }); // the VM's interface
  const neutron = new FakeNestedNeutron();
  neutron.ports.set('vm', {
    ...buildPort({ id: 'vm' }),
    allowed_address_pairs: [],
    revision_number: 3,
  });
  return { nl, neutron, before: nl.snapshot() };
}
const target = {
  port,
  netns: NS,
  ifName: 'eth0',
  linkIface: 'ens3',
  vmPortId: 'vm',
  ip: { addresses: [{ cidr: '10.0.1.7/24' }], routes: [] },
};

test('macvlan: child of link_iface created in the netns with the port MAC; pair added to the VM port', async () => {
  const { nl, neutron, before } = setup();
  const d = new NestedDriver('macvlan', { netlink: nl, logger, neutron });
  await d.bind(target);
  await d.bind(target);
  const eth0 = await nl.getLink('eth0', NS);
  assert.equal(eth0?.kind, 'macvlan');
  assert.equal(eth0?.mac, port.mac_address);
  assert.deepEqual(neutron.ports.get('vm')?.allowed_address_pairs, [
    { ip_address: '10.0.1.7', mac_address: port.mac_address },
  ]);
  assert.equal((await d.check(target)).ok, true);
  await d.unbind(target);
  await d.unbind(target);
  assert.deepEqual(neutron.ports.get('vm')?.allowed_address_pairs, []);
  assert.deepEqual(nl.snapshot(), before);
});

test('macvlan: pair update retried on a concurrent VM-port update (revision_number)', async () => {
  const { nl, neutron } = setup();
  neutron.conflicts = 2;
  await new NestedDriver('macvlan', { netlink: nl, logger, neutron }).bind(target);
  assert.equal(neutron.ports.get('vm')?.allowed_address_pairs?.length, 1);
});

test('macvlan: a pair write that Neutron accepted but lost is redone (read-back)', async () => {
  const { nl, neutron } = setup();
  neutron.lostWrites = 2;
  await new NestedDriver('macvlan', { netlink: nl, logger, neutron }).bind(target);
  assert.equal(neutron.ports.get('vm')?.allowed_address_pairs?.length, 1);
});

test('macvlan: Neutron failure removes the macvlan again', async () => {
  const { nl, neutron, before } = setup();
  neutron.ports.delete('vm');
  await assert.rejects(new NestedDriver('macvlan', { netlink: nl, logger, neutron }).bind(target));
  assert.deepEqual(nl.snapshot(), before);
});

test('vlan: needs a valid vlanId and link_iface; creates a vlan child', async () => {
  const { nl } = setup();
  const d = new NestedDriver('vlan', { netlink: nl, logger });
  await assert.rejects(d.bind({ ...target, vlanId: 0 }), isValidationError);
  await assert.rejects(d.bind({ ...target, vlanId: 5, linkIface: undefined }), isValidationError);
  await d.bind({ ...target, vlanId: 5 });
  assert.equal((await nl.getLink('eth0', NS))?.kind, 'vlan');
});
