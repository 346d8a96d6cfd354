/**
 * Integration: orphan sweeping with the nested pod VIF drivers, on the REAL kube-apiserver and Neutron
 * with the real `kuryr controller` and `kuryr k8s-gc` processes. A Node object stands for a worker VM
 * whose Neutron port (created here, with a trunk for `nested-vlan`) holds the Node's InternalIP. Two pods
 * are wired, the controller is SIGKILLed and the pods are force-deleted (finalizers stripped: what a
 * crash before the status write or a forced deletion leaves). Pod `a` is then collected by
 * `kuryr k8s-gc` (dry run first), pod `b` by the recovery step of a restarted controller. Afterwards the
 * subport is gone from the trunk and from Neutron (`nested-vlan`), the pair is gone from the VM port
 * while a foreign pair stays (`nested-macvlan`).
 *
 * @module test/integration/controller/nested-sweep.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { PodSubnet } from '../../../src/controller/drivers/pod-vif/types.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { ControllerProcess } from '../../helpers/controller-process.js';
import { makePodNetwork, type ControllerBed } from './controller-bed.js';
import {
  deletePodsAndWait,
  kuryrPorts,
  RobustnessSuite,
  vifPortIds,
  waitUntil,
} from './restart-harness.js';

const KUBECONFIG = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';
type Driver = 'nested-vlan' | 'nested-macvlan';

describe('nested drivers: orphans swept by k8s-gc and by the restart recovery (real apiserver, Neutron)', () => {
  const suite = new RobustnessSuite();
  const dir = mkdtempSync(join(tmpdir(), 'kns-'));
  let bed: ControllerBed;
  let kube: KubeClient;
  let vmNet: PodSubnet;
  let podNet: PodSubnet;
  const nodes: string[] = [];
  const trunks: string[] = [];

  before(async () => {
    await suite.open('kns');
    ({ bed, kube } = suite);
    vmNet = await makePodNetwork(bed, 'vms', '10.236.1.0/24');
    podNet = await makePodNetwork(bed, 'pods', '10.236.2.0/24');
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    for (const t of trunks) {
      const subs = await bed.neutron.trunks.getSubports(t).catch(() => []);
      if (subs.length > 0) {
        await bed.neutron.trunks
          .removeSubports(
            t,
            subs.map((s) => s.port_id),
          )
          .catch(() => undefined);
      }
    }
    for (const n of nodes) await kube.delete(KINDS.node, n).catch(() => undefined);
    await suite.close();
  });

  /** A Node with InternalIP `ip` and its VM port (+ trunk for nested-vlan). */
  async function workerVm(driver: Driver, ip: string, suffix?: string) {
    const name = `${bed.prefix}-${suffix ?? (driver === 'nested-vlan' ? 'vlan' : 'mvl')}`;
    await kube.create(KINDS.node, { metadata: { name } });
    nodes.push(name);
    await kube.patchMerge(
      KINDS.node,
      name,
      undefined,
      { status: { addresses: [{ type: 'InternalIP', address: ip }] } },
      { subresource: 'status' },
    );
    const foreignPair = { ip_address: '10.236.2.250', mac_address: 'fa:16:3e:36:02:fa' };
    const vm = await bed.neutron.ports.createTagged(
      {
        network_id: vmNet.network.id,
        name: `${name}-vm`,
        fixed_ips: [{ subnet_id: vmNet.subnet.id, ip_address: ip }],
        project_id: bed.projectId,
        ...(driver === 'nested-macvlan' ? { allowed_address_pairs: [foreignPair] } : {}),
      },
      [bed.prefix],
    );
    bed.cleanup.push(`port ${vm.id}`, () => bed.neutron.ports.delete(vm.id));
    let trunkId: string | undefined;
    if (driver === 'nested-vlan') {
      const trunk = await bed.neutron.trunks.createTagged(
        { port_id: vm.id, name: `${bed.prefix}-trunk`, project_id: bed.projectId },
        [bed.prefix],
      );
      bed.cleanup.push(`trunk ${trunk.id}`, () => bed.neutron.trunks.delete(trunk.id));
      trunks.push(trunk.id);
      trunkId = trunk.id;
    }
    return { node: name, vmPortId: vm.id, trunkId, foreignPair };
  }

  /** Pods `a`, `b` on `node` with `status.hostIP` = `ip` (no kubelet: the status is written here). */
  async function createPods(ns: string, node: string, ip: string): Promise<void> {
    for (const name of ['a', 'b']) {
      await kube.create(KINDS.pod, {
        metadata: { name, namespace: ns },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'kns/none:0' }] },
      });
      await kube.patchMerge(
        KINDS.pod,
        name,
        ns,
        { status: { hostIP: ip } },
        { subresource: 'status' },
      );
    }
  }

  /** Strips the finalizers of pod `name` and its KuryrPort, deletes both, waits until gone. */
  async function forceDelete(ns: string, name: string): Promise<void> {
    for (const kind of [KINDS.kuryrPort, KINDS.pod]) {
      await kube
        .patchMerge(kind, name, ns, { metadata: { finalizers: null } })
        .catch((e: unknown) => {
          if (!isNotFoundError(e)) throw e;
        });
      await kube
        .delete(kind, name, ns, kind === KINDS.pod ? { gracePeriodSeconds: 0 } : undefined)
        .catch((e: unknown) => {
          if (!isNotFoundError(e)) throw e;
        });
    }
    await waitUntil(`pod ${name} and its KuryrPort to be gone`, 30_000, async () => {
      const pods = await kube.list(KINDS.pod, { namespace: ns });
      const kps = await kube.list(KINDS.kuryrPort, { namespace: ns });
      const left = [...pods.items, ...kps.items].some((o) => o.metadata?.name === name);
      return left ? undefined : true;
    });
  }

  function k8sGc(driver: Driver, ...args: string[]) {
    const e = bed.env;
    const conf = join(dir, `${driver}.conf`);
    writeFileSync(
      conf,
      `[neutron]\nauth_type = password\nauth_url = ${e.authUrl}\nusername = ${e.adminUser.username}\n` +
        `password = ${e.adminUser.password.replaceAll('$', '$$')}\n` +
        `project_name = ${e.adminUser.projectName}\n` +
        `user_domain_name = ${e.userDomainName}\nproject_domain_name = ${e.projectDomainName}\n` +
        `region_name = ${e.region}\n[neutron_defaults]\nresource_tags = ${bed.prefix}\n` +
        `[kubernetes]\npod_vif_driver = ${driver}\n` +
        `[pod_vif_nested]\nworker_nodes_subnets = ${vmNet.subnet.id}\n`,
      { mode: 0o600 },
    );
    return new Promise<{ code: number; json: { orphans: { id: string }[]; deleted: string[] } }>(
      (resolve, reject) => {
        execFile(
          process.execPath,
          [
            ...['--import', 'tsx', 'src/cmd/kuryr.ts', '--config-file', conf, 'k8s-gc', '--json'],
            ...['--grace', '0', '--kubeconfig', KUBECONFIG, ...args],
          ],
          { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 120_000 },
          (error, stdout, stderr) => {
            const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
            try {
              resolve({ code, json: JSON.parse(stdout) as never });
            } catch {
              reject(new Error(`k8s-gc exited ${code}: ${stderr}`));
            }
          },
        );
      },
    );
  }

  const portExists = (id: string) =>
    bed.neutron.ports.get(id).then(
      () => true,
      (e: unknown) => {
        if (isNotFoundError(e)) return false;
        throw e;
      },
    );

  /** What the VM holds of port `id`: is it a subport / are its pairs on the VM port. */
  async function onVm(
    vm: { vmPortId: string; trunkId: string | undefined },
    port: { id: string; ips: string[]; mac: string },
  ): Promise<boolean> {
    if (vm.trunkId !== undefined) {
      return (await bed.neutron.trunks.getSubports(vm.trunkId)).some((s) => s.port_id === port.id);
    }
    const pairs = (await bed.neutron.ports.get(vm.vmPortId)).allowed_address_pairs;
    return pairs.some((p) => port.ips.includes(p.ip_address) && p.mac_address === port.mac);
  }

  async function sweepCase(driver: Driver, ip: string): Promise<void> {
    const vm = await workerVm(driver, ip);
    const ns = await suite.namespace(driver === 'nested-vlan' ? 'vlan' : 'mvl');
    await createPods(ns, vm.node, ip);
    const settings = {
      podSubnetId: podNet.subnet.id,
      podVifDriver: driver,
      workerNodesSubnets: [vmNet.subnet.id],
      watchNamespace: ns,
    };
    const first: ControllerProcess = suite.start(settings);
    const portOf = await waitUntil(
      'both pods to get their VIF',
      120_000,
      async () => {
        const m = new Map(
          (await kuryrPorts(kube, ns)).map((kp) => [kp.metadata?.name, vifPortIds(kp)[0]]),
        );
        return m.get('a') && m.get('b') ? m : undefined;
      },
      [first],
    );
    await first.stop('SIGKILL');
    const ports = new Map<string, { id: string; ips: string[]; mac: string }>();
    for (const name of ['a', 'b']) {
      const p = await bed.neutron.ports.get(portOf.get(name) as string);
      ports.set(name, { id: p.id, ips: p.fixed_ips.map((f) => f.ip_address), mac: p.mac_address });
      assert.ok(await onVm(vm, ports.get(name) as never), `pod ${name}'s port hangs on the VM`);
    }
    const a = ports.get('a') as { id: string; ips: string[]; mac: string };
    const b = ports.get('b') as { id: string; ips: string[]; mac: string };

    // (a) kuryr k8s-gc: dry run lists only a's port and changes nothing; --apply releases it
    await forceDelete(ns, 'a');
    const dry = await k8sGc(driver);
    assert.equal(dry.code, 0);
    assert.deepEqual(
      dry.json.orphans.map((o) => o.id),
      [a.id],
      'only the gone pod port is an orphan (b is alive)',
    );
    assert.ok((await portExists(a.id)) && (await onVm(vm, a)), 'dry run changed nothing');
    const real = await k8sGc(driver, '--apply');
    assert.equal(real.code, 0);
    assert.deepEqual(real.json.deleted, [a.id]);
    assert.equal(await portExists(a.id), false, "a's port is deleted");
    assert.equal(await onVm(vm, a), false, "a's port no longer hangs on the VM");
    assert.ok((await portExists(b.id)) && (await onVm(vm, b)), "live b's port untouched");

    // (b) restart: the recovery step of the next controller releases b's port
    await forceDelete(ns, 'b');
    const second = suite.start(settings);
    await waitUntil(
      "the restarted controller to release b's port",
      90_000,
      async () => ((await portExists(b.id)) ? undefined : true),
      [second],
    );
    assert.equal(await onVm(vm, b), false, "b's port no longer hangs on the VM");
    if (vm.trunkId !== undefined) {
      assert.deepEqual(await bed.neutron.trunks.getSubports(vm.trunkId), [], 'trunk is empty');
    } else {
      assert.deepEqual(
        (await bed.neutron.ports.get(vm.vmPortId)).allowed_address_pairs.map((p) => p.ip_address),
        [vm.foreignPair.ip_address],
        'only the foreign pair is left on the VM port',
      );
    }
    await second.stop('SIGTERM');
  }

  test('nested-macvlan: a pod deleted (finalizers kept) while the controller is down loses its pair on restart', async () => {
    const ip = '10.236.1.12';
    const vm = await workerVm('nested-macvlan', ip, 'mvd');
    const ns = await suite.namespace('mvd');
    await createPods(ns, vm.node, ip);
    const settings = {
      podSubnetId: podNet.subnet.id,
      podVifDriver: 'nested-macvlan',
      workerNodesSubnets: [vmNet.subnet.id],
      watchNamespace: ns,
    };
    const first = suite.start(settings);
    const ids = await waitUntil(
      'both pods to get their VIF',
      120_000,
      async () => {
        const got = (await kuryrPorts(kube, ns)).flatMap((kp) => vifPortIds(kp));
        return got.length === 2 ? got : undefined;
      },
      [first],
    );
    await first.stop('SIGKILL');
    for (const name of ['a', 'b']) {
      await kube.delete(KINDS.pod, name, ns, { gracePeriodSeconds: 0 });
    }
    const second = suite.start(settings);
    await deletePodsAndWait(kube, ns, [second]);
    for (const id of ids) assert.equal(await portExists(id), false, `port ${id} deleted`);
    assert.deepEqual(
      (await bed.neutron.ports.get(vm.vmPortId)).allowed_address_pairs,
      [vm.foreignPair],
      "the pods' pairs left the VM port, the foreign pair stayed",
    );
    await second.stop('SIGTERM');
  });

  test('nested-vlan: orphaned subports are detached from the trunk and deleted', () =>
    sweepCase('nested-vlan', '10.236.1.10'));

  test('nested-macvlan: orphaned ports lose their pair on the VM port and are deleted', () =>
    sweepCase('nested-macvlan', '10.236.1.11'));
});
