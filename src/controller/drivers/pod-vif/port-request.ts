/**
 * @module The `POST /v2.0/ports` body of a pod port and the create-then-tag helpers the Pod VIF drivers
 * share (Neutron Zed ignores `tags` in POST bodies, so tags go on with one `PUT …/tags` per port).
 */
import type { Logger } from 'pino';
import type { NeutronClient, Port, PortCreate } from '../../../openstack/neutron/index.js';
import { DEVICE_OWNER_KURYR, POOL_PORT_NAME, type VifRequest } from './types.js';

/** Longest Neutron name. */
const NAME_MAX = 255;

/** How the port body is built. */
export interface PortBodyOptions {
  /** `[kubernetes] port_debug`: name the port `<ns>/<pod>`. */
  portDebug: boolean;
  /** Pool port: name `kuryr-pool-port`, no device_id. */
  pooled: boolean;
  /** `binding:host_id`; omitted for nested ports (the trunk plugin binds subports). */
  hostId?: string;
  /**
   * Leave device_id empty even for a pod port: Neutron refuses a port with a device as a trunk subport
   * ("Port already has an attached device"), so nested-vlan ports are found through their trunk.
   */
  noDeviceId?: boolean;
}

/**
 * Prefix of the `description` that names the pod of a port created without `device_id` (nested-vlan
 * subports): `kuryr.pod.uid:<pod uid>`. Set in the create body itself (Neutron ignores tags there, so a
 * tag would need a second request and leave a crash window); Python Kuryr never reads port
 * descriptions, so the wire contract is unchanged. The orphan sweeps find a subport's pod by it.
 */
export const POD_UID_DESCRIPTION_PREFIX = 'kuryr.pod.uid:';

/** The port body for `req`. */
export function podPortBody(req: VifRequest, o: PortBodyOptions): PortCreate {
  const first = req.subnets[0];
  if (first === undefined) throw new TypeError('podPortBody: no subnet given');
  const name = o.pooled
    ? POOL_PORT_NAME
    : o.portDebug
      ? `${req.pod.namespace}/${req.pod.name}`.slice(0, NAME_MAX)
      : '';
  return {
    network_id: first.network.id,
    fixed_ips: req.subnets.map((s) => ({ subnet_id: s.subnet.id })),
    device_owner: DEVICE_OWNER_KURYR,
    device_id: o.pooled || o.noDeviceId === true ? '' : req.pod.uid,
    admin_state_up: true,
    name,
    // nested-vlan: the pod identity device_id cannot carry (see POD_UID_DESCRIPTION_PREFIX)
    ...(!o.pooled && o.noDeviceId === true
      ? { description: `${POD_UID_DESCRIPTION_PREFIX}${req.pod.uid}` }
      : {}),
    project_id: req.projectId,
    security_groups: [...req.securityGroups],
    ...(o.hostId !== undefined ? { 'binding:host_id': o.hostId } : {}),
  };
}

/**
 * Creates `bodies` in ONE bulk request, then tags each port with `tags`. If tagging fails every created
 * port is deleted again (best effort) and the error rethrown: all or nothing.
 */
export async function createPortsTagged(
  neutron: NeutronClient,
  bodies: readonly PortCreate[],
  tags: readonly string[],
  log: Logger,
  signal?: AbortSignal,
): Promise<Port[]> {
  const ports = await neutron.ports.createBulk(bodies, { signal });
  if (tags.length === 0) return ports;
  try {
    return await Promise.all(
      ports.map(async (p) => ({
        ...p,
        tags: await neutron.tags.replace('ports', p.id, tags, { signal }),
      })),
    );
  } catch (error) {
    log.warn({ err: error, count: ports.length }, 'tagging new pod ports failed; deleting them');
    await Promise.all(ports.map((p) => neutron.ports.deleteIfExists(p.id).catch(() => false)));
    throw error;
  }
}
