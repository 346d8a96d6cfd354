/**
 * @module How standalone ADD gets its Neutron port: a warm pool port when the network has a pool and no
 * fixed IP/MAC was asked for (one request), else the attachment's existing port (a retried ADD) or a new
 * one created bound to this host and tagged with the attachment's identity.
 */
import type { Network, Port, PortCreate, Subnet } from '../../openstack/neutron/types.js';
import { CNI_DEVICE_OWNER, networkTag } from './identity.js';
import type { PortPool } from './port-pool.js';
import type { StandaloneSpec } from './standalone-config.js';
import type { CniPortStore, CniRequest } from './types.js';

/** Collaborators. */
export interface AcquireDeps {
  store: CniPortStore;
  pool: PortPool;
  host: string;
}

/** What the port must look like. */
export interface AcquireInput {
  req: CniRequest;
  spec: StandaloneSpec;
  network: Network;
  /** Subnets chosen by the config (all of the network's when none was named). */
  subnets: Subnet[];
  securityGroups: string[];
  tags: string[];
}

/** Body of a new attachment port. */
export function attachmentPortBody(i: AcquireInput, host: string): PortCreate {
  const { req, spec } = i;
  const fixed: NonNullable<PortCreate['fixed_ips']> =
    spec.ips.length > 0
      ? spec.ips.map((ip) => ({ ip_address: ip }))
      : spec.subnets.length > 0
        ? i.subnets.map((s) => ({ subnet_id: s.id }))
        : [];
  return {
    network_id: i.network.id,
    name: `kuryr-cni-${req.containerId.slice(0, 12)}-${req.ifName}`,
    admin_state_up: true,
    device_owner: CNI_DEVICE_OWNER,
    device_id: req.containerId.slice(0, 255),
    'binding:host_id': host,
    ...(fixed.length > 0 ? { fixed_ips: fixed } : {}),
    ...(spec.mac ? { mac_address: spec.mac } : {}),
    ...(i.securityGroups.length > 0 ? { security_groups: i.securityGroups } : {}),
    ...(spec.project ? { project_id: spec.project } : {}),
  };
}

/** The port for the attachment and whether this call created it (for rollback). */
export async function acquirePort(
  deps: AcquireDeps,
  i: AcquireInput,
  signal?: AbortSignal,
): Promise<{ port: Port; created: boolean }> {
  const { spec } = i;
  if (spec.poolSize > 0 && spec.ips.length === 0 && spec.mac === undefined) {
    const key = {
      networkId: i.network.id,
      networkTag: networkTag(i.req.networkName),
      subnetIds: spec.subnets.length > 0 ? i.subnets.map((s) => s.id) : [],
      securityGroups: i.securityGroups,
      ...(spec.project ? { project: spec.project } : {}),
    };
    const warm = await deps.pool.take(key, spec.poolSize, i.tags, signal);
    // A claimed pool port is ours like a created one: roll it back by deleting it.
    if (warm) return { port: warm, created: true };
  }
  const existing = await deps.store.findPorts(i.tags, undefined, signal);
  const found = existing[0];
  if (found === undefined) {
    return {
      port: await deps.store.createPort(attachmentPortBody(i, deps.host), i.tags, signal),
      created: true,
    };
  }
  if (found['binding:host_id'] !== deps.host) {
    const port = await deps.store.claimPort(
      found,
      { 'binding:host_id': deps.host },
      i.tags,
      signal,
    );
    return { port, created: false };
  }
  return { port: found, created: false };
}
