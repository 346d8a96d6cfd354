/**
 * @module Finds the node VM's own Neutron port (the trunk parent / macvlan host port) by the node's IP
 * in `[pod_vif_nested] worker_nodes_subnets`, as the Python nested drivers do.
 */
import {
  ConfigurationError,
  NotFoundError,
  ValidationError,
} from '../../../common/errors/index.js';
import type { NeutronClient, Port } from '../../../openstack/neutron/index.js';

/**
 * The VM port holding `hostIp` in one of `workerSubnets`.
 * @throws ConfigurationError when `worker_nodes_subnets` is empty; ValidationError without a host IP;
 *   NotFoundError when no port holds the IP; ConflictError when several do.
 */
export async function findParentPort(
  neutron: NeutronClient,
  workerSubnets: readonly string[],
  hostIp: string | undefined,
  signal?: AbortSignal,
): Promise<Port> {
  if (workerSubnets.length === 0) {
    throw new ConfigurationError(
      '[pod_vif_nested] worker_nodes_subnets is empty: set the subnet IDs of the worker VMs',
    );
  }
  if (hostIp === undefined || hostIp === '') {
    throw new ValidationError('nested VIF request without the node IP (pod status.hostIP)');
  }
  for (const subnetId of workerSubnets) {
    const port = await neutron.ports.findOne(
      { fixed_ips: [`subnet_id=${subnetId}`, `ip_address=${hostIp}`] },
      { signal },
    );
    if (port !== undefined) return port;
  }
  throw new NotFoundError(
    `no Neutron port holds node IP ${hostIp} in [pod_vif_nested] worker_nodes_subnets ` +
      `(${workerSubnets.join(', ')})`,
    { details: { hostIp } },
  );
}
