/**
 * Nested (containers inside a VM) binding for real: macvlan children of a veth "VM interface" in two
 * netns with their IP+MAC written to a real Neutron VM port's allowed_address_pairs, ping both ways;
 * nested VLAN: real Neutron trunk subports with free segmentation ids, and the kernel side probed —
 * where `ip link add … type vlan` fails (no 8021q), the driver must raise UnsupportedError and leak nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { NestedDriver } from '../../../src/binding/drivers/nested-driver.js';
import { NativeNetlink } from '../../../src/binding/netlink/native.js';
import {
  addAllowedAddressPairs,
  addSubport,
  pairsFor,
  removeAllowedAddressPairs,
  removeSubport,
} from '../../../src/binding/nested-neutron.js';
import { nestedNeutronFrom } from '../../../src/binding/neutron-adapter.js';
import { NeutronClient } from '../../../src/openstack/neutron/index.js';
import { createOpenStackSession } from '../../../src/openstack/session.js';
import type { BindTarget } from '../../../src/binding/types.js';
import { isUnsupportedError } from '../../../src/common/errors/index.js';
import { KeyedMutex } from '../../../src/common/keyed-mutex.js';
import type { Network, Port, Subnet } from '../../../src/openstack/neutron/types.js';
import { NeutronLite } from '../../helpers/neutron-lite.js';
import { addNetns, delNetns, kernelSupports, linkNames, ping } from '../../helpers/netns.js';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { Cleanup } from './proof.js';

const P = testPrefix('kn');
const VM_IF = `${P}p`; // the "VM interface" (a veth: this kernel has no dummy links)
const cleanup = new Cleanup();
const nl = new NativeNetlink();
const logger = pino({ level: 'silent' });
let neutron: NeutronLite;
let net: Network;
let subnet: Subnet;
let vmPort: Port;

const newPort = async (name: string): Promise<Port> => {
  const p = await neutron.createPort({
    network_id: net.id,
    name: `${P}-${name}`,
    device_owner: 'compute:kuryr',
  });
  cleanup.push(() => neutron.delete('ports', p.id));
  return p;
};

before(async () => {
  neutron = new NeutronLite(requireOpenStackEnv());
  net = await neutron.createNetwork(`${P}-net`);
  cleanup.push(() => neutron.delete('networks', net.id));
  subnet = await neutron.createSubnet({
    network_id: net.id,
    cidr: '10.214.0.0/24',
    ip_version: 4,
    name: `${P}-v4`,
  });
  vmPort = await newPort('vm');
  await nl.createVeth({ name: VM_IF, peer: { name: `${P}q` } });
  cleanup.push(() => nl.deleteLink(VM_IF).then(() => undefined));
  await nl.setLink(VM_IF, { up: true });
  await nl.setLink(`${P}q`, { up: true });
});
after(async () => {
  await cleanup.run();
  nl.close();
});

test('macvlan: two containers on the VM interface, pairs on the VM port, ping both ways, clean unbind', async () => {
  const driver = new NestedDriver('macvlan', { netlink: nl, logger, neutron, linkIface: VM_IF });
  const targets: BindTarget[] = [];
  for (const x of ['a', 'b']) {
    const name = `${P}-${x}`;
    const netns = addNetns(name);
    cleanup.push(() => delNetns(name));
    const port = await newPort(x);
    const ip = port.fixed_ips[0]?.ip_address ?? '';
    targets.push({
      port,
      netns,
      ifName: 'eth0',
      vmPortId: vmPort.id,
      ip: { addresses: [{ cidr: `${ip}/24` }], routes: [] },
    });
  }
  for (const t of targets) await driver.bind(t);
  for (const t of targets) await driver.bind(t); // idempotent
  const pairs = (await neutron.getPortFull(vmPort.id)).allowed_address_pairs;
  for (const t of targets) {
    assert.ok(
      pairs.some(
        (p) =>
          p.ip_address === t.port.fixed_ips[0]?.ip_address && p.mac_address === t.port.mac_address,
      ),
      `pair for ${t.port.id} on the VM port: ${JSON.stringify(pairs)}`,
    );
    assert.deepEqual(await driver.check(t), { ok: true, problems: [] });
  }
  assert.equal(pairs.length, 2, 'no duplicate pairs after the second bind');
  const [a, b] = targets as [BindTarget, BindTarget];
  assert.ok(ping(`${P}-a`, b.port.fixed_ips[0]?.ip_address ?? ''), 'ping a→b over macvlan');
  assert.ok(ping(`${P}-b`, a.port.fixed_ips[0]?.ip_address ?? ''), 'ping b→a over macvlan');
  for (const t of targets) {
    await driver.unbind(t);
    await driver.unbind(t);
  }
  assert.deepEqual((await neutron.getPortFull(vmPort.id)).allowed_address_pairs, []);
  for (const x of ['a', 'b']) assert.deepEqual(linkNames(`${P}-${x}`), ['lo']);
  void subnet;
});

test('vlan (Neutron side): subports get the lowest free segmentation id, never one in use', async () => {
  const parent = await newPort('trunk-parent');
  const trunk = await neutron.createTrunk(`${P}-trunk`, parent.id);
  cleanup.push(() => neutron.delete('trunks', trunk.id));
  const [s1, s2, s3] = [await newPort('sub1'), await newPort('sub2'), await newPort('sub3')];
  await neutron.addSubports(trunk.id, [
    { port_id: s2.id, segmentation_type: 'vlan', segmentation_id: 2 },
  ]);
  assert.equal(await addSubport(neutron, trunk.id, s1.id), 1);
  assert.equal(await addSubport(neutron, trunk.id, s1.id), 1, 'idempotent');
  assert.equal(await addSubport(neutron, trunk.id, s3.id), 3, '2 is taken');
  const ids = (await neutron.getTrunk(trunk.id)).sub_ports.map((s) => s.segmentation_id).sort();
  assert.deepEqual(ids, [1, 2, 3]);
  for (const s of [s1, s2, s3]) {
    await removeSubport(neutron, trunk.id, s.id);
    await removeSubport(neutron, trunk.id, s.id);
  }
  assert.deepEqual((await neutron.getTrunk(trunk.id)).sub_ports, []);
});

test('vlan (kernel side): VLAN child in the netns where supported, else a clear UnsupportedError', async () => {
  const name = `${P}-v`;
  const netns = addNetns(name);
  cleanup.push(() => delNetns(name));
  const port = await newPort('vlan');
  const driver = new NestedDriver('vlan', { netlink: nl, logger, linkIface: VM_IF });
  const target: BindTarget = {
    port,
    netns,
    ifName: 'eth0',
    vlanId: 7,
    ip: { addresses: [{ cidr: '10.214.0.250/24' }], routes: [] },
  };
  // only our own links: other suites create and delete links in the root netns concurrently
  const mine = (): string[] => linkNames().filter((n) => n.startsWith(P));
  const rootBefore = mine();
  if (kernelSupports('vlan', `${P}k`)) {
    await driver.bind(target);
    const link = await nl.getLink('eth0', netns);
    assert.equal(link?.kind, 'vlan');
    assert.equal(link?.mac, port.mac_address);
    await driver.unbind(target);
  } else {
    process.stderr.write(
      '\n!!! KERNEL HAS NO 802.1Q SUPPORT (`ip link add … type vlan` fails): nested VLAN devices cannot be\n' +
        '!!! created here; asserting the driver refuses clearly instead. Run on a kernel with 8021q for the full test.\n\n',
    );
    await assert.rejects(
      driver.bind(target),
      (e: unknown) => isUnsupportedError(e) && /8021q/.test((e as Error).message),
    );
  }
  assert.deepEqual(linkNames(name), ['lo']);
  assert.deepEqual(mine(), rootBefore);
});

test('allowed address pairs through the typed NeutronClient: 8 concurrent writers, none lost (lock + If-Match + read-back)', async () => {
  const env = requireOpenStackEnv();
  const session = createOpenStackSession(
    {
      auth: {
        type: 'password',
        authUrl: env.authUrl,
        username: env.adminUser.username,
        password: env.adminUser.password,
        projectName: env.adminUser.projectName,
        userDomainName: env.userDomainName,
        projectDomainName: env.projectDomainName,
      },
      regionName: env.region,
    },
    logger,
  );
  cleanup.push(() => session.close());
  const real = nestedNeutronFrom(new NeutronClient(session.client('network')));
  const vm = await newPort('vm-concurrent');
  const containers = await Promise.all(Array.from({ length: 8 }, (_, i) => newPort(`c${i}`)));
  const locks = new KeyedMutex();
  await Promise.all(containers.map((c) => addAllowedAddressPairs(real, vm.id, pairsFor(c), locks)));
  const after1 = (await neutron.getPortFull(vm.id)).allowed_address_pairs
    .map((p) => p.ip_address)
    .sort();
  assert.deepEqual(after1, containers.map((c) => c.fixed_ips[0]?.ip_address ?? '').sort());
  await Promise.all(
    containers.map((c) => removeAllowedAddressPairs(real, vm.id, pairsFor(c), locks)),
  );
  assert.deepEqual((await neutron.getPortFull(vm.id)).allowed_address_pairs, []);
});
