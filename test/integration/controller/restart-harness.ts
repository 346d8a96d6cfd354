/**
 * Shared by the controller robustness suites (restart, HA hand-over, namespace deletion): a real
 * kube-apiserver + the real test-bed Neutron + the real `kuryr controller` process
 * (test/helpers/controller-process.ts). Gives pod creation, the "every pod has exactly one VIF, no port
 * twice, no kuryr port unreferenced" check against both APIs. The emulation of the namespace lifecycle
 * controller of kube-controller-manager (which the test bed does not run) is in namespace-lifecycle.ts.
 *
 * @module test/integration/controller/restart-harness
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import type { KuryrPort } from '../../../src/k8s/crds/types.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { vifFromPrimitive } from '../../../src/models/vif-primitive.js';
import type { Port } from '../../../src/openstack/neutron/index.js';
import {
  startController,
  type ControllerProcess,
  type ControllerSettings,
} from '../../helpers/controller-process.js';
import { applyCrds, connectKube, deleteNamespace, sleep } from '../k8s/kube-env.js';
import { openControllerBed, type ControllerBed } from './controller-bed.js';

/** Kuryr's pod port owner and the name of free pool ports (src/controller/drivers/pod-vif/types.ts). */
const DEVICE_OWNER = 'compute:kuryr';
const POOL_PORT_NAME = 'kuryr-pool-port';

