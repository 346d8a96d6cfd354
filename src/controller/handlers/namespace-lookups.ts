/**
 * @module Kubernetes-backed lookups the drivers take through their constructors: a namespace's subnet id
 * from its KuryrNetwork `status.subnetId` (namespace subnets driver) and a namespace's annotations
 * (annotation project driver).
 */
import { isNotFoundError } from '../../common/errors/index.js';
import type { KubeApi } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import type { NamespaceAnnotationsLookup } from '../drivers/project/annotation.js';
import type { NamespaceSubnetLookup } from '../drivers/subnets/namespace.js';

/** `status.subnetId` of the namespace's KuryrNetwork (undefined until it is created). */
export function kuryrNetworkSubnetLookup(api: KubeApi): NamespaceSubnetLookup {
  return async (namespace) => {
    try {
      return (await api.get(KINDS.kuryrNetwork, namespace, namespace)).status?.subnetId;
    } catch (e) {
      if (isNotFoundError(e)) return undefined;
      throw e;
    }
  };
}

/** The namespace's annotations (undefined when it does not exist). */
export function namespaceAnnotationsLookup(api: KubeApi): NamespaceAnnotationsLookup {
  return async (namespace, signal) => {
    try {
      return (await api.get(KINDS.namespace, namespace, undefined, { signal })).metadata
        ?.annotations;
    } catch (e) {
      if (isNotFoundError(e)) return undefined;
      throw e;
    }
  };
}
