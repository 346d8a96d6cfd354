/**
 * @module Request bodies of the Neutron v2.0 creates and updates (the object inside `{<resource>: …}`),
 * snake_case exactly as the API takes them. Re-exported by types.ts.
 */
import type {
  AllocationPool,
  AllowedAddressPair,
  ExternalGatewayInfo,
  HostRoute,
  Quota,
  SubPort,
} from './types.js';

// Neutron ignores `tags` in POST bodies on Zed (COMPATIBILITY.md §1), so the
// create inputs deliberately have no `tags` field: create, then tag through `NeutronClient.tags`.

/** Body of `POST /v2.0/networks`. */
export interface NetworkCreate {
  name?: string;
  admin_state_up?: boolean;
  shared?: boolean;
  description?: string;
  mtu?: number;
  project_id?: string;
  port_security_enabled?: boolean;
  'router:external'?: boolean;
  'provider:network_type'?: string;
  'provider:physical_network'?: string;
  'provider:segmentation_id'?: number;
  availability_zone_hints?: string[];
}
/** Body of `PUT /v2.0/networks/{id}`. */
export type NetworkUpdate = Partial<
  Pick<
    NetworkCreate,
    'name' | 'admin_state_up' | 'shared' | 'description' | 'mtu' | 'port_security_enabled'
  > & { 'router:external': boolean }
>;

/** Body of `POST /v2.0/subnets`. `cidr` may be omitted when `subnetpool_id` is given. */
export interface SubnetCreate {
  network_id: string;
  ip_version: 4 | 6;
  cidr?: string;
  name?: string;
  description?: string;
  subnetpool_id?: string;
  prefixlen?: number;
  gateway_ip?: string | null;
  enable_dhcp?: boolean;
  allocation_pools?: AllocationPool[];
  dns_nameservers?: string[];
  host_routes?: HostRoute[];
  ipv6_address_mode?: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless';
  ipv6_ra_mode?: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless';
  project_id?: string;
  service_types?: string[];
}
/** Body of `PUT /v2.0/subnets/{id}`. */
export type SubnetUpdate = Partial<
  Pick<
    SubnetCreate,
    | 'name'
    | 'description'
    | 'gateway_ip'
    | 'enable_dhcp'
    | 'allocation_pools'
    | 'dns_nameservers'
    | 'host_routes'
    | 'service_types'
  >
>;

/** Body of `POST /v2.0/subnetpools`. */
export interface SubnetPoolCreate {
  name?: string;
  prefixes: string[];
  default_prefixlen?: number;
  min_prefixlen?: number;
  max_prefixlen?: number;
  shared?: boolean;
  is_default?: boolean;
  default_quota?: number;
  address_scope_id?: string;
  description?: string;
  project_id?: string;
}
/** Body of `PUT /v2.0/subnetpools/{id}` (`prefixes` may only grow). */
export type SubnetPoolUpdate = Partial<Omit<SubnetPoolCreate, 'shared' | 'project_id'>>;

/** Body of `POST /v2.0/ports`. */
export interface PortCreate {
  network_id: string;
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  mac_address?: string;
  fixed_ips?: (
    { subnet_id: string; ip_address?: string } | { ip_address: string; subnet_id?: string }
  )[];
  device_id?: string;
  device_owner?: string;
  security_groups?: string[];
  allowed_address_pairs?: AllowedAddressPair[];
  port_security_enabled?: boolean;
  project_id?: string;
  /** Admin only (COMPATIBILITY.md §1). */
  'binding:host_id'?: string;
  'binding:vnic_type'?: string;
  'binding:profile'?: Record<string, unknown>;
  extra_dhcp_opts?: Record<string, unknown>[];
  dns_name?: string;
}
/** Body of `PUT /v2.0/ports/{id}`. */
export type PortUpdate = Partial<Omit<PortCreate, 'network_id' | 'project_id'>>;

/** Body of `POST /v2.0/security-groups`. */
export interface SecurityGroupCreate {
  name: string;
  description?: string;
  project_id?: string;
  stateful?: boolean;
}
/** Body of `PUT /v2.0/security-groups/{id}`. */
export type SecurityGroupUpdate = Partial<
  Pick<SecurityGroupCreate, 'name' | 'description' | 'stateful'>
>;

/** Body of `POST /v2.0/security-group-rules`. Rules cannot be updated (only description on Zed). */
export interface SecurityGroupRuleCreate {
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype?: 'IPv4' | 'IPv6';
  protocol?: string | number | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  remote_address_group_id?: string | null;
  description?: string;
  project_id?: string;
}

/** Body of `POST /v2.0/trunks`. */
export interface TrunkCreate {
  port_id: string;
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  sub_ports?: SubPort[];
  project_id?: string;
}
/** Body of `PUT /v2.0/trunks/{id}`. */
export type TrunkUpdate = Partial<Pick<TrunkCreate, 'name' | 'description' | 'admin_state_up'>>;

/** Body of `POST /v2.0/routers`. */
export interface RouterCreate {
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  external_gateway_info?: ExternalGatewayInfo;
  distributed?: boolean;
  ha?: boolean;
  project_id?: string;
  availability_zone_hints?: string[];
}
/** Body of `PUT /v2.0/routers/{id}`. */
export type RouterUpdate = Partial<
  Pick<RouterCreate, 'name' | 'description' | 'admin_state_up'> & {
    external_gateway_info: ExternalGatewayInfo | null;
    routes: HostRoute[];
  }
>;
/** Body of `add_router_interface` / `remove_router_interface`: a subnet or a port, not both. */
export type RouterInterfaceRequest = { subnet_id: string } | { port_id: string };

/** Body of `POST /v2.0/floatingips`. */
export interface FloatingIpCreate {
  floating_network_id: string;
  floating_ip_address?: string;
  subnet_id?: string;
  port_id?: string;
  fixed_ip_address?: string;
  description?: string;
  project_id?: string;
  dns_domain?: string;
  dns_name?: string;
}
/** Body of `PUT /v2.0/floatingips/{id}`; `port_id: null` disassociates. */
export interface FloatingIpUpdate {
  port_id?: string | null;
  fixed_ip_address?: string;
  description?: string;
}

/** Body of `POST /v2.0/floatingips/{fip}/port_forwardings`. */
export interface PortForwardingCreate {
  protocol: 'tcp' | 'udp';
  internal_ip_address: string;
  internal_port_id: string;
  internal_port?: number;
  external_port?: number;
  internal_port_range?: string;
  external_port_range?: string;
  description?: string;
}
/** Body of `PUT /v2.0/floatingips/{fip}/port_forwardings/{id}`. */
export type PortForwardingUpdate = Partial<PortForwardingCreate>;

/** Body of `PUT /v2.0/quotas/{project_id}`. */
export type QuotaUpdate = Partial<Record<keyof Quota & string, number>>;
