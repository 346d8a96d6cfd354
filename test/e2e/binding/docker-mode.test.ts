/**
 * Docker mode on the real kernel: CreateEndpoint-style bind in the current netns (container end
 * `t_c…` down, unaddressed, with MAC/MTU), libnetwork-style move + rename into a sandbox, idempotent
 * re-bind, unbind removes everything (also the end inside the sandbox).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { VethBridgeDriver } from '../../../src/binding/drivers/veth-bridge.js';
import { NativeNetlink } from '../../../src/binding/netlink/native.js';
import { containerVethName, hostVethName, linuxBridgeName } from '../../../src/common/naming.js';
import { addNetns, delNetns, linkNames } from '../../helpers/netns.js';
import { testPrefix } from '../../helpers/prefix.js';

const P = testPrefix('kn');
const nl = new NativeNetlink();
const port = {
  id: randomUUID(),
  network_id: `${P}-net`, // brq name = brq + "kn-xxxxxx-n": our prefix, unique per run
  mac_address: '02:6b:6e:00:00:42',
  fixed_ips: [],
};
after(async () => {
  await nl.deleteLink(hostVethName(port.id));
  await nl.deleteLink(linuxBridgeName(port.network_id));
  delNetns(`${P}-sbx`);
  nl.close();
});

test('Docker: bind in the current netns, sandbox move, idempotent re-bind, clean unbind', async () => {
  const d = new VethBridgeDriver({ netlink: nl, logger: pino({ level: 'silent' }) });
  const t = { port, ifName: containerVethName(port.id), mtu: 1450 };
  const r = await d.bind(t);
  assert.equal(r.hostIfName, hostVethName(port.id));
  const c = await nl.getLink(t.ifName);
  assert.deepEqual([c?.mac, c?.mtu, c?.up], [port.mac_address, 1450, false]);
  assert.deepEqual(await nl.listAddresses(t.ifName), []);
  const host = await nl.getLink(hostVethName(port.id));
  assert.equal(host?.up, true);
  assert.equal(host?.masterIndex, (await nl.getLink(linuxBridgeName(port.network_id)))?.index);

  // what libnetwork does at Join: move into the sandbox and rename to the DstPrefix name
  const sandbox = addNetns(`${P}-sbx`);
  await nl.setLink(t.ifName, { moveTo: sandbox });
  await nl.setLink(t.ifName, { name: 'eth7', up: true }, sandbox);
  await d.bind(t);
  assert.equal((await nl.getLink(hostVethName(port.id)))?.index, host?.index, 'pair not recreated');
  assert.ok(linkNames(`${P}-sbx`).includes('eth7'));

  await d.unbind(t);
  await d.unbind(t);
  assert.equal(await nl.getLink(hostVethName(port.id)), undefined);
  assert.deepEqual(linkNames(`${P}-sbx`), ['lo']);
});
