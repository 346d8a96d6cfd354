/**
 * @module Encodes a bound Neutron port as the os-vif versioned-object primitive of COMPATIBILITY.md §7 —
 * the body of the daemon's `/addNetwork` 202 reply, which Python Kuryr's Go shim turns into a CNI result.
 * Structural input types keep models/ free of client imports.
 */

/** The port fields the encoder reads. */
export interface VifPortInput {
  id: string;
  mac_address: string;
  status: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  'binding:vif_type'?: string | null;
  'binding:vif_details'?: Record<string, unknown> | null;
}

/** The network/subnet fields the encoder reads. */
export interface VifNetworkInput {
  id: string;
  name: string;
  mtu?: number;
}

/** One subnet. */
export interface VifSubnetInput {
  id: string;
  cidr: string;
  gateway_ip: string | null;
  dns_nameservers: string[];
  host_routes: { destination: string; nexthop: string }[];
}

/** An ADD outcome as the encoder needs it. */
export interface VifInput {
  port: VifPortInput;
  network: VifNetworkInput;
  subnets: readonly VifSubnetInput[];
}

type Primitive = Record<string, unknown>;

function ovo(name: string, data: Primitive, version = '1.0'): Primitive {
  return {
    'versioned_object.name': name,
    'versioned_object.namespace': 'os_vif',
    'versioned_object.version': version,
    'versioned_object.data': data,
  };
}

function list(name: string, objects: Primitive[]): Primitive {
  return ovo(name, { objects });
}

/** The primitive for `input` (`VIFOpenVSwitch`, `VIFBridge` hybrid, or `VIFBridge` linux_bridge). */
export function encodeVif(input: VifInput): Primitive {
  const { port, network, subnets } = input;
  const short = port.id.slice(0, 11);
  const details = port['binding:vif_details'] ?? {};
  const subnetObjs = subnets
    .filter((s) => port.fixed_ips.some((f) => f.subnet_id === s.id))
    .map((s) =>
      ovo('Subnet', {
        cidr: s.cidr,
        ...(s.gateway_ip ? { gateway: s.gateway_ip } : {}),
        dns: s.dns_nameservers,
        ips: list(
          'FixedIPList',
          port.fixed_ips
            .filter((f) => f.subnet_id === s.id)
            .map((f) => ovo('FixedIP', { address: f.ip_address })),
        ),
        routes: list(
          'RouteList',
          s.host_routes.map((r) => ovo('Route', { cidr: r.destination, gateway: r.nexthop })),
        ),
      }),
    );
  const type = port['binding:vif_type'];
  const hybrid = type === 'ovs' && details.ovs_hybrid_plug === true;
  const bridge =
    type === 'ovs' && !hybrid
      ? typeof details.bridge_name === 'string'
        ? details.bridge_name
        : 'br-int'
      : hybrid
        ? `qbr${short}`
        : `brq${network.id.slice(0, 11)}`;
  const net = ovo(
    'Network',
    {
      id: network.id,
      label: network.name,
      ...(network.mtu ? { mtu: network.mtu } : {}),
      bridge,
      subnets: list('SubnetList', subnetObjs),
    },
    '1.1',
  );
  const common = {
    id: port.id,
    address: port.mac_address,
    active: port.status === 'ACTIVE',
    vif_name: `tap${short}`,
    bridge_name: bridge,
    has_traffic_filtering: details.port_filter === true,
    preserve_on_delete: false,
    network: net,
  };
  if (type === 'ovs' && !hybrid) {
    return ovo('VIFOpenVSwitch', {
      ...common,
      plugin: 'ovs',
      port_profile: ovo('VIFPortProfileOpenVSwitch', { interface_id: port.id }),
    });
  }
  return ovo('VIFBridge', {
    ...common,
    plugin: hybrid ? 'ovs' : 'linux_bridge',
    ...(hybrid
      ? { port_profile: ovo('VIFPortProfileOpenVSwitch', { interface_id: port.id }) }
      : {}),
  });
}

/** A VIF decoded from its primitive: what binding and the CNI result need. */
export interface DecodedVif {
  /** os-vif class, e.g. `VIFOpenVSwitch`. */
  className: string;
  portId: string;
  mac: string;
  active: boolean;
  /** Neutron `binding:vif_type` the host plumbing follows. */
  vifType: 'ovs' | 'bridge';
  /** True for `VIFBridge` with plugin `ovs` (ovs_hybrid_plug). */
  hybrid: boolean;
  bridgeName?: string;
  vifName?: string;
  network: {
    id: string;
    mtu?: number;
    subnets: {
      cidr: string;
      gateway?: string;
      dns: string[];
      ips: string[];
      routes: { cidr: string; gateway: string }[];
    }[];
  };
}

function dataOf(o: unknown, what: string): Record<string, unknown> {
  const d = (o as Record<string, unknown> | undefined)?.['versioned_object.data'];
  if (typeof d !== 'object' || d === null)
    throw new TypeError(`VIF primitive: ${what} has no versioned_object.data`);
  return d as Record<string, unknown>;
}

function objects(o: unknown, what: string): unknown[] {
  if (o === undefined) return [];
  const list = dataOf(o, what).objects;
  return Array.isArray(list) ? list : [];
}

/**
 * Decodes a VIF primitive (any 1.x of the classes of COMPATIBILITY.md §7; unknown fields ignored).
 * @throws TypeError when the object is not a VIF primitive or its class is not supported here
 */
export function decodeVif(primitive: unknown): DecodedVif {
  const rawName = (primitive as Record<string, unknown> | undefined)?.['versioned_object.name'];
  const className = typeof rawName === 'string' ? rawName : '';
  const d = dataOf(primitive, 'VIF');
  if (className !== 'VIFOpenVSwitch' && className !== 'VIFBridge') {
    throw new TypeError(
      `VIF class ${className || '(none)'} is not supported by the CNI daemon's host binding`,
    );
  }
  const net = dataOf(d.network, 'network');
  const subnets = objects(net.subnets, 'subnets').map((s) => {
    const sd = dataOf(s, 'subnet');
    return {
      cidr: String(sd.cidr),
      ...(typeof sd.gateway === 'string' ? { gateway: sd.gateway } : {}),
      dns: Array.isArray(sd.dns) ? sd.dns.map(String) : [],
      ips: objects(sd.ips, 'ips').map((f) => String(dataOf(f, 'ip').address)),
      routes: objects(sd.routes, 'routes').map((r) => {
        const rd = dataOf(r, 'route');
        return { cidr: String(rd.cidr), gateway: String(rd.gateway) };
      }),
    };
  });
  const hybrid = className === 'VIFBridge' && d.plugin === 'ovs';
  return {
    className,
    portId: String(d.id),
    mac: String(d.address),
    active: d.active === true,
    vifType: className === 'VIFOpenVSwitch' || hybrid ? 'ovs' : 'bridge',
    hybrid,
    ...(typeof d.bridge_name === 'string' ? { bridgeName: d.bridge_name } : {}),
    ...(typeof d.vif_name === 'string' ? { vifName: d.vif_name } : {}),
    network: {
      id: String(net.id),
      ...(typeof net.mtu === 'number' ? { mtu: net.mtu } : {}),
      subnets,
    },
  };
}
