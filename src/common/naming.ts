/**
 * @module Host interface names shared with Python Kuryr (kuryr-lib) and the Neutron L2 agents
 * (COMPATIBILITY.md §2): `tap`/`t_c` veth ends, `brq` linuxbridge bridges, `qbr`/`qvb`/`qvo` hybrid plug.
 */
import { ValidationError } from './errors/index.js';

/** Linux limit on interface names (IFNAMSIZ 16 minus the NUL, minus one spare as kuryr-lib uses). */
export const IFNAME_MAX_LENGTH = 14;
/** Characters of a Neutron id kept in a device name (`tap` + 11 = 14). */
export const NAME_ID_LENGTH = 11;

export const PREFIX_HOST_VETH = 'tap';
export const PREFIX_CONTAINER_VETH = 't_c';
export const PREFIX_LINUXBRIDGE = 'brq';
export const PREFIX_HYBRID_BRIDGE = 'qbr';
export const PREFIX_HYBRID_BRIDGE_VETH = 'qvb';
export const PREFIX_HYBRID_OVS_VETH = 'qvo';

function build(prefix: string, id: string): string {
  if (id.length === 0) throw new ValidationError(`empty id for a "${prefix}" interface name`);
  const name = prefix + id.slice(0, NAME_ID_LENGTH);
  assertIfName(name);
  return name;
}

/**
 * Throws unless `name` is a valid Linux interface name of at most 14 characters.
 * @throws ValidationError
 */
export function assertIfName(name: string): void {
  if (name.length === 0 || name.length > IFNAME_MAX_LENGTH) {
    throw new ValidationError(
      `interface name "${name}" must be 1..${IFNAME_MAX_LENGTH} characters`,
    );
  }
  if (name === '.' || name === '..' || /[\s/:]/.test(name)) {
    throw new ValidationError(`interface name "${name}" contains a character Linux refuses`);
  }
}

/** Host end of a port's veth pair: `tap<port_id[:11]>`. */
export const hostVethName = (portId: string): string => build(PREFIX_HOST_VETH, portId);
/** Container end of a port's veth pair before it is renamed: `t_c<port_id[:11]>`. */
export const containerVethName = (portId: string): string => build(PREFIX_CONTAINER_VETH, portId);
/** Linuxbridge agent bridge of a network: `brq<network_id[:11]>`. */
export const linuxBridgeName = (networkId: string): string => build(PREFIX_LINUXBRIDGE, networkId);
/** OVS hybrid plug: per-port Linux bridge `qbr<port_id[:11]>`. */
export const hybridBridgeName = (portId: string): string => build(PREFIX_HYBRID_BRIDGE, portId);
/** OVS hybrid plug: veth end on the qbr bridge, `qvb<port_id[:11]>`. */
export const hybridBridgeVethName = (portId: string): string =>
  build(PREFIX_HYBRID_BRIDGE_VETH, portId);
/** OVS hybrid plug: veth end on the integration bridge, `qvo<port_id[:11]>`. */
export const hybridOvsVethName = (portId: string): string => build(PREFIX_HYBRID_OVS_VETH, portId);
