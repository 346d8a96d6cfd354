/**
 * The in-process netlink library against real network namespaces (root), with `ip -json` as oracle:
 * veth into a netns, macvlan on a veth parent, bridge, move, rename, MAC, MTU, v4/v6 addresses, routes,
 * neighbours; idempotent deletes; a failing driver bind rolls back to nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { NativeNetlink } from '../../../src/binding/netlink/native.js';
import { IpBatchNetlink } from '../../../src/binding/netlink/ip-batch.js';
import type { Netlink } from '../../../src/binding/netlink/types.js';
import { VethTapDriver } from '../../../src/binding/drivers/veth-tap.js';
import { isConflictError, isNotFoundError } from '../../../src/common/errors/index.js';
import { testPrefix } from '../../helpers/prefix.js';
import { addNetns, delNetns, linkNames, nsExec } from '../../helpers/netns.js';

const P = testPrefix('kn'); // kn-xxxxxx (9 chars)
const A1 = `${P}-a`;
const B1 = `${P}-b`;
const A2 = `${P}-c`;
const B2 = `${P}-d`;
const B = B1;
const native = new NativeNetlink();
let nsA1 = '';
let nsB1 = '';
let nsA2 = '';
let nsB2 = '';
const ipJson = (ns: string, ...args: string[]): unknown =>
  JSON.parse(execFileSync('ip', ['-n', ns, '-json', ...args], { encoding: 'utf8' }));

before(() => {
  nsA1 = addNetns(A1);
  nsB1 = addNetns(B1);
  nsA2 = addNetns(A2);
  nsB2 = addNetns(B2);
});
after(async () => {
  for (const x of ['', 'i'])
    for (const n of ['h', 'br', 'm', 'x']) await native.deleteLink(`${P}${n}${x}`);
  for (const n of [A1, B1, A2, B2]) delNetns(n);
  native.close();
});

for (const nl of [native, new IpBatchNetlink()] as Netlink[]) {
  const X = nl.name === 'native' ? '' : 'i';
  const nsA = X ? nsA2 : nsA1;
  const nsB = X ? nsB2 : nsB1;
  const A = X ? A2 : A1;
  const B = X ? B2 : B1;
  test(`${nl.name}: veth peer created directly inside the netns with MAC and MTU; L3 read back by ip -json`, async () => {
    await nl.createVeth({
      name: `${P}h${X}`,
      mtu: 1450,
      peer: { name: 'eth0', netns: nsA, mac: '02:aa:00:00:00:01', mtu: 1450 },
    });
    await nl.enableIpv6(nsA);
    await nl.addAddress('eth0', '10.201.0.2/24', nsA);
    await nl.addAddress('eth0', '10.201.0.2/24', nsA); // idempotent
    await nl.addAddress('eth0', 'fd99::2/64', nsA);
    await nl.setLink('eth0', { up: true }, nsA);
    await nl.addRoute({ dst: 'default', gw: '10.201.0.1', dev: 'eth0' }, nsA);
    await nl.addRoute({ dst: '10.202.0.0/16', gw: '10.201.0.1', dev: 'eth0' }, nsA);
    await nl.addRoute({ dst: '::/0', gw: 'fd99::1', dev: 'eth0' }, nsA);
    await nl.addRoute({ dst: '::/0', gw: 'fd99::1', dev: 'eth0' }, nsA); // idempotent
    await nl.addNeighbour({ ip: '10.201.0.9', mac: '02:aa:00:00:00:09', dev: 'eth0' }, nsA);

    const [link] = ipJson(A, 'link', 'show', 'eth0') as {
      address: string;
      mtu: number;
      flags: string[];
    }[];
    assert.equal(link?.address, '02:aa:00:00:00:01');
    assert.equal(link?.mtu, 1450);
    assert.ok(link?.flags.includes('UP'));
    const addrs = (
      ipJson(A, 'addr', 'show', 'eth0') as { addr_info: { local: string }[] }[]
    )[0]?.addr_info.map((a) => a.local);
    assert.ok(addrs?.includes('10.201.0.2') && addrs.includes('fd99::2'), String(addrs));
    const r4 = ipJson(A, 'route') as { dst: string; gateway?: string }[];
    assert.ok(r4.some((r) => r.dst === 'default' && r.gateway === '10.201.0.1'));
    assert.ok(r4.some((r) => r.dst === '10.202.0.0/16' && r.gateway === '10.201.0.1'));
    const r6 = ipJson(A, '-6', 'route') as { dst: string; gateway?: string }[];
    assert.ok(r6.some((r) => r.dst === 'default' && r.gateway === 'fd99::1'));
    const neigh = ipJson(A, 'neigh') as { dst: string; lladdr: string }[];
    assert.ok(neigh.some((n) => n.dst === '10.201.0.9' && n.lladdr === '02:aa:00:00:00:09'));

    // our own read-back agrees with the oracle
    assert.deepEqual(
      await nl.listAddresses('eth0', nsA).then((a) => a.filter((x) => !x.startsWith('fe80'))),
      ['10.201.0.2/24', 'fd99::2/64'],
    );
    assert.ok((await nl.listRoutes(nsA)).some((r) => r.dst === '::/0' && r.gw === 'fd99::1'));
    assert.equal((await nl.getLink(`${P}h${X}`))?.kind, 'veth');
  });

  test(`${nl.name}: bridge create/enslave, rename, MAC, MTU, move to another netns by path, idempotent delete`, async () => {
    await nl.createBridge({ name: `${P}br${X}` });
    await assert.rejects(nl.createBridge({ name: `${P}br${X}` }), isConflictError);
    await nl.setLink(`${P}h${X}`, { master: `${P}br${X}`, up: true, mtu: 1400 });
    const br = await nl.getLink(`${P}br${X}`);
    assert.equal((await nl.getLink(`${P}h${X}`))?.masterIndex, br?.index);
    assert.equal((await nl.getLink(`${P}h${X}`))?.mtu, 1400);
    await nl.setLink(`${P}h${X}`, { master: null });
    assert.equal((await nl.getLink(`${P}h${X}`))?.masterIndex, undefined);

    await nl.createVeth({ name: `${P}x${X}`, peer: { name: `${P}y${X}` } });
    await nl.setLink(`${P}y${X}`, { name: `${P}z${X}`, mac: '02:bb:00:00:00:02' });
    assert.equal((await nl.getLink(`${P}z${X}`))?.mac, '02:bb:00:00:00:02');
    await nl.setLink(`${P}z${X}`, { moveTo: nsB });
    assert.ok(linkNames(B).includes(`${P}z${X}`));
    assert.ok(!linkNames().includes(`${P}z${X}`));
    assert.equal(await nl.deleteLink(`${P}x${X}`), true);
    assert.equal(await nl.deleteLink(`${P}x${X}`), false);
    assert.equal(await nl.deleteLink('eth9', '/var/run/netns/kn-never-existed'), false);
    await assert.rejects(nl.getLink('lo', '/var/run/netns/kn-never-existed'), isNotFoundError);
  });

  test(`${nl.name}: macvlan (bridge mode) on a veth parent, created directly inside another netns`, async () => {
    await nl.createVeth({ name: `${P}m${X}`, peer: { name: `${P}n${X}` } });
    await nl.setLink(`${P}m${X}`, { up: true });
    await nl.setLink(`${P}n${X}`, { up: true });
    await nl.createMacvlan({
      name: 'mv0',
      parent: `${P}m${X}`,
      netns: nsB,
      mac: '02:cc:00:00:00:03',
      mtu: 1400,
    });
    const [mv] = ipJson(B, '-d', 'link', 'show', 'mv0') as {
      address: string;
      mtu: number;
      linkinfo: { info_kind: string; info_data: { mode: string } };
    }[];
    assert.equal(mv?.linkinfo.info_kind, 'macvlan');
    assert.equal(mv?.linkinfo.info_data.mode, 'bridge');
    assert.equal(mv?.address, '02:cc:00:00:00:03');
    assert.equal((await nl.getLink('mv0', nsB))?.kind, 'macvlan');
  });
}

test('a driver whose L3 step fails (unreachable gateway) rolls back: no link left anywhere', async () => {
  // only links that could be ours (tap<port>): other suites change the root netns concurrently
  const mine = (): string[] => linkNames().filter((n) => n.startsWith(`tap${P}`.slice(0, 14)));
  const rootBefore = mine();
  const bBefore = linkNames(B);
  const d = new VethTapDriver({ netlink: native, logger: pino({ level: 'silent' }) });
  const port = {
    id: `${P}-rollback-port`,
    network_id: 'n',
    mac_address: '02:dd:00:00:00:04',
    fixed_ips: [],
  };
  await assert.rejects(
    d.bind({
      port,
      netns: nsB1,
      ifName: 'eth1',
      ip: {
        addresses: [{ cidr: '10.203.0.2/24' }],
        routes: [{ dst: 'default', gw: '10.99.99.1' }],
      },
    }),
  );
  assert.deepEqual(mine(), rootBefore);
  assert.deepEqual(rootBefore, []);
  assert.deepEqual(linkNames(B), bBefore);
  assert.equal(nsExec(B, ['ip', 'link', 'show', 'eth1']).status !== 0, true);
});
