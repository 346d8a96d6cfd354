/**
 * @module Resolves every pod-networking driver alias of kuryr.conf once (ARCHITECTURE.md rule 1): Pod
 * VIF, VIF pool, project, subnets and security groups. Unknown aliases and missing settings fail here,
 * at start-up, with the original key in the message.
 */
import type { DriverHandlersDeps } from '../handlers/registry.js';
import { PodSgApplier } from '../policy/pod-sgs.js';
import type { DriverDeps } from './deps.js';
import { createPodVifDriver } from './pod-vif/registry.js';
import type { NamespaceAnnotationsLookup } from './project/annotation.js';
import { createProjectDriver } from './project/registry.js';
import type { NamespacePoliciesLookup } from './security-groups/policy.js';
import { createSecurityGroupsDriver } from './security-groups/registry.js';
import type { NamespaceSubnetLookup } from './subnets/namespace.js';
import { createPodSubnetsDriver } from './subnets/registry.js';
import { createVifPoolDriver } from './vif-pool/registry.js';

/** Optional Kubernetes-backed lookups some drivers use. */
export interface DriverLookups {
  namespaceAnnotations?: NamespaceAnnotationsLookup;
  namespaceSubnet?: NamespaceSubnetLookup;
  /** KuryrNetworkPolicies of a namespace (`policy` security groups driver). */
  namespacePolicies?: NamespacePoliciesLookup;
}

/**
 * Builds the pod drivers from `deps.config.kubernetes`.
 * @throws ConfigurationError / UnsupportedError for a bad alias or a missing required option.
 */
export function buildPodDrivers(deps: DriverDeps, lookups: DriverLookups = {}): DriverHandlersDeps {
  const k = deps.config.kubernetes;
  const podVif = createPodVifDriver(k.podVifDriver, deps);
  const projectDeps = {
    ...deps,
    ...(lookups.namespaceAnnotations ? { namespaceAnnotations: lookups.namespaceAnnotations } : {}),
  };
  const pool = createVifPoolDriver(k.vifPoolDriver, deps, podVif);
  const securityGroups = createSecurityGroupsDriver(k.podSecurityGroupsDriver, {
    ...deps,
    ...(lookups.namespacePolicies ? { namespacePolicies: lookups.namespacePolicies } : {}),
  });
  return {
    podVif,
    pool,
    project: createProjectDriver(k.podProjectDriver, projectDeps),
    namespaceProject: createProjectDriver(
      k.namespaceProjectDriver,
      projectDeps,
      '[kubernetes] namespace_project_driver',
    ),
    subnets: createPodSubnetsDriver(k.podSubnetsDriver, {
      ...deps,
      ...(lookups.namespaceSubnet ? { namespaceLookup: lookups.namespaceSubnet } : {}),
    }),
    securityGroups,
    neutron: deps.neutron,
    // One per controller: the policy handlers share its per-pod lock and written-SG memo.
    podSgs: new PodSgApplier(securityGroups, pool, deps.log),
  };
}