/** Poll `probe` until it returns a value; the error names `what` and carries the controllers' logs. */
export async function waitUntil<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined> | T | undefined,
  controllers: readonly (ControllerProcess | undefined)[] = [],
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const logs = controllers.map((c, i) => `--- controller ${i}:\n${c?.log() ?? ''}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await sleep(250);
  }
}

/** Creates `count` pods `p-<i>` bound to `node` (no kubelet runs them). @returns their UIDs by name. */
export async function createPods(
  kube: KubeClient,
  namespace: string,
  node: string,
  count: number,
): Promise<Map<string, string>> {
  const uids = new Map<string, string>();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const pod = await kube.create(KINDS.pod, {
        metadata: { name: `p-${i}`, namespace, labels: { app: 'kc2' } },
        spec: { nodeName: node, containers: [{ name: 'c', image: 'kc2/none:0' }] },
      });
      uids.set(pod.metadata?.name ?? '', pod.metadata?.uid ?? '');
    }),
  );
  return uids;
}

/** The KuryrPorts of `namespace`. */
export async function kuryrPorts(kube: KubeClient, namespace: string): Promise<KuryrPort[]> {
  return (await kube.list(KINDS.kuryrPort, { namespace })).items;
}

/** Port id of every VIF of `kp`. */
export function vifPortIds(kp: KuryrPort): string[] {
  return Object.values(kp.status?.vifs ?? {}).map((e) => vifFromPrimitive(e.vif).id);
}

/** KuryrPorts of `namespace` that carry a VIF. */
export async function wiredCount(kube: KubeClient, namespace: string): Promise<number> {
  return (await kuryrPorts(kube, namespace)).filter((kp) => vifPortIds(kp).length > 0).length;
}

/** What {@link checkWiring} found. */
export interface Wiring {
  /** port id → pod UID */
  referenced: Map<string, string>;
  /** kuryr pool ports on the networks nobody references (free in some pool). */
  freePool: Port[];
}

/**
 * Asserts the invariants of issue #6 against both APIs: every pod of `uids` has a KuryrPort with
 * exactly one VIF (`'in-flight'`: whatever the KuryrPorts reference so far); no Neutron port is referenced twice; every referenced port exists; every kuryr port
 * on `networkIds` is either referenced or a free pool port (name `kuryr-pool-port`, no device).
 */
export async function checkWiring(
  bed: ControllerBed,
  kube: KubeClient,
  namespace: string,
  uids: ReadonlyMap<string, string> | 'in-flight',
  networkIds: readonly string[],
): Promise<Wiring> {
  const kps = await kuryrPorts(kube, namespace);
  const referenced = new Map<string, string>();
  if (uids === 'in-flight') {
    // mid-flight: only what the KuryrPorts reference so far (still no port twice)
    for (const kp of kps) {
      for (const id of vifPortIds(kp)) {
        assert.ok(!referenced.has(id), `port ${id} referenced twice`);
        referenced.set(id, kp.spec.podUid);
      }
    }
  }
  for (const [name, uid] of uids === 'in-flight' ? [] : uids) {
    const kp = kps.find((k) => k.metadata?.name === name);
    assert.ok(kp, `pod ${name} has a KuryrPort`);
    assert.equal(kp.spec.podUid, uid, `KuryrPort ${name} belongs to the current pod`);
    const ids = vifPortIds(kp);
    assert.equal(ids.length, 1, `pod ${name} has exactly one VIF (${ids.join(', ')})`);
    const id = ids[0] as string;
    assert.ok(!referenced.has(id), `port ${id} referenced by ${name} and another pod`);
    referenced.set(id, uid);
  }
  const ports: Port[] = [];
  for (const net of networkIds) {
    ports.push(
      ...(await bed.neutron.ports.listAll({ network_id: net, device_owner: DEVICE_OWNER })),
    );
  }
  const byId = new Map(ports.map((p) => [p.id, p]));
  for (const id of referenced.keys()) assert.ok(byId.has(id), `referenced port ${id} exists`);
  const unreferenced = ports.filter((p) => !referenced.has(p.id));
  const leaked = unreferenced.filter((p) => p.name !== POOL_PORT_NAME || p.device_id !== '');
  assert.deepEqual(
    leaked.map((p) => `${p.id} name=${p.name} device_id=${p.device_id}`),
    [],
    'no kuryr port is left unreferenced (except free pool ports)',
  );
  return { referenced, freePool: unreferenced };
}

/** Deletes the pods (grace 0: there is no kubelet) and waits until they are gone. */
export async function deletePodsAndWait(
  kube: KubeClient,
  namespace: string,
  controllers: readonly (ControllerProcess | undefined)[],
  ms = 120_000,
): Promise<void> {
  const pods = (await kube.list(KINDS.pod, { namespace })).items;
  await Promise.all(
    pods.map((p) =>
      kube
        .delete(KINDS.pod, p.metadata?.name ?? '', namespace, { gracePeriodSeconds: 0 })
        .catch((e: unknown) => {
          if (!isNotFoundError(e)) throw e;
        }),
    ),
  );
  await waitUntil(
    'the pods and their KuryrPorts to be gone (finalizers removed by the controller)',
    ms,
    async () => {
      const left = await kube.list(KINDS.pod, { namespace });
      const kps = await kube.list(KINDS.kuryrPort, { namespace });
      return left.items.length + kps.items.length === 0 ? true : undefined;
    },
    controllers,
  );
}

/** Numbers from the controller's log records with message `msg` (field `field`). */
export function loggedValues(c: ControllerProcess, msg: string, field: string): unknown[] {
  return c
    .records()
    .filter((r) => r['msg'] === msg)
    .map((r) => r[field]);
}

/** Writes every controller's parsed log to `/tmp/kc2-logs/<prefix>-<i>.jsonl` (post-mortem of a failure). */
export function saveLogs(prefix: string, controllers: readonly ControllerProcess[]): void {
  mkdirSync('/tmp/kc2-logs', { recursive: true });
  controllers.forEach((c, i) => {
    const lines = c.records().map((r) => JSON.stringify(r));
    writeFileSync(`/tmp/kc2-logs/${prefix}-${i}.jsonl`, lines.join('\n') + '\n');
  });
}

/**
 * The namespace handler of a controller under test works on EVERY namespace of the shared API server
 * (as Kuryr does): it may have written KuryrNetwork status pointing at networks of this suite in other
 * namespaces. Those networks are deleted by the suite's cleanup, so the status is removed again (the
 * next controller re-creates a network) — objects of other namespaces are otherwise left alone.
 */
export async function forgetForeignNetworks(
  kube: KubeClient,
  ownNetworkIds: ReadonlySet<string>,
): Promise<void> {
  const kns = (await kube.list(KINDS.kuryrNetwork)).items;
  for (const kn of kns) {
    if (!kn.status?.netId || !ownNetworkIds.has(kn.status.netId)) continue;
    await kube
      .patchJson(KINDS.kuryrNetwork, kn.metadata?.name ?? '', kn.metadata?.namespace, [
        { op: 'remove', path: '/status' },
      ])
      .catch(() => undefined);
  }
}

/**
 * The `default` security group of the bed's project: the suites use it instead of creating one, as
 * the bed's security-group quota is small and shared by every suite.
 */
export async function projectDefaultSecurityGroup(bed: ControllerBed): Promise<string> {
  const [sg] = await bed.neutron.securityGroups.listAll({
    name: 'default',
    project_id: bed.projectId,
  });
  assert.ok(sg, `project ${bed.projectId} has a default security group`);
  return sg.id;
}

/** What the three robustness suites share: bed, API server, security group, controllers, cleanup. */
export class RobustnessSuite {
  bed!: ControllerBed;
  kube!: KubeClient;
  /** The project's `default` security group ({@link projectDefaultSecurityGroup}). */
  sgId!: string;
  readonly namespaces: string[] = [];
  readonly running: ControllerProcess[] = [];

  /** Opens the bed (`<base>-<hex>` prefix), the API server, and applies the CRDs. */
  async open(base: string): Promise<void> {
    this.bed = await openControllerBed(base);
    this.kube = await connectKube();
    await applyCrds(this.kube);
    this.sgId = await projectDefaultSecurityGroup(this.bed);
  }

  /** Starts a controller for this suite (prefix as `resource_tags`, the default SG). */
  start(settings: Partial<ControllerSettings>): ControllerProcess {
    const c = startController(this.bed.env, {
      projectId: this.bed.projectId,
      podSubnetId: '',
      podSecurityGroupIds: [this.sgId],
      resourceTags: [this.bed.prefix],
      ...settings,
    });
    this.running.push(c);
    return c;
  }

  /** Creates namespace `<prefix>-<suffix>` (deleted in {@link close} unless gone). */
  async namespace(suffix: string): Promise<string> {
    const ns = `${this.bed.prefix}-${suffix}`;
    await this.kube.create(KINDS.namespace, { metadata: { name: ns } });
    this.namespaces.push(ns);
    return ns;
  }

  /**
   * Kills the controllers (logs saved under /tmp/kc2-logs), deletes the namespaces, then every Neutron
   * object the suite's controllers tagged: ports, namespace networks with their router interfaces,
   * then what the bed recorded.
   */
  async close(): Promise<void> {
    await Promise.all(this.running.map((c) => c.stop('SIGKILL')));
    const { bed, kube } = this;
    if (!bed) return;
    saveLogs(bed.prefix, this.running);
    for (const ns of this.namespaces) await deleteNamespace(kube, ns).catch(() => undefined);
    const ports = await bed.neutron.ports.listAll({ tags: [bed.prefix] });
    await Promise.all(ports.map((p) => bed.neutron.ports.deleteIfExists(p.id).catch(() => false)));
    const nets = await bed.neutron.networks.listAll({ tags: [bed.prefix] });
    await forgetForeignNetworks(kube, new Set(nets.map((n) => n.id)));
    for (const n of nets) {
      for (const p of await bed.neutron.ports.listAll({ network_id: n.id })) {
        if (p.device_owner === 'network:router_interface') {
          await bed.neutron.routers
            .removeInterface(p.device_id, { port_id: p.id })
            .catch(() => undefined);
        } else await bed.neutron.ports.deleteIfExists(p.id).catch(() => false);
      }
      for (const s of n.subnets) await bed.neutron.subnets.deleteIfExists(s).catch(() => false);
      await bed.neutron.networks.deleteIfExists(n.id).catch(() => false);
    }
    await bed.cleanup.run();
    await bed.sessions.closeAll();
  }
}
