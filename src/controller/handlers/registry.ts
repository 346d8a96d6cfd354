/**
 * @module The handlers built on the controller drivers (`vif`, `kuryrport`, `namespace`,
 * `kuryrnetwork`, and the NetworkPolicy ones `policy`, `kuryrnetworkpolicy`, `pod_label`) as a
 * registry the controller's composition root merges into its own
 * (src/controller/pipeline/handler-registry.ts).
 */
import { ConfigurationError } from '../../common/errors/index.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import type { ProjectDriver } from '../drivers/project/types.js';
import { NamespaceSubnetsDriver } from '../drivers/subnets/namespace.js';
import type { ServiceSpecDeps } from '../lbaas/spec/deps.js';
import { KlbSpecWriter } from '../lbaas/spec/klb-writer.js';
import type { LbaasHandlerDeps } from '../lbaas/build-lbaas.js';
import type { HandlerRegistry } from '../pipeline/handler-registry.js';
import { EndpointsHandler } from './endpoints.js';
import { loadClusterSnapshot } from '../policy/cluster-snapshot.js';
import { resyncPolicies } from '../policy/knp-writer.js';
import type { PodSgApplier } from '../policy/pod-sgs.js';
import { KuryrNetworkPopulationHandler } from './kuryrnetwork-population.js';
import { createKuryrLoadBalancerHandler } from './kuryrloadbalancer.js';
import { KuryrNetworkHandler } from './kuryrnetwork.js';
import { KuryrNetworkPolicyHandler } from './kuryrnetworkpolicy.js';
import { KuryrPortHandler, type KuryrPortHandlerDeps } from './kuryrport.js';
import { NamespaceHandler } from './namespace.js';
import { PodLabelHandler } from './pod-label.js';
import { PolicyHandler } from './policy.js';
import { ServiceHandler } from './service.js';
import { VifHandler } from './vif.js';

/** What these handlers are built from (see `buildPodDrivers`). */
export interface DriverHandlersDeps extends KuryrPortHandlerDeps {
  /** `[kubernetes] namespace_project_driver`. */
  namespaceProject: ProjectDriver;
  /** Octavia + floating-IP drivers (`kuryrloadbalancer`; lbaas/build-lbaas.ts). */
  lbaas?: LbaasHandlerDeps;
  /** Neutron, for the policy SGs (`kuryrnetworkpolicy`). */
  neutron?: NeutronClient;
  /** Shared pod-port SG updater of the policy handlers. */
  podSgs?: PodSgApplier;
  /** Service → KuryrLoadBalancer spec drivers (`service`, `endpoints`; lbaas/spec/deps.ts). */
  serviceSpec?: ServiceSpecDeps;
}

function klbWriter(d: DriverHandlersDeps): KlbSpecWriter {
  if (d.serviceSpec === undefined) {
    throw new ConfigurationError(
      'the service/endpoints handlers need the service spec drivers (buildServiceSpecDeps)',
    );
  }
  return new KlbSpecWriter(d.serviceSpec);
}

/** The dependencies only the NetworkPolicy handlers need (built by `buildPodDrivers`). */
function policyDeps(d: DriverHandlersDeps): { neutron: NeutronClient; podSgs: PodSgApplier } {
  if (d.neutron === undefined || d.podSgs === undefined) {
    throw new ConfigurationError(
      'the NetworkPolicy handlers need the pod drivers (buildPodDrivers)',
    );
  }
  // Without the policy driver no pod port would ever get a policy SG: refuse instead of doing nothing.
  if (d.securityGroups.alias !== 'policy') {
    throw new ConfigurationError(
      "[kubernetes] enabled_handlers 'kuryrnetworkpolicy'/'pod_label' need pod_security_groups_driver = policy",
    );
  }
  return { neutron: d.neutron, podSgs: d.podSgs };
}

/** alias → factory of every handler built on the controller drivers. */
export const DRIVER_HANDLERS: HandlerRegistry<DriverHandlersDeps> = {
  vif: () => new VifHandler(),
  kuryrport: (d) => new KuryrPortHandler(d),
  kuryrloadbalancer: (d) => createKuryrLoadBalancerHandler(d.lbaas),
  // A namespace label change may change what namespaceSelectors pick: re-compute the policies.
  namespace: (d) =>
    new NamespaceHandler(d.namespaceProject, async (_ns, ctx) => {
      const cluster = await loadClusterSnapshot(ctx.api, ctx.signal);
      await resyncPolicies(ctx.api, cluster, ctx.log, ctx.signal);
    }),
  kuryrnetwork: (d) => {
    if (!(d.subnets instanceof NamespaceSubnetsDriver)) {
      throw new ConfigurationError(
        "[kubernetes] enabled_handlers 'kuryrnetwork' needs pod_subnets_driver = namespace",
      );
    }
    return new KuryrNetworkHandler(d.subnets, d.pool);
  },
  kuryrnetwork_population: (d) => new KuryrNetworkPopulationHandler(d),
  policy: () => new PolicyHandler(),
  kuryrnetworkpolicy: (d) =>
    new KuryrNetworkPolicyHandler({ ...policyDeps(d), project: d.project, pool: d.pool }),
  pod_label: (d) => new PodLabelHandler(policyDeps(d).podSgs),
  service: (d) => new ServiceHandler(klbWriter(d)),
  endpoints: (d) => new EndpointsHandler(klbWriter(d)),
};
