/**
 * Standalone CNI mode against the REAL test-bed Neutron and real network namespaces: the built kuryr-cni
 * executable talks to an in-process daemon over a root-only unix socket. Proves ADD (port tagged and bound
 * to the linuxbridge agent's host, eth0 + address + default route in the netns, ping between two
 * containers), IP=/MAC= args, CHECK, DEL (idempotent, empty netns), GC with valid-attachments, STATUS,
 * and the error codes with nothing left in Neutron.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import pino from 'pino';
import { startCniDaemon, type RunningCniDaemon } from '../../../src/cni/daemon/cni-daemon.js';
import type { NeutronClient } from '../../../src/openstack/neutron/index.js';
import type { OpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import {
  addNetns,
  addressesIn,
  adminConnection,
  adminNeutron,
  buildCni,
  delNetns,
  ip,
  pingFrom,
  runCni,
} from './cni-harness.js';

const os = requireOpenStackEnv();
const prefix = testPrefix('kx');
const tag = prefix.slice(3); // 6 hex chars
const socket = `/tmp/kx-${tag}.sock`;
const third = parseInt(tag.slice(0, 2), 16);
const cidr = `10.231.${third}.0/24`;
const gateway = `10.231.${third}.1`;
const ns = [`kx${tag}a`, `kx${tag}b`, `kx${tag}c`];
const cid = [`kx-${tag}-c1`, `kx-${tag}-c2`, `kx-${tag}-c3`];

let neutron: NeutronClient;
let session: OpenStackSession;
let daemon: RunningCniDaemon;
let networkId = '';
const netnsPaths: string[] = [];

const conf = (extra: Record<string, unknown> = {}) => ({
  cniVersion: '1.0.0',
  name: `${prefix}-net`,
  type: 'kuryr-cni',
  network: `${prefix}-net`,
  daemon_socket: socket,
  ...extra,
});
const env = (command: string, i: number, extra: Record<string, string> = {}) => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: cid[i]!,
  CNI_NETNS: netnsPaths[i]!,
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
  ...extra,
});

async function portsOfNetwork(): Promise<{ id: string; tags: string[]; device_id: string }[]> {
  return neutron.ports.listAll({ network_id: networkId });
}

describe('kuryr-cni standalone mode on real Neutron', () => {
  before(async () => {
    buildCni();
    ({ neutron, session } = adminNeutron(os));
    const net = await neutron.networks.create({ name: `${prefix}-net` });
    networkId = net.id;
    await neutron.subnets.create({
      network_id: net.id,
      name: `${prefix}-sub`,
      ip_version: 4,
      cidr,
      gateway_ip: gateway,
      enable_dhcp: false,
    });
    for (const n of ns) netnsPaths.push(addNetns(n));
    daemon = await startCniDaemon({
      connection: adminConnection(os),
      host: os.bindingHost,
      log: pino({ level: process.env.KX_DEBUG ? 'debug' : 'silent' }),
      socketPath: socket,
    });
  });

  after(async () => {
    await daemon?.close();
    for (const n of ns) delNetns(n);
    if (networkId) {
      for (const p of await neutron.ports.listAll({ network_id: networkId })) {
        await neutron.ports.deleteIfExists(p.id);
      }
      await neutron.networks.deleteIfExists(networkId);
    }
    await session?.close();
  });

  test('the daemon socket is root-only (0600)', async () => {
    assert.equal(statSync(socket).mode & 0o777, 0o600);
  });

  test('VERSION answers the supported versions', async () => {
    const r = await runCni({ CNI_COMMAND: 'VERSION' }, { cniVersion: '1.1.0' });
    assert.equal(r.status, 0);
    assert.deepEqual(r.json?.supportedVersions, ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']);
  });

  test('STATUS is ready with Neutron and the daemon up', async () => {
    const r = await runCni({ CNI_COMMAND: 'STATUS' }, conf({ cniVersion: '1.1.0' }));
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('ADD creates a tagged port bound to this host and configures eth0 in the netns', async () => {
    const r = await runCni(env('ADD', 0), conf());
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const res = r.json as {
      interfaces: { name: string; sandbox?: string; mac: string }[];
      ips: Record<string, unknown>[];
      routes: { dst: string; gw: string }[];
    };
    const eth0 = res.interfaces.findIndex((i) => i.name === 'eth0');
    assert.equal(res.interfaces[eth0]!.sandbox, netnsPaths[0]);
    assert.equal(res.ips[0]!.interface, eth0);
    assert.equal(res.ips[0]!.version, undefined, '1.0.0 results carry no ips[].version');
    assert.ok(res.routes.some((rt) => rt.dst === '0.0.0.0/0' && rt.gw === gateway));
    const ports = await portsOfNetwork();
    assert.equal(ports.length, 1);
    const port = await neutron.ports.get(ports[0]!.id);
    assert.equal(port['binding:host_id'], os.bindingHost);
    assert.equal(port.device_id, cid[0]);
    assert.ok(port.tags.includes(`kuryr.net.uuid.lh:${cid[0]}`), port.tags.join(','));
    assert.ok(port.tags.includes('kuryr.cni.ifname:eth0'));
    assert.equal(port.mac_address, res.interfaces[eth0]!.mac);
    assert.deepEqual(addressesIn(ns[0]!, 'eth0'), [res.ips[0]!.address]);
    assert.match(
      ip('-n', ns[0]!, 'route', 'show', 'default'),
      new RegExp(`via ${gateway.replace(/\./g, '\\.')} dev eth0`),
    );
  });

  test('ADD honours IP= and MAC= from CNI_ARGS (podman --ip / --mac-address) and answers 0.4.0', async () => {
    const want = `10.231.${third}.77`;
    const r = await runCni(
      env('ADD', 1, {
        CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAME=web;IP=${want};MAC=0e:cc:00:00:00:50`,
      }),
      conf({ cniVersion: '0.4.0' }),
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const res = r.json as { cniVersion: string; ips: { version: string; address: string }[] };
    assert.equal(res.cniVersion, '0.4.0');
    assert.deepEqual(
      res.ips.map((x) => [x.version, x.address]),
      [['4', `${want}/24`]],
    );
    const port = (await neutron.ports.listAll({ network_id: networkId, device_id: cid[1] }))[0]!;
    assert.equal(port.mac_address, '0e:cc:00:00:00:50');
    assert.deepEqual(addressesIn(ns[1]!, 'eth0'), [`${want}/24`]);
  });

  test('the two containers ping each other through the Neutron network', async () => {
    assert.ok(await pingFrom(ns[0]!, `10.231.${third}.77`), 'ping from c1 to c2 failed');
  });

  test('CHECK passes against the prevResult, and fails once the interface is gone', async () => {
    const add = await runCni(env('ADD', 2), conf());
    assert.equal(add.status, 0, add.stdout);
    const ok = await runCni(env('CHECK', 2), conf({ prevResult: add.json }));
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    ip('-n', ns[2]!, 'link', 'del', 'eth0');
    const bad = await runCni(env('CHECK', 2), conf({ prevResult: add.json }));
    assert.equal(bad.status, 1);
    assert.equal(typeof bad.json?.code, 'number');
  });

  test('GC deletes ports of attachments that are not valid any more, keeps the valid ones', async () => {
    const before = await portsOfNetwork();
    assert.equal(before.length, 3);
    const r = await runCni(
      { CNI_COMMAND: 'GC', CNI_PATH: '/opt/cni/bin' },
      conf({
        cniVersion: '1.1.0',
        'cni.dev/valid-attachments': [
          { containerID: cid[0], ifname: 'eth0' },
          { containerID: cid[1], ifname: 'eth0' },
        ],
      }),
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const left = await portsOfNetwork();
    assert.deepEqual(left.map((p) => p.device_id).sort(), [cid[0], cid[1]].sort());
  });

  test('DEL removes port and interface; repeating it and an empty netns both succeed', async () => {
    const r = await runCni(env('DEL', 0), conf({ prevResult: { cniVersion: '1.0.0' } }));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(
      (await neutron.ports.listAll({ network_id: networkId, device_id: cid[0] })).length,
      0,
    );
    assert.throws(() => ip('-n', ns[0]!, 'link', 'show', 'eth0'));
    assert.equal((await runCni(env('DEL', 0), conf())).status, 0);
    const empty = await runCni(env('DEL', 1, { CNI_NETNS: '' }), conf());
    assert.equal(empty.status, 0, empty.stdout);
    assert.equal((await portsOfNetwork()).length, 0);
  });

  test('errors: unknown network 7, bad JSON 6, missing env 4, daemon down 11 — nothing left in Neutron', async () => {
    const unknown = await runCni(env('ADD', 0), conf({ network: `${prefix}-nope` }));
    assert.equal(unknown.status, 1);
    assert.equal(unknown.json?.code, 7);
    assert.deepEqual(Object.keys(unknown.json ?? {}), ['cniVersion', 'code', 'msg', 'details']);
    assert.equal((await runCni(env('ADD', 0), '{not json')).json?.code, 6);
    assert.equal((await runCni({ CNI_COMMAND: 'ADD' }, conf())).json?.code, 4);
    const down = await runCni(env('ADD', 0), conf({ daemon_socket: `/tmp/kx-${tag}-down.sock` }));
    assert.equal(down.json?.code, 11);
    const st = await runCni(
      { CNI_COMMAND: 'STATUS' },
      conf({ cniVersion: '1.1.0', daemon_socket: `/tmp/kx-${tag}-down.sock` }),
    );
    assert.equal(st.json?.code, 50);
    assert.equal((await portsOfNetwork()).length, 0);
    assert.equal(
      (await neutron.ports.listAll({ tags: [`kuryr.net.uuid.lh:${cid[0]}`] })).length,
      0,
    );
  });

  test('pool_size: a warm pool port (bound to this host in advance) is claimed by the next ADD', async () => {
    const cfg = conf({ pool_size: 1 });
    const first = await runCni(env('ADD', 0, { CNI_CONTAINERID: `kx-${tag}-pool1` }), cfg);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    let pooled: { id: string }[] = [];
    for (let i = 0; i < 60 && pooled.length === 0; i++) {
      pooled = await neutron.ports.listAll({ network_id: networkId, tags: ['kuryr.cni.pool'] });
      if (pooled.length === 0) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(pooled.length, 1, 'the pool was refilled in Neutron');
    const warm = await neutron.ports.get(pooled[0]!.id);
    assert.equal(warm['binding:host_id'], os.bindingHost);
    const second = await runCni(env('ADD', 1, { CNI_CONTAINERID: `kx-${tag}-pool2` }), cfg);
    assert.equal(second.status, 0, second.stdout + second.stderr);
    const claimed = await neutron.ports.get(pooled[0]!.id);
    assert.ok(claimed.tags.includes(`kuryr.net.uuid.lh:kx-${tag}-pool2`), claimed.tags.join(','));
    assert.ok(!claimed.tags.includes('kuryr.cni.pool'));
    assert.deepEqual(addressesIn(ns[1]!, 'eth0'), [`${claimed.fixed_ips[0]!.ip_address}/24`]);
    for (const [i, c] of [
      [0, 'pool1'],
      [1, 'pool2'],
    ] as const) {
      const d = await runCni(env('DEL', i, { CNI_CONTAINERID: `kx-${tag}-${c}` }), cfg);
      assert.equal(d.status, 0, d.stdout);
    }
    assert.equal(
      (await neutron.ports.listAll({ id: claimed.id })).length,
      0,
      'DEL deleted the claimed pool port',
    );
  });
});
