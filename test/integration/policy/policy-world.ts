/**
 * The NetworkPolicy integration bed: the REAL kube-apiserver and Neutron, and the controller's own
 * handlers (`namespace`, `policy`, `kuryrnetworkpolicy`, `pod_label`, built through the controller's
 * handler registry with `pod_security_groups_driver = policy`) running in-process in a real
 * ControllerService (informers → queue → handlers).
 *
 * The handlers only act on this suite's namespaces (`kd2-…`): other engineers' suites run against the
 * same apiserver at the same time and must never see our finalizers or ports. That is why the wrapper
 * below owns the finalizer steps the pipeline would otherwise do for every object of a kind.
 *
 * Pod ports: other suites run whole `kuryr controller`s that handle every scheduled pod and every empty
 * KuryrPort in the cluster, so our pods are NOT scheduled (no `nodeName`) and the test plays the
 * `kuryrport` handler's creation step itself: the VIF request is built by the very function the handler
 * uses (`buildVifRequest`, asking the `policy` security groups driver), the port is bound to the bed's
 * host, and the KuryrPort is created with `status.vifs` already set. The test then writes the port's IP
 * into `status.podIP`, as the kubelet would.
 *
 * Probes and waiting assertions on the world (SG rules, port SGs, KuryrNetworkPolicy status) are in
 * policy-probes.ts.
 *
 * @module test/integration/policy/policy-world
 */
