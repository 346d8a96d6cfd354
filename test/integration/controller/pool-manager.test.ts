/**
 * Integration: the pool manager socket (`[kubernetes] enable_manager = True`) of the REAL `kuryr
 * controller` process (`neutron-vif`, `vif_pool_driver = neutron`) on the REAL kube-apiserver and
 * Neutron, driven over the socket and through the real `kuryr pools` CLI: populate N ports for the bed's
 * node (by its IP and by its name) → exactly N more kuryr pool ports in Neutron; listPools counts them;
 * showPool lists exactly their ids; a pod then gets one of them with no port POST; bad input changes
 * nothing in Neutron; freePool deletes the free ones.
 *
 * @module test/integration/controller/pool-manager.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callPoolManager } from '../../../src/controller/pool-manager/client.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { Network, Port, Subnet } from '../../../src/openstack/neutron/index.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import { applyCrds, connectKube, deleteNamespace } from '../k8s/kube-env.js';
import { makePodNetwork, openControllerBed, type ControllerBed } from './controller-bed.js';
import {
  createPods,
  deletePodsAndWait,
  kuryrPorts,
  projectDefaultSecurityGroup,
  vifPortIds,
  waitUntil,
} from './restart-harness.js';

type Address = { type: string; address: string };

describe('pool manager socket + kuryr pools CLI (real controller, apiserver, Neutron)', () => {
  let bed: ControllerBed;
  let kube: KubeClient;
  let controller: ControllerProcess | undefined;
  let network: Network | undefined;
  let subnet: Subnet;
  let sgId: string;
  let ns: string | undefined;
  let node: string;
  let nodeIp: string;
  /** How the shared Node looked before: deleted again or its addresses restored in `after`. */
  let nodeRestore: (() => Promise<unknown>) | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kpm-'));
  const socket = join(dir, 'run', 'kuryr_manage.sock');

  const callAt = (sock: string, method: 'GET' | 'POST', path: string, body?: unknown) =>
    callPoolManager(sock, method, path, { body, timeoutMs: 120_000 });
  const call = (method: 'GET' | 'POST', path: string, body?: unknown) =>
    callAt(socket, method, path, body);
  const standbys: ControllerProcess[] = [];
  let leaseNs: string | undefined;

  function kuryr(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cmd/kuryr.ts', ...args],
        { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 180_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** Kuryr pool ports on this suite's network (free or handed out: pool ports keep their name). */
  async function poolPorts(): Promise<Port[]> {
    return bed.neutron.ports.listAll({
      network_id: network?.id ?? '',
      device_owner: 'compute:kuryr',
      name: 'kuryr-pool-port',
    });
  }
  const ids = (ports: readonly Port[]) => ports.map((p) => p.id).sort();

  before(async () => {
    bed = await openControllerBed('kpm');
    kube = await connectKube();
    await applyCrds(kube);
    sgId = await projectDefaultSecurityGroup(bed);
    ({ network, subnet } = await makePodNetwork(bed, 'pods', '10.241.7.0/24'));
    // The node the pools are for: named like the bed's L2 agent host (ports really bind); it needs an
    // address so that it can be named by IP, as Python Kuryr's clients do.
    node = bed.env.bindingHost;
    const existing = await kube.get(KINDS.node, node).catch(() => undefined);
    const mine: Address = { type: 'InternalIP', address: `192.0.2.${randomInt(2, 250)}` };
    if (existing === undefined) {
      await kube.create(KINDS.node, {
        metadata: { name: node, labels: { 'kpm-test': 'yes' } },
        status: { addresses: [mine] },
      });
      nodeRestore = () => kube.delete(KINDS.node, node);
      nodeIp = mine.address;
    } else {
      const addrs = (existing['status'] as { addresses?: Address[] } | undefined)?.addresses ?? [];
      const usable = addrs.find((a) => a.type === 'InternalIP' || a.type === 'ExternalIP');
      if (usable !== undefined) nodeIp = usable.address;
      else {
        await kube.patchMerge(
          KINDS.node,
          node,
          undefined,
          { status: { addresses: [...addrs, mine] } },
          { subresource: 'status' },
        );
        nodeRestore = () =>
          kube.patchMerge(
            KINDS.node,
            node,
            undefined,
            { status: { addresses: addrs } },
            {
              subresource: 'status',
            },
          );
        nodeIp = mine.address;
      }
    }
    ns = `${bed.prefix}-pods`;
    controller = startMine(socket);
    await waitForManager(socket, controller);
  });

  /** The real controller with the pool manager on `sock` (HA on `leaseNs` when given). */
  function startMine(sock: string, ha?: { leaseNs: string; name: string }): ControllerProcess {
    return startController(bed.env, {
      projectId: bed.projectId,
      podSubnetId: subnet.id,
      podSecurityGroupIds: [sgId],
      resourceTags: [bed.prefix],
      vifPoolDriver: 'neutron',
      // min 0: no top-up and no refill beyond what the test asks for, so every count is exact.
      vifPool: { min: 0, batch: 3, updateFrequency: 0 },
      debug: true,
      watchNamespace: ns,
      ...(ha ? { ha: { leaseNamespace: ha.leaseNs } } : {}),
      env: {
        OS_KUBERNETES__ENABLE_MANAGER: 'True',
        OS_POOL_MANAGER__SOCK_FILE: sock,
        ...(ha ? { POD_NAME: ha.name } : {}),
      },
    });
  }

  async function waitForManager(sock: string, c: ControllerProcess): Promise<void> {
    await waitUntil(
      'the pool manager of the active controller to answer',
      120_000,
      async () =>
        (await callAt(sock, 'GET', '/listPools').catch(() => undefined))?.status === 200
          ? true
          : undefined,
      [c],
    );
  }

  after(async () => {
    await controller?.stop('SIGKILL');
    for (const c of standbys) await c.stop('SIGKILL');
    if (leaseNs !== undefined) await deleteNamespace(kube, leaseNs).catch(() => undefined);
    if (ns !== undefined) await deleteNamespace(kube, ns).catch(() => undefined);
    // Every kuryr port on this suite's network, by id (pool ports and the pod's).
    if (network !== undefined) {
      const left = await bed.neutron.ports.listAll({ network_id: network.id });
      for (const p of left) await bed.neutron.ports.deleteIfExists(p.id).catch(() => undefined);
    }
    await nodeRestore?.().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('populate (socket + CLI), list, show, a pod takes a pooled port, bad input, free', async () => {
    const c = controller as ControllerProcess;
    assert.equal(statSync(socket).mode & 0o777, 0o600, 'the socket is root-only');
    assert.deepEqual(await poolPorts(), []);
    assert.deepEqual(await call('GET', '/listPools'), { status: 200, body: 'There are no pools' });

    // Populate by the node's IP over the socket: exactly 2 new bound pool ports.
    let r = await call('POST', '/populatePool', { trunks: [nodeIp], num_ports: 2 });
    assert.equal(r.status, 200, r.body);
    let ports = await poolPorts();
    assert.equal(ports.length, 2);
    for (const p of ports) {
      assert.equal(p['binding:host_id'], node);
      assert.equal(p.device_id, '');
      assert.deepEqual(p.security_groups, [sgId]);
      assert.ok(p.tags?.includes(bed.prefix), 'tagged with [neutron_defaults] resource_tags');
    }

    // … and by the node's name through the real CLI: 3 more (batch 3: one bulk POST).
    const cli = await kuryr('pools', '--socket', socket, 'populate', node, '--num-ports', '3');
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /3 created/);
    ports = await poolPorts();
    assert.equal(ports.length, 5);

    // listPools (CLI reading sock_file from kuryr.conf): one pool of 5.
    const conf = join(dir, 'kuryr.conf');
    writeFileSync(conf, `[pool_manager]\nsock_file = ${socket}\n`, { mode: 0o600 });
    const list = await kuryr('--config-file', conf, 'pools', 'list');
    assert.equal(list.code, 0, list.stderr);
    const key = JSON.stringify([node, bed.projectId, [subnet.id], [sgId]]);
    assert.equal(list.stdout, `Pools:\n${key} has 5 ports\n`);

    // showPool by IP and by name: exactly those port ids.
    r = await call('GET', '/showPool', { pool_key: [nodeIp, bed.projectId, [sgId]] });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.body.trim().split('\n').sort(), ids(ports));
    const show = await kuryr(
      'pools',
      '--socket',
      socket,
      'show',
      node,
      '--project',
      bed.projectId,
      '--sg',
      sgId,
    );
    assert.equal(show.code, 0, show.stderr);
    assert.deepEqual(show.stdout.trim().split('\n').sort(), ids(ports));

    // Bad input: 400, Neutron unchanged.
    const before = ids(await bed.neutron.ports.listAll({ network_id: network?.id ?? '' }));
    r = await call('POST', '/populatePool', { trunks: [nodeIp, '198.51.100.77'], num_ports: 2 });
    assert.equal(r.status, 400);
    assert.match(r.body, /198\.51\.100\.77/);
    assert.equal(
      (await call('POST', '/populatePool', { trunks: [] })).body,
      'Trunk port IP(s) missing.',
    );
    assert.equal(
      (await call('POST', '/populatePool', { trunks: [node], num_ports: 0 })).status,
      400,
    );
    assert.equal((await call('POST', '/freePool', { trunks: ['kpm-no-such-node'] })).status, 400);
    assert.equal((await call('GET', '/showPool', { pool_key: [node, bed.projectId] })).status, 400);
    assert.equal((await call('GET', '/populatePool')).status, 405);
    assert.equal((await call('GET', '/nope')).status, 404);
    const bad = await kuryr('pools', '--socket', socket, 'populate', '198.51.100.77');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /400: unknown trunk/);
    assert.deepEqual(
      ids(await bed.neutron.ports.listAll({ network_id: network?.id ?? '' })),
      before,
    );

    // A pod on the node gets one of the populated ports: no port POST.
    const from = c.records().length;
    await kube.create(KINDS.namespace, { metadata: { name: ns as string } });
    await createPods(kube, ns as string, node, 1);
    const podPort = await waitUntil(
      'the pod to get its VIF',
      180_000,
      async () => {
        const kp = (await kuryrPorts(kube, ns as string))[0];
        return kp === undefined ? undefined : vifPortIds(kp)[0];
      },
      [c],
    );
    assert.ok(ids(ports).includes(podPort), `pod port ${podPort} is one of the populated ports`);
    const posts = c
      .records()
      .slice(from)
      .filter(
        (x) =>
          x['msg'] === 'openstack request' && x['method'] === 'POST' && x['path'] === '/v2.0/ports',
      );
    assert.equal(posts.length, 0, 'no port was created for the pod');
    assert.equal((await poolPorts()).length, 5);
    assert.equal((await call('GET', '/listPools')).body, `Pools:\n${key} has 4 ports\n`);

    // freePool of the node (CLI, by IP): the 4 free ports are deleted, the pod's port stays.
    const free = await kuryr('pools', '--socket', socket, 'free', nodeIp);
    assert.equal(free.code, 0, free.stderr);
    assert.match(free.stdout, /4 port\(s\) deleted/);
    assert.deepEqual(ids(await poolPorts()), [podPort]);
    assert.deepEqual(await call('GET', '/listPools'), { status: 200, body: 'There are no pools' });

    // The pod goes: its port returns to the pool; freePool without trunks empties every pool.
    await deletePodsAndWait(kube, ns as string, [c]);
    assert.equal((await call('GET', '/listPools')).body, `Pools:\n${key} has 1 ports\n`);
    r = await call('POST', '/freePool', {});
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(await poolPorts(), []);

    // Stopping removes the socket.
    assert.equal(await c.stop('SIGTERM'), 0);
    assert.throws(() => statSync(socket), /ENOENT/);
  });

  test('HA: the standby answers 503 and changes nothing; after the hand-over it serves the recovered pool', async () => {
    leaseNs = `${bed.prefix}-lease`;
    await kube.create(KINDS.namespace, { metadata: { name: leaseNs } });
    const sockA = join(dir, 'a', 'manage.sock');
    const sockB = join(dir, 'b', 'manage.sock');
    const a = startMine(sockA, { leaseNs, name: 'kpm-a' });
    standbys.push(a);
    await waitForManager(sockA, a);
    const b = startMine(sockB, { leaseNs, name: 'kpm-b' });
    standbys.push(b);
    await waitUntil(
      'controller b to run as standby',
      120_000,
      () => b.records().some((x) => x['msg'] === 'controller started') || undefined,
      [b],
    );
    for (const [method, path, body] of [
      ['GET', '/listPools', undefined],
      ['POST', '/populatePool', { trunks: [node], num_ports: 2 }],
      ['POST', '/freePool', {}],
    ] as const) {
      const r = await callAt(sockB, method, path, body);
      assert.equal(r.status, 503, `${path} on the standby: ${r.body}`);
      assert.match(r.body, /not the active replica/);
    }
    assert.deepEqual(await poolPorts(), [], 'the standby created nothing');

    // The leader populates; it stops (SIGTERM releases the Lease); b takes over, recovers the pool
    // from Neutron, and its manager serves it.
    let r = await callAt(sockA, 'POST', '/populatePool', { trunks: [nodeIp], num_ports: 2 });
    assert.equal(r.status, 200, r.body);
    const populated = ids(await poolPorts());
    assert.equal(populated.length, 2);
    assert.equal(await a.stop('SIGTERM'), 0);
    await waitForManager(sockB, b);
    const key = JSON.stringify([node, bed.projectId, [subnet.id], [sgId]]);
    assert.equal((await callAt(sockB, 'GET', '/listPools')).body, `Pools:\n${key} has 2 ports\n`);
    r = await callAt(sockB, 'GET', '/showPool', { pool_key: [node, bed.projectId, [sgId]] });
    assert.deepEqual(r.body.trim().split('\n').sort(), populated);
    r = await callAt(sockB, 'POST', '/freePool', { trunks: [nodeIp] });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(await poolPorts(), []);
    assert.equal(await b.stop('SIGTERM'), 0);
  });
});
