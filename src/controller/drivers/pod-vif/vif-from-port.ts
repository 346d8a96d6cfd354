/**
 * @module Turns a bound Neutron port (+ the subnets it is on) into a {@link Vif}, choosing the os-vif
 * class from `binding:vif_type` as COMPATIBILITY.md §7 says. Pure: no Neutron calls.
 */
import { NotReadyError } from '../../../common/errors/index.js';
import { hybridBridgeName, hostVethName, linuxBridgeName } from '../../../common/naming.js';
import type { Vif, VifBase, VifNetwork } from '../../../models/vif.js';
import type { Port } from '../../../openstack/neutron/index.js';
import type { PodSubnet } from './types.js';

/** The network part of a VIF: only the subnets the port has an address on. */
export function vifNetwork(port: Port, subnets: readonly PodSubnet[]): VifNetwork {
  const first = subnets.find((s) => s.network.id === port.network_id) ?? subnets[0];
  const mtu = first?.network.mtu;
  return {
    id: port.network_id,
    label: first?.network.name ?? '',
    ...(mtu ? { mtu } : {}),
    subnets: subnets
      .filter((s) => port.fixed_ips.some((f) => f.subnet_id === s.subnet.id))
      .map(({ subnet }) => ({
        cidr: subnet.cidr,
        ...(subnet.gateway_ip ? { gateway: subnet.gateway_ip } : {}),
        dns: [...subnet.dns_nameservers],
        ips: port.fixed_ips.filter((f) => f.subnet_id === subnet.id).map((f) => f.ip_address),
        routes: subnet.host_routes.map((r) => ({ cidr: r.destination, gateway: r.nexthop })),
      })),
  };
}

/** Fields shared by every VIF class, from the port. */
export function vifBase(port: Port, subnets: readonly PodSubnet[]): VifBase {
  const details = port['binding:vif_details'] ?? {};
  return {
    id: port.id,
    address: port.mac_address,
    active: port.status === 'ACTIVE',
    vifName: hostVethName(port.id),
    hasTrafficFiltering: details['port_filter'] === true,
    preserveOnDelete: false,
    network: vifNetwork(port, subnets),
  };
}

/**
 * The VIF of a port bound by an L2 agent (neutron-vif).
 * @param ovsBridge `[neutron_defaults] ovs_bridge`, used when vif_details has no `bridge_name`.
 * @throws NotReadyError when the port is not bound (`unbound`, `binding_failed`): no agent took it yet.
 */
export function vifFromBoundPort(
  port: Port,
  subnets: readonly PodSubnet[],
  ovsBridge = 'br-int',
): Vif {
  const base = vifBase(port, subnets);
  const details = port['binding:vif_details'] ?? {};
  const vifType = port['binding:vif_type'] ?? 'unbound';
  if (vifType === 'ovs') {
    if (details['ovs_hybrid_plug'] === true) {
      return { ...base, type: 'bridge', plugin: 'ovs', bridgeName: hybridBridgeName(port.id) };
    }
    const bridge = typeof details['bridge_name'] === 'string' ? details['bridge_name'] : ovsBridge;
    return { ...base, type: 'ovs', bridgeName: bridge, network: { ...base.network, bridge } };
  }
  if (vifType === 'bridge') {
    const bridge = linuxBridgeName(port.network_id);
    return {
      ...base,
      type: 'bridge',
      plugin: 'linux_bridge',
      bridgeName: bridge,
      network: { ...base.network, bridge },
    };
  }
  throw new NotReadyError(
    `port ${port.id} has binding:vif_type '${vifType}' on host ` +
      `'${port['binding:host_id'] ?? ''}': check that an L2 agent runs there`,
    { details: { portId: port.id, vifType } },
  );
}
