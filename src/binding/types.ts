/**
 * @module Public contract of host binding: connect a Neutron port to a container interface
 * (veth/macvlan/VLAN) and plug the host side the way the port's L2 agent expects (COMPATIBILITY.md §2).
 * Consumers: the Docker port drivers (host + container ends in the current netns) and the CNI daemon
 * (container end created directly in CNI_NETNS with L3).
 */
import type { AllowedAddressPair, Port, SubPort, Trunk } from '../openstack/neutron/types.js';

/** The fields of a Neutron port that binding reads. Any full `Port` satisfies it. */
export type BindingPort = Pick<Port, 'id' | 'network_id' | 'mac_address' | 'fixed_ips'> &
  Partial<
    Pick<
      Port,
      | 'binding:vif_type'
      | 'binding:vif_details'
      | 'binding:host_id'
      | 'device_id'
      | 'status'
      | 'allowed_address_pairs'
      | 'revision_number'
    >
  >;

/** One address of the container interface, `ip/prefixlen` (v4 or v6). */
export interface InterfaceAddress {
  cidr: string;
}

/** One route in the container netns; `dst` is a CIDR or `default` (v4) / `default6` is spelled `::/0`. */
export interface InterfaceRoute {
  dst: string;
  gw?: string;
}

/** L3 configuration applied to the container interface inside its netns (CNI). */
export interface InterfaceIp {
  addresses: InterfaceAddress[];
  routes: InterfaceRoute[];
}

/** What to bind and where. */
export interface BindTarget {
  /** The Neutron port (bound: `binding:vif_type` set by Neutron). */
  port: BindingPort;
  /** Network MTU (Neutron network `mtu`). @default 1500 */
  mtu?: number;
  /**
   * Path of the container netns (`/proc/PID/ns/net`, `/var/run/netns/NAME`, `/var/run/docker/netns/KEY`).
   * Undefined = the current netns (Docker: libnetwork moves the container end itself).
   */
  netns?: string;
  /**
   * Container-side interface name. With `netns` set it is created under this name inside the netns
   * (e.g. CNI_IFNAME `eth0`); without, use `containerVethName(port.id)` (`t_c…`).
   */
  ifName: string;
  /** L3 to configure inside `netns` (addresses, routes), interface brought up. Omit for Docker. */
  ip?: InterfaceIp;
  /** Nested drivers: the VM's interface the macvlan/VLAN device hangs off (`[binding] link_iface`). */
  linkIface?: string;
  /** Nested `vlan`: the subport's segmentation id (see `NestedTrunks.addSubport`). */
  vlanId?: number;
  /** Nested `macvlan`: the VM's (trunk parent's) Neutron port that gets the allowed address pair. */
  vmPortId?: string;
}

/** What `bind` created. */
export interface BindResult {
  /** Driver alias that did the work (`bridge`, `ovs`, `ovs-hybrid`, `tap`, `macvlan`, `vlan`). */
  driver: string;
  /** Host-side device name (`tap…`); undefined for nested drivers. */
  hostIfName?: string;
  /** Container-side device name (in `netns`, or in the current netns when no netns was given). */
  containerIfName: string;
  mac: string;
  mtu: number;
}

/** Result of `check`: `ok` when every expected device/attribute is present. */
export interface CheckReport {
  ok: boolean;
  /** Human-readable mismatches, empty when ok. */
  problems: string[];
}

/**
 * One binding flavour. Contract for every implementation:
 * - `bind` is idempotent: binding a bound target converges to the same state (no error, no duplicate);
 *   on failure it removes whatever this call created before throwing.
 * - `unbind` is idempotent: a missing netns, link, bridge port or OVS port is success.
 * - Calls for the same port must be serialised by the caller (KeyedMutex on the port id).
 * @throws ValidationError bad target (names, MTU, missing linkIface/vlanId)
 * @throws UnsupportedError the kernel cannot create the device (e.g. no 8021q for `vlan`)
 * @throws NotFoundError the netns or the parent link does not exist
 */
export interface BindingDriver {
  readonly name: string;
  bind(target: BindTarget, signal?: AbortSignal): Promise<BindResult>;
  unbind(target: BindTarget, signal?: AbortSignal): Promise<void>;
  check(target: BindTarget): Promise<CheckReport>;
}

/** Chooses the driver for a port by `binding:vif_type` / `binding:vif_details` (see registry.ts). */
export interface BindingRegistry {
  /**
   * @throws UnsupportedError `unbound`, `binding_failed` or an unknown vif_type (message lists known ones)
   */
  driverFor(port: BindingPort): BindingDriver;
  /** A driver by alias (`bridge`, `ovs`, `ovs-hybrid`, `tap`, `macvlan`, `vlan`). */
  driver(alias: BindingDriverAlias): BindingDriver;
}

export type BindingDriverAlias = 'bridge' | 'ovs' | 'ovs-hybrid' | 'tap' | 'macvlan' | 'vlan';

/**
 * The Neutron calls the nested drivers need; the typed Neutron client satisfies it through a thin
 * adapter. `updatePortPairs` must send `revision_number` as `If-Match` and raise ConflictError on 412.
 */
export interface NestedNeutron {
  getPort(portId: string, signal?: AbortSignal): Promise<BindingPort & { revision_number: number }>;
  updatePortPairs(
    portId: string,
    pairs: AllowedAddressPair[],
    revisionNumber: number,
    signal?: AbortSignal,
  ): Promise<void>;
  getTrunk(trunkId: string, signal?: AbortSignal): Promise<Trunk>;
  addSubports(trunkId: string, subports: SubPort[], signal?: AbortSignal): Promise<void>;
  removeSubports(trunkId: string, portIds: string[], signal?: AbortSignal): Promise<void>;
}
