/**
 * @module `policy` security groups driver (`[kubernetes] pod_security_groups_driver = policy`): a pod's
 * SGs are the union of the SGs of the KuryrNetworkPolicies whose `spec.podSelector` selects it (one SG
 * per policy, ingress and egress rules together), or `[neutron_defaults] pod_security_groups` when no
 * policy selects it (upstream: a pod no policy selects is not isolated).
 *
 * A policy whose SG does not exist yet (`status.securityGroupId` unset) or that is being deleted does not
 * count: the `kuryrnetworkpolicy` handler re-applies SGs to the selected pods once the SG exists.
 */
import { ConfigurationError } from '../../../common/errors/index.js';
import type { KuryrNetworkPolicy } from '../../../k8s/crds/types.js';
import { matchesSelector } from '../../policy/snapshot-resolver.js';
import type { DriverDeps } from '../deps.js';
import type { SecurityGroupsDriver, SecurityGroupsTarget } from './types.js';

/** The KuryrNetworkPolicies of one namespace (Kubernetes-backed in the controller, literals in tests). */
export type NamespacePoliciesLookup = (
  namespace: string,
  signal?: AbortSignal,
) => Promise<readonly KuryrNetworkPolicy[]>;

/** What the `policy` driver factory needs besides {@link DriverDeps}. */
export interface PolicyDriverDeps extends DriverDeps {
  namespacePolicies?: NamespacePoliciesLookup;
}

/** The SG ids of the live policies in `policies` that select a pod with `labels` (sorted, unique). */
export function selectingPolicySgs(
  policies: readonly KuryrNetworkPolicy[],
  labels: Readonly<Record<string, string>> | undefined,
): string[] {
  const ids = new Set<string>();
  for (const knp of policies) {
    const sg = knp.status?.securityGroupId;
    if (sg === undefined || sg === '' || knp.metadata?.deletionTimestamp) continue;
    if (matchesSelector({ ...labels }, knp.spec.podSelector)) ids.add(sg);
  }
  return [...ids].sort();
}

/** The `policy` security groups driver. */
export class PolicySecurityGroupsDriver implements SecurityGroupsDriver {
  readonly alias = 'policy';
  private readonly defaults: readonly string[];

  /** @throws ConfigurationError when the default list is empty (Python: RequiredOptError). */
  constructor(
    private readonly lookup: NamespacePoliciesLookup,
    defaults: readonly string[],
  ) {
    if (defaults.length === 0) {
      throw new ConfigurationError(
        '[neutron_defaults] pod_security_groups is empty: the policy driver gives these to pods no policy selects',
      );
    }
    this.defaults = [...defaults];
  }

  /** @throws ConfigurationError when the controller did not provide the policy lookup. */
  static fromDeps(d: PolicyDriverDeps): PolicySecurityGroupsDriver {
    if (d.namespacePolicies === undefined) {
      throw new ConfigurationError(
        "[kubernetes] pod_security_groups_driver 'policy' needs the Kubernetes controller (kuryr controller)",
      );
    }
    return new PolicySecurityGroupsDriver(
      d.namespacePolicies,
      d.config.neutronDefaults.podSecurityGroups,
    );
  }

  async getSecurityGroups(
    target: SecurityGroupsTarget,
    opts: { signal?: AbortSignal } = {},
  ): Promise<string[]> {
    const policies = await this.lookup(target.namespace, opts.signal);
    const sgs = selectingPolicySgs(policies, target.labels);
    return sgs.length > 0 ? sgs : [...this.defaults];
  }
}