import { pino } from 'pino';
import { NeutronPodVifDriver } from '../../../src/controller/drivers/pod-vif/neutron-vif.js';
import type { PodSubnet } from '../../../src/controller/drivers/pod-vif/types.js';
import { DefaultProjectDriver } from '../../../src/controller/drivers/project/default.js';
import { PolicySecurityGroupsDriver } from '../../../src/controller/drivers/security-groups/policy.js';
import { kuryrNetworkPoliciesLookup } from '../../../src/controller/drivers/security-groups/policy-lookup.js';
import { DefaultSubnetsDriver } from '../../../src/controller/drivers/subnets/default.js';
import { NoopVifPool } from '../../../src/controller/drivers/vif-pool/noop.js';
import { buildVifRequest } from '../../../src/controller/handlers/pod-info.js';
import {
  DRIVER_HANDLERS,
  type DriverHandlersDeps,
} from '../../../src/controller/handlers/registry.js';
import { resolveHandlers } from '../../../src/controller/pipeline/handler-registry.js';
import { RetryPolicy } from '../../../src/controller/pipeline/retry-policy.js';
import type { ResourceHandler } from '../../../src/controller/pipeline/types.js';
import { PodSgApplier } from '../../../src/controller/policy/pod-sgs.js';
import { ControllerService } from '../../../src/controller/service.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../../src/k8s/finalizers.js';
import { CRD_API_VERSION, LABEL_KURYRPORT_NODE } from '../../../src/k8s/constants.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { vifToPrimitive } from '../../../src/models/vif-primitive.js';
import {
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from '../controller/controller-bed.js';
import { applyCrds, connectKube, deleteNamespace, waitFor } from '../k8s/kube-env.js';

export { waitFor };

/** How long a policy step may take on the shared bed before the test fails. */
export const WAIT_MS = 120_000;

/** The handlers under test, in `enabled_handlers` order. */
export const POLICY_HANDLERS = ['namespace', 'policy', 'kuryrnetworkpolicy', 'pod_label'];

/** A running bed. */
export interface PolicyWorld {
  bed: ControllerBed;
  kube: KubeClient;
  net: PodSubnet;
  /** `[neutron_defaults] pod_security_groups`: what a pod no policy selects gets. */
  defaultSg: string;
  service: ControllerService;
  /** The drivers the handlers were built from (the test creates pod ports with them). */
  deps: DriverHandlersDeps;
  /** Namespaces created (deleted in {@link closeWorld}). */
  namespaces: string[];
  prefix: string;
}

/** Runs `h` only for objects in (or being) a namespace of this suite; see the module doc. */
function onlyOurs(h: ResourceHandler, prefix: string): ResourceHandler {
  const ours = (o: KubeObject) =>
    (o.metadata?.namespace ?? o.metadata?.name ?? '').startsWith(prefix);
  const f = h.finalizer;
  return {
    alias: h.alias,
    kind: h.kind,
    async onPresent(obj, ctx) {
      if (!ours(obj)) return;
      const cur = f ? ((await addFinalizer(ctx.api, h.kind, obj, f)).object ?? obj) : obj;
      return h.onPresent(cur, ctx);
    },
    async onFinalize(obj, ctx) {
      if (!ours(obj) || (f && !hasFinalizer(obj, f))) return;
      const res = await h.onFinalize?.(obj, ctx);
      if (res?.requeueAfterMs !== undefined) return res;
      if (f) await removeFinalizer(ctx.api, h.kind, obj, f);
    },
    async onDeleted(obj, ctx) {
      if (ours(obj)) await h.onDeleted?.(obj, ctx);
    },
  };
}

/** Opens Neutron + apiserver, a pod network, the default SG, and starts the handlers. */
export async function openWorld(base: string, cidr: string): Promise<PolicyWorld> {
  const bed = await openControllerBed(base);
  const kube = await connectKube();
  await applyCrds(kube);
  const net = await makePodNetwork(bed, 'pods', cidr);
  const sg = await bed.neutron.securityGroups.create({
    name: `${bed.prefix}-default`,
    project_id: bed.projectId,
  });
  bed.cleanup.push(`sg ${sg.id}`, () => bed.neutron.securityGroups.deleteIfExists(sg.id));
  const log = pino({ level: process.env.KD2_LOG ?? 'silent' });
  const podVif = new NeutronPodVifDriver(bed.neutron, log, { resourceTags: [bed.prefix] });
  const pool = new NoopVifPool(podVif);
  const project = new DefaultProjectDriver(bed.projectId);
  const securityGroups = new PolicySecurityGroupsDriver(kuryrNetworkPoliciesLookup(kube), [sg.id]);
  const deps: DriverHandlersDeps = {
    podVif,
    pool,
    project,
    namespaceProject: project,
    subnets: new DefaultSubnetsDriver(bed.neutron, net.subnet.id),
    securityGroups,
    neutron: bed.neutron,
    podSgs: new PodSgApplier(securityGroups, pool, log),
  };
  const handlers = resolveHandlers(POLICY_HANDLERS, DRIVER_HANDLERS, deps).map((h) =>
    onlyOurs(h, bed.prefix),
  );
  const service = new ControllerService({
    api: kube,
    log,
    handlers,
    health: { port: 0 },
    useEvents: false,
    dispatcher: { retry: new RetryPolicy({ baseMs: 200, capMs: 1000 }), reconcilePeriodMs: 0 },
  });
  await service.start();
  return { bed, kube, net, defaultSg: sg.id, service, deps, namespaces: [], prefix: bed.prefix };
}

/** Stops the handlers, deletes namespaces, ports, leftover policy SGs, and the bed's objects. */
export async function closeWorld(w: PolicyWorld | undefined): Promise<void> {
  if (!w) return;
  await w.service.stop();
  for (const ns of w.namespaces) await deleteNamespace(w.kube, ns).catch(() => undefined);
  // Every port on the suite's own network is the suite's (pod ports are not tagged by every path).
  const ports = await w.bed.neutron.ports.listAll({ network_id: w.net.network.id }).catch(() => []);
  for (const port of ports) await w.bed.neutron.ports.deleteIfExists(port.id).catch(() => false);
  for (const sg of await leakedPolicySgs(w).catch(() => [])) {
    await w.bed.neutron.securityGroups.deleteIfExists(sg).catch(() => undefined);
  }
  await w.bed.cleanup.run();
  await w.bed.sessions.closeAll();
}

/** Ids of the policy SGs (`sg/<our ns>-…`) still in Neutron. */
export async function leakedPolicySgs(w: PolicyWorld): Promise<string[]> {
  const all = await w.bed.neutron.securityGroups.listAll({ project_id: w.bed.projectId });
  return all.filter((s) => s.name.startsWith(`sg/${w.prefix}`)).map((s) => s.id);
}

/** Creates `<prefix>-<suffix>` with `labels` (plus `kd2: <prefix>` so selectors never match others). */
export async function makeNamespace(
  w: PolicyWorld,
  suffix: string,
  labels: Record<string, string>,
): Promise<string> {
  const name = `${w.prefix}-${suffix}`;
  w.namespaces.push(name);
  await w.kube.create(KINDS.namespace, {
    metadata: { name, labels: { kd2: w.prefix, ...labels } },
  });
  return name;
}

/** A pod of the world: name, namespace, its Neutron port and IP. */
export interface WorldPod {
  namespace: string;
  name: string;
  portId: string;
  ip: string;
}

/**
 * Creates a pod, its bound Neutron port (SGs from the `policy` driver, as the kuryrport handler asks at
 * creation) and its KuryrPort, then writes the port's IP into `status.podIP` / `podIPs` (phase Running),
 * as the kubelet would after CNI ADD. See the module doc for why the test does the port step.
 */
export async function makePod(
  w: PolicyWorld,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: { name: string; containerPort: number; protocol?: string }[] = [],
): Promise<WorldPod> {
  const pod = await w.kube.create(KINDS.pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'c', image: 'kd2/none:0', ports }] },
  });
  const uid = pod.metadata?.uid ?? '';
  const ref = { uid, namespace, name, nodeName: w.bed.env.bindingHost };
  const req = await buildVifRequest(w.deps, ref, labels);
  // The shared bed is slow under the other suites' load: retry a port create that hit its deadline
  // (a create that landed anyway is tagged and deleted by closeWorld).
  let vif;
  for (let attempt = 1; ; attempt++) {
    try {
      vif = await w.deps.pool.requestVif(req);
      break;
    } catch (error) {
      if (attempt >= 3 || !/deadline|timeout/i.test(String(error))) throw error;
    }
  }
  await w.kube.create(KINDS.kuryrPort, {
    apiVersion: CRD_API_VERSION,
    kind: 'KuryrPort',
    metadata: { name, namespace, labels: { [LABEL_KURYRPORT_NODE]: w.bed.env.bindingHost } },
    spec: { podUid: uid, podNodeName: w.bed.env.bindingHost },
    status: { vifs: { eth0: { default: true, vif: vifToPrimitive(vif) } } },
  });
  const ip = vif.network.subnets[0]?.ips[0] ?? '';
  await w.kube.patchMerge(
    KINDS.pod,
    name,
    namespace,
    { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } },
    { subresource: 'status' },
  );
  return { namespace, name, portId: vif.id, ip };
}

/** Deletes a pod (grace 0, finalizers other controllers may have put on it stripped) and its port. */
export async function deletePod(w: PolicyWorld, pod: WorldPod): Promise<void> {
  await w.kube.delete(KINDS.pod, pod.name, pod.namespace, { gracePeriodSeconds: 0 });
  await w.kube
    .patchMerge(KINDS.pod, pod.name, pod.namespace, { metadata: { finalizers: null } })
    .catch(() => undefined);
  await w.kube.delete(KINDS.kuryrPort, pod.name, pod.namespace).catch(() => undefined);
  await w.bed.neutron.ports.deleteIfExists(pod.portId);
}
