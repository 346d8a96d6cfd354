/**
 * kuryr-cni driven by REAL runtimes against the REAL test-bed Neutron: libcni (kuryr-cniclient) for the
 * ADD/CHECK/DEL version matrix and GC of a leaked port; podman 4.3 (CNI backend) and containerd 1.6
 * `ctr run --cni` each run two containers on a kuryr network that ping each other, and removing them
 * deletes their Neutron ports. The daemon runs in this process on a root-only unix socket.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import pino from 'pino';
import { startCniDaemon, type RunningCniDaemon } from '../../../src/cni/daemon/cni-daemon.js';
import type { NeutronClient } from '../../../src/openstack/neutron/index.js';
import type { OpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import {
  addNetns,
  adminConnection,
  adminNeutron,
  buildCni,
  CNI_BIN,
  delNetns,
} from '../../integration/cni/cni-harness.js';
import { installCni, requireRuntime, sh } from './e2e-harness.js';

const os = requireOpenStackEnv();
const prefix = testPrefix('kx');
const tag = prefix.slice(3);
const socket = `/tmp/kx-${tag}.sock`;
const third = parseInt(tag.slice(0, 2), 16);
const netName = `${prefix}-net`;
const work = `/tmp/kx-${tag}`;
const VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;

let neutron: NeutronClient;
let session: OpenStackSession;
let daemon: RunningCniDaemon;
let networkId = '';
const cleanups: (() => void)[] = [];

const plugin = { type: 'kuryr-cni', network: netName, daemon_socket: socket };
const conflist = (name: string, cniVersion: string) => ({ cniVersion, name, plugins: [plugin] });

async function portsByDevice(deviceId: string): Promise<string[]> {
  return (await neutron.ports.listAll({ network_id: networkId, device_id: deviceId })).map(
    (p) => p.id,
  );
}

async function waitNoPorts(deviceIds: string[], seconds = 60): Promise<number> {
  let left = 0;
  for (let i = 0; i < seconds; i++) {
    left = 0;
    for (const d of deviceIds) left += (await portsByDevice(d)).length;
    if (left === 0) return 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return left;
}

before(async () => {
  buildCni();
  ({ neutron, session } = adminNeutron(os));
  const net = await neutron.networks.create({ name: netName });
  networkId = net.id;
  await neutron.subnets.create({
    network_id: net.id,
    name: `${prefix}-sub`,
    ip_version: 4,
    cidr: `10.232.${third}.0/24`,
    gateway_ip: `10.232.${third}.1`,
    enable_dhcp: false,
  });
  daemon = await startCniDaemon({
    connection: adminConnection(os),
    host: os.bindingHost,
    log: pino({ level: process.env.KX_DEBUG ? 'debug' : 'silent' }),
    socketPath: socket,
  });
});

after(async () => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      // best effort
    }
  }
  await daemon?.close();
  if (networkId) {
    for (const p of await neutron.ports.listAll({ network_id: networkId }))
      await neutron.ports.deleteIfExists(p.id);
    await neutron.networks.deleteIfExists(networkId);
  }
  await session?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('libcni (kuryr-cniclient) version matrix', () => {
  let client = '';
  let env: NodeJS.ProcessEnv = {};
  before(async () => {
    const built = await sh('bash', ['scripts/cniclient.sh', 'build'], {});
    if (built.status !== 0) throw new Error(`scripts/cniclient.sh failed: ${built.stderr}`);
    client = built.stdout.trim().split('\n').pop()!;
    mkdirSync(`${work}/net.d`, { recursive: true });
    mkdirSync(`${work}/bin`, { recursive: true });
    mkdirSync(`${work}/cache`, { recursive: true });
    symlinkSync(CNI_BIN, `${work}/bin/kuryr-cni`);
    for (const v of VERSIONS)
      installCni(
        `${work}/bin`,
        `${work}/net.d`,
        `kx-${v}.conflist`,
        conflist(`kx-v${v.replace(/\./g, '')}`, v),
      );
    env = {
      ...process.env,
      NETCONFPATH: `${work}/net.d`,
      CNI_PATH: `${work}/bin`,
      CNI_CACHEDIR: `${work}/cache`,
    };
  });

  for (const v of VERSIONS) {
    test(`cniVersion ${v}: ADD result shape, CHECK, DEL removes the port`, async () => {
      const nsName = `kx${tag}${v.replace(/\./g, '')}`;
      const nsPath = addNetns(nsName);
      cleanups.push(() => delNetns(nsName));
      const cid = `kx-${tag}-m${v.replace(/\./g, '')}`;
      const e = { ...env, CNI_CONTAINERID: cid };
      const net = `kx-v${v.replace(/\./g, '')}`;
      const add = await sh(client, ['add', net, nsPath], { env: e });
      assert.equal(add.status, 0, add.stdout + add.stderr);
      const res = JSON.parse(add.stdout) as {
        cniVersion: string;
        ips: Record<string, unknown>[];
        interfaces: { name: string; sandbox?: string; mtu?: number }[];
      };
      assert.equal(res.cniVersion, v);
      assert.equal(res.ips.length, 1);
      assert.equal('version' in res.ips[0]!, v < '1.0.0', `ips[].version presence for ${v}`);
      const eth0 = res.interfaces.find((i) => i.name === 'eth0');
      assert.equal(eth0?.sandbox, nsPath);
      assert.equal(eth0?.mtu !== undefined, v === '1.1.0', `interfaces[].mtu only in 1.1.0`);
      assert.equal((await portsByDevice(cid)).length, 1);
      if (v >= '0.4.0') {
        const check = await sh(client, ['check', net, nsPath], { env: e });
        assert.equal(check.status, 0, check.stdout + check.stderr);
      }
      const del = await sh(client, ['del', net, nsPath], { env: e });
      assert.equal(del.status, 0, del.stdout + del.stderr);
      assert.equal((await portsByDevice(cid)).length, 0);
      const again = await sh(client, ['del', net, nsPath], { env: e });
      assert.equal(again.status, 0, 'a second DEL succeeds');
    });
  }

  test('GC (1.1.0) collects a leaked port whose attachment is no longer valid', async () => {
    const nsName = `kx${tag}gc`;
    const nsPath = addNetns(nsName);
    cleanups.push(() => delNetns(nsName));
    const cid = `kx-${tag}-leak`;
    const add = await sh(client, ['add', 'kx-v110', nsPath], {
      env: { ...env, CNI_CONTAINERID: cid },
    });
    assert.equal(add.status, 0, add.stdout + add.stderr);
    delNetns(nsName); // the container vanished without a DEL: its port leaked
    assert.equal((await portsByDevice(cid)).length, 1);
    const gc = await sh(client, ['gc', 'kx-v110'], {
      env: { ...env, CNI_VALID_ATTACHMENTS: '[]' },
    });
    assert.equal(gc.status, 0, gc.stdout + gc.stderr);
    assert.equal((await portsByDevice(cid)).length, 0);
    const status = await sh(client, ['status', 'kx-v110'], { env });
    assert.equal(status.status, 0, status.stdout + status.stderr);
  });
});

describe('podman 4.3 (CNI backend)', () => {
  let penv: NodeJS.ProcessEnv = {};
  const names = [`kx-${tag}-p1`, `kx-${tag}-p2`];
  before(() => {
    const v = requireRuntime('podman.sh');
    penv = { ...process.env, ...v };
    cleanups.push(
      installCni(
        v.KURYR_PODMAN_CNI_BIN_DIR!,
        v.KURYR_PODMAN_CNI_CONF_DIR!,
        `${prefix}.conflist`,
        conflist(netName, '0.4.0'),
      ),
    );
  });

  test('two containers on a kuryr network ping each other; removing them deletes their ports', async () => {
    const ids: string[] = [];
    for (const n of names) {
      const r = await sh(
        'podman',
        [
          'run',
          '-d',
          '--name',
          n,
          '--network',
          netName,
          'kuryr-test/busybox:latest',
          'sleep',
          '300',
        ],
        { env: penv },
      );
      cleanups.push(() => void sh('podman', ['rm', '-f', n], { env: penv }));
      assert.equal(r.status, 0, r.stderr);
      ids.push(r.stdout.trim());
    }
    for (const id of ids) assert.equal((await portsByDevice(id)).length, 1, `port for ${id}`);
    const ipOut = await sh(
      'podman',
      ['exec', names[1]!, 'ip', '-4', '-o', 'addr', 'show', 'eth0'],
      { env: penv },
    );
    const peer = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(ipOut.stdout)?.[1];
    assert.ok(peer?.startsWith(`10.232.${third}.`), ipOut.stdout + ipOut.stderr);
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) {
      ok =
        (
          await sh('podman', ['exec', names[0]!, 'ping', '-c', '1', '-W', '1', peer!], {
            env: penv,
          })
        ).status === 0;
    }
    assert.ok(ok, `${names[0]} could not ping ${peer}`);
    for (const n of names)
      assert.equal((await sh('podman', ['rm', '-f', n], { env: penv })).status, 0);
    assert.equal(await waitNoPorts(ids), 0, 'ports left after podman rm');
  });
});

describe('containerd 1.6 ctr run --cni', () => {
  let cenv: NodeJS.ProcessEnv = {};
  const names = [`kx-${tag}-k1`, `kx-${tag}-k2`];
  before(() => {
    const v = requireRuntime('containerd.sh');
    cenv = { ...process.env, ...v };
    // ctr takes the FIRST config file by name: ours must sort first.
    cleanups.push(
      installCni(
        v.KURYR_CONTAINERD_CNI_BIN_DIR!,
        v.KURYR_CONTAINERD_CNI_CONF_DIR!,
        `00-${prefix}.conflist`,
        conflist(netName, '1.0.0'),
      ),
    );
  });

  test('two containers ping each other; their ports are deleted when they end', async () => {
    const img = 'localhost/kuryr-test/busybox:latest';
    // containerd's CNI_CONTAINERID is <namespace>-<id>; the bed's namespace is "kuryr".
    const devs = names.map((n) => `kuryr-${n}`);
    const first = sh('ctr-cni', ['run', '--rm', '--cni', img, names[0]!, 'sleep', '60'], {
      env: cenv,
      timeoutMs: 90_000,
    });
    cleanups.push(() => void sh('ctr', ['task', 'kill', '-s', 'KILL', names[0]!], { env: cenv }));
    let peer: string | undefined;
    for (let i = 0; i < 60 && !peer; i++) {
      const ports = await neutron.ports.listAll({ network_id: networkId, device_id: devs[0] });
      peer = ports[0]?.fixed_ips[0]?.ip_address;
      if (!peer) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(peer, 'no port for the first containerd container');
    const second = await sh(
      'ctr-cni',
      [
        'run',
        '--rm',
        '--cni',
        img,
        names[1]!,
        'sh',
        '-c',
        `for i in $(seq 20); do ping -c1 -W1 ${peer} && exit 0; done; exit 1`,
      ],
      { env: cenv, timeoutMs: 90_000 },
    );
    assert.equal(second.status, 0, second.stdout + second.stderr);
    await sh('ctr', ['task', 'kill', '-s', 'KILL', names[0]!], { env: cenv });
    await first;
    assert.equal(await waitNoPorts(devs), 0, 'ports left after the containers ended');
  });
});
