/**
 * @module The pod/service subnets plug-in point (`pod_subnets_driver`, `service_subnets_driver`): which
 * Neutron subnet(s) a pod's port gets its address on.
 */
import type { PodSubnet } from '../pod-vif/types.js';

/** What a subnets driver is asked about. */
export interface SubnetsTarget {
  /** Namespace name. */
  namespace: string;
}

/**
 * Contract: returns at least one subnet, all on one network, with the network object.
 * @throws ConfigurationError (required option unset), NotReadyError (namespace network not created yet),
 *   NotFoundError (configured subnet missing in Neutron).
 */
export interface SubnetsDriver {
  readonly alias: string;
  getSubnets(target: SubnetsTarget, opts?: { signal?: AbortSignal }): Promise<PodSubnet[]>;
}
