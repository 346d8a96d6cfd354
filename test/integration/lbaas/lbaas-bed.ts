/**
 * Shared by the LBaaS integration suites: admin sessions on the REAL test-bed Neutron and Octavia
 * (counted), the real kube-apiserver with kuryr's CRDs and a test namespace, a service network + subnet,
 * an external flat network + subnet and a router joining them (floating IPs need that path), the
 * `kuryrloadbalancer` handler built exactly as the controller builds it, and cleanup by recorded id.
 *
 * @module test/integration/lbaas/lbaas-bed
 */
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { loadConfig } from '../../../src/common/config/index.js';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import {
  buildLbaasDeps,
  type LbaasHandlerDeps,
} from '../../../src/controller/lbaas/build-lbaas.js';
import { KuryrLoadBalancerHandler } from '../../../src/controller/handlers/kuryrloadbalancer.js';
import type { HandlerContext } from '../../../src/controller/pipeline/types.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import type { KuryrLoadBalancer } from '../../../src/k8s/crds/types.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { NeutronClient, type Network, type Subnet } from '../../../src/openstack/neutron/index.js';
import { OctaviaClient } from '../../../src/openstack/octavia/index.js';
import { CleanupStack } from '../../../src/openstack/testing/cleanup-stack.js';
import { CountingClient } from '../../../src/openstack/testing/counting-client.js';
import { requireOctaviaOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { applyCrds, connectKube, createNamespace, deleteNamespace } from '../k8s/kube-env.js';
import { BedSessions } from '../openstack/bed-sessions.js';

/** Everything a suite works with. */
export interface LbaasBed {
  prefix: string;
  projectId: string;
  neutronHttp: CountingClient;
  octaviaHttp: CountingClient;
  neutron: NeutronClient;
  octavia: OctaviaClient;
  kube: KubeClient;
  namespace: string;
  serviceNet: Network;
  serviceSubnet: Subnet;
  extNet: Network;
  extSubnet: Subnet;
  deps: LbaasHandlerDeps;
  handler: KuryrLoadBalancerHandler;
  ctx: HandlerContext;
  cleanup: CleanupStack;
  close(): Promise<void>;
}

/** Bounded waits on the real Octavia. */
export const WAIT = { deadlineMs: 180_000, initialDelayMs: 250 };

/**
 * Opens the bed. `cidr` is the service subnet (e.g. `10.237.1.0/24`), `extCidr` the external one.
 * @throws Error with a clear message when OpenStack, Octavia or the kube-apiserver is missing.
 */
export async function openLbaasBed(base: string, cidr: string, extCidr: string): Promise<LbaasBed> {
  const env = requireOctaviaOpenStackEnv();
  const sessions = new BedSessions(env);
  // A loaded 2-core bed answers router calls slowly: a generous per-call deadline.
  const session = sessions.open(sessions.passwordAuth(env.adminUser), {
    timeouts: { requestMs: 90_000 },
  });
  const info = await session.identity.tokenInfo();
  assert.ok(info.project, 'the admin token is project-scoped');
  const projectId = info.project.id;
  const neutronHttp = new CountingClient(session.client('network'));
  const octaviaHttp = new CountingClient(session.client('load-balancer'));
  const neutron = new NeutronClient(neutronHttp);
  const octavia = new OctaviaClient(octaviaHttp);
  const prefix = testPrefix(base);
  const cleanup = new CleanupStack();
  try {
    return await build();
  } catch (error) {
    // Nothing may leak when the set-up itself fails half-way.
    await cleanup.run().catch(() => undefined);
    await sessions.closeAll();
    throw error;
  }

  async function build(): Promise<LbaasBed> {
    const kube = await connectKube();
    await applyCrds(kube);
    const namespace = await createNamespace(kube, base);
    cleanup.push(`namespace ${namespace}`, () => deleteNamespace(kube, namespace));

    const serviceNet = await neutron.networks.createTagged(
      { name: `${prefix}-svc`, project_id: projectId },
      [prefix],
    );
    cleanup.push(`network ${serviceNet.id}`, () => neutron.networks.delete(serviceNet.id));
    const serviceSubnet = await neutron.subnets.create({
      network_id: serviceNet.id,
      ip_version: 4,
      cidr,
      enable_dhcp: false,
      name: `${prefix}-svc`,
      project_id: projectId,
    });
    cleanup.push(`subnet ${serviceSubnet.id}`, () => neutron.subnets.delete(serviceSubnet.id));
    // A flat provider network marked external (admin only); its physnet name is unique per run.
    const extNet = await neutron.networks.createTagged(
      {
        name: `${prefix}-ext`,
        'router:external': true,
        'provider:network_type': 'flat',
        'provider:physical_network': `${prefix}-phys`,
        project_id: projectId,
      },
      [prefix],
    );
    cleanup.push(`network ${extNet.id}`, () => neutron.networks.delete(extNet.id));
    const extSubnet = await neutron.subnets.create({
      network_id: extNet.id,
      ip_version: 4,
      cidr: extCidr,
      enable_dhcp: false,
      name: `${prefix}-ext`,
      project_id: projectId,
    });
    cleanup.push(`subnet ${extSubnet.id}`, () => neutron.subnets.delete(extSubnet.id));
    const router = await neutron.routers.createTagged(
      { name: `${prefix}-router`, project_id: projectId },
      [prefix],
    );
    cleanup.push(`router ${router.id}`, () => neutron.routers.delete(router.id));
    await neutron.routers.update(router.id, { external_gateway_info: { network_id: extNet.id } });
    cleanup.push(`router ${router.id} gateway`, () =>
      neutron.routers.update(router.id, { external_gateway_info: null }),
    );
    await neutron.routers.addInterface(router.id, { subnet_id: serviceSubnet.id });
    cleanup.push(`router ${router.id} interface`, () =>
      neutron.routers.removeInterface(router.id, { subnet_id: serviceSubnet.id }),
    );
    // Neutron makes a `default` SG for the project on first use; it belongs to the admin project, keep it.

    const { config } = await loadConfig({
      env: {},
      defaultConfigFiles: [],
      defaultConfigDirs: [],
      overrides: {
        neutron_defaults: {
          project: projectId,
          service_subnet: serviceSubnet.id,
          external_svc_net: extNet.id,
          resource_tags: prefix,
          lbaas_activation_timeout: WAIT.deadlineMs / 1000,
        },
      },
    });
    const log = pino({ level: 'silent' });
    const deps = buildLbaasDeps({ neutron, octavia, config, log });
    const handler = new KuryrLoadBalancerHandler(deps.sync, deps.lbaas, deps.pubIp);
    const ctx: HandlerContext = {
      api: kube,
      events: new EventRecorder(kube, { log, enabled: false }),
      log,
      signal: new AbortController().signal,
    };
    return {
      prefix,
      projectId,
      neutronHttp,
      octaviaHttp,
      neutron,
      octavia,
      kube,
      namespace,
      serviceNet,
      serviceSubnet,
      extNet,
      extSubnet,
      deps,
      handler,
      ctx,
      cleanup,
      close: async () => {
        try {
          await cleanup.run();
        } finally {
          await sessions.closeAll();
        }
      },
    };
  }
}

/** Registers the cleanup of whatever Octavia/Neutron objects a KLB's status names (by recorded id). */
export function cleanupKlb(bed: LbaasBed, klb: KuryrLoadBalancer): void {
  const lb = klb.status?.loadbalancer;
  const fip = klb.status?.service_pub_ip_info;
  if (fip?.alloc_method === 'pool') {
    bed.cleanup.push(`floating IP ${fip.ip_id}`, () => bed.neutron.floatingIps.delete(fip.ip_id));
  }
  if (lb?.port_id)
    bed.cleanup.push(`VIP port ${lb.port_id}`, () => bed.neutron.ports.delete(lb.port_id));
  if (lb?.id) {
    bed.cleanup.push(`load balancer ${lb.id}`, async () => {
      await bed.octavia.loadBalancers.delete(lb.id, { cascade: true });
      await bed.octavia.waitDeleted(lb.id, WAIT);
    });
  }
}

/** Reads a KLB (undefined when gone). */
export async function readKlb(bed: LbaasBed, name: string): Promise<KuryrLoadBalancer | undefined> {
  try {
    return await bed.kube.get(KINDS.kuryrLoadBalancer, name, bed.namespace);
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}
