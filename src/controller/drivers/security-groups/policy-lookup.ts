/**
 * @module The Kubernetes-backed {@link NamespacePoliciesLookup} of the `policy` security groups driver:
 * one list of the namespace's KuryrNetworkPolicies per call (with the client's deadline), so a pod
 * always gets the SGs of the policies as they are now.
 */
import type { KubeApi } from '../../../k8s/client.js';
import { KINDS } from '../../../k8s/kinds.js';
import type { NamespacePoliciesLookup } from './policy.js';

/** Lists `namespace`'s KuryrNetworkPolicies. */
export function kuryrNetworkPoliciesLookup(api: KubeApi): NamespacePoliciesLookup {
  return async (namespace, signal) =>
    (
      await api.list(
        KINDS.kuryrNetworkPolicy,
        { namespace },
        signal === undefined ? {} : { signal },
      )
    ).items;
}
