/**
 * @module The VIF model: what the controller hands to the CNI side for one pod interface, as a
 * discriminated union on `type` (one member per os-vif class we write, COMPATIBILITY.md §7). The wire
 * form (os-vif primitive) is produced by `vif-primitive.ts`; nothing here knows about Neutron clients.
 */

/** One fixed IP subnet of a VIF's network. */
export interface VifSubnet {
  cidr: string;
  gateway?: string;
  dns: string[];
  ips: string[];
  routes: { cidr: string; gateway: string }[];
}

/** The network a VIF is on (os-vif `Network`). */
export interface VifNetwork {
  id: string;
  /** Neutron network name (os-vif `label`). */
  label: string;
  mtu?: number;
  bridge?: string;
  subnets: VifSubnet[];
}

/** Fields every VIF carries. */
export interface VifBase {
  /** Neutron port id. */
  id: string;
  /** MAC address. */
  address: string;
  /** Mirrors Neutron `status == ACTIVE`. */
  active: boolean;
  /** Host-side (or nested) device name, e.g. `tap<port[0:11]>`. */
  vifName: string;
  hasTrafficFiltering: boolean;
  preserveOnDelete: boolean;
  network: VifNetwork;
}

/** `VIFOpenVSwitch` (`binding:vif_type` ovs without hybrid plug). */
export interface OvsVif extends VifBase {
  type: 'ovs';
  bridgeName: string;
}

/** `VIFBridge`: OVS hybrid plug (`plugin: ovs`) or a Linux-bridge agent port (`plugin: linux_bridge`). */
export interface BridgeVif extends VifBase {
  type: 'bridge';
  plugin: 'ovs' | 'linux_bridge';
  bridgeName: string;
}

/** `VIFVlanNested`: a trunk subport reached through a VLAN device in the node VM. */
export interface VlanNestedVif extends VifBase {
  type: 'vlan-nested';
  vlanId: number;
}

/** `VIFMacvlanNested`: a macvlan device on the VM's interface, IP/MAC in allowed_address_pairs. */
export interface MacvlanNestedVif extends VifBase {
  type: 'macvlan-nested';
}

/** A pod VIF. */
export type Vif = OvsVif | BridgeVif | VlanNestedVif | MacvlanNestedVif;

/** Every `Vif['type']`, for exhaustive maps. */
export const VIF_TYPES = [
  'ovs',
  'bridge',
  'vlan-nested',
  'macvlan-nested',
] as const satisfies readonly Vif['type'][];
