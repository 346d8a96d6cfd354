/**
 * @module Neutron v2.0 resource types exactly as the API returns them (snake_case, `binding:*` and
 * `router:external` keys verbatim) and the listing types. No renaming happens anywhere in
 * the client, so these shapes double as the wire format. Create/update bodies: inputs.ts (re-exported).
 */

export type * from './inputs.js';

/** Fields every standard-attribute resource carries (standard-attr-* extensions). */
export interface StandardAttrs {
  id: string;
  /** Always present on Zed, may be an empty array. */
  tags: string[];
  description: string;
  project_id: string;
  /** Legacy alias of `project_id`; Neutron still returns it. */
  tenant_id?: string;
  revision_number: number;
  created_at?: string;
  updated_at?: string;
}

/** Neutron `network` (`GET /v2.0/networks/{id}`). */
export interface Network extends StandardAttrs {
  name: string;
  admin_state_up: boolean;
  status: string;
  shared: boolean;
  /** Ids of the subnets on this network. */
  subnets: string[];
  mtu?: number;
  'router:external'?: boolean;
  port_security_enabled?: boolean;
  availability_zone_hints?: string[];
  availability_zones?: string[];
  ipv4_address_scope?: string | null;
  ipv6_address_scope?: string | null;
  is_default?: boolean;
  'provider:network_type'?: string | null;
  'provider:physical_network'?: string | null;
  'provider:segmentation_id'?: number | null;
  dns_domain?: string;
  qos_policy_id?: string | null;
}

/** An allocation pool of a subnet. */
export interface AllocationPool {
  start: string;
  end: string;
}

/** A static host route of a subnet. */
export interface HostRoute {
  destination: string;
  nexthop: string;
}

/** Neutron `subnet`. */
export interface Subnet extends StandardAttrs {
  name: string;
  network_id: string;
  ip_version: 4 | 6;
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: boolean;
  allocation_pools: AllocationPool[];
  dns_nameservers: string[];
  host_routes: HostRoute[];
  subnetpool_id: string | null;
  ipv6_address_mode?: string | null;
  ipv6_ra_mode?: string | null;
  service_types?: string[];
  segment_id?: string | null;
}

/** Neutron `subnetpool`. */
export interface SubnetPool extends StandardAttrs {
  name: string;
  prefixes: string[];
  ip_version: 4 | 6;
  default_prefixlen: number;
  min_prefixlen: number;
  max_prefixlen: number;
  shared: boolean;
  is_default: boolean;
  default_quota: number | null;
  address_scope_id: string | null;
}

/** One fixed IP of a port. */
export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

/** An allowed address pair of a port (`mac_address` defaults to the port's MAC). */
export interface AllowedAddressPair {
  ip_address: string;
  mac_address?: string;
}

/** A subport as listed in a parent port's `trunk_details`. */
export interface TrunkDetailsSubPort extends SubPort {
  mac_address?: string;
}

/** `trunk_details` of a trunk's parent port. */
export interface TrunkDetails {
  trunk_id: string;
  sub_ports: TrunkDetailsSubPort[];
}

/** Neutron `port`. `binding:*` fields read as null/empty for non-admin users. */
export interface Port extends StandardAttrs {
  name: string;
  network_id: string;
  admin_state_up: boolean;
  status: string;
  mac_address: string;
  fixed_ips: FixedIp[];
  device_id: string;
  device_owner: string;
  security_groups: string[];
  allowed_address_pairs: AllowedAddressPair[];
  port_security_enabled?: boolean;
  'binding:host_id'?: string | null;
  'binding:vif_type'?: string | null;
  'binding:vif_details'?: Record<string, unknown> | null;
  'binding:vnic_type'?: string;
  'binding:profile'?: Record<string, unknown> | null;
  trunk_details?: TrunkDetails;
  extra_dhcp_opts?: Record<string, unknown>[];
  dns_name?: string;
  dns_assignment?: Record<string, unknown>[];
  qos_policy_id?: string | null;
  propagate_uplink_status?: boolean;
}

/** Neutron `security_group`. */
export interface SecurityGroup extends StandardAttrs {
  name: string;
  security_group_rules: SecurityGroupRule[];
  stateful?: boolean;
  shared?: boolean;
}

/** Neutron `security_group_rule` (rules carry no tags on Zed, but standard attrs otherwise). */
export interface SecurityGroupRule {
  id: string;
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  remote_address_group_id?: string | null;
  description: string;
  project_id: string;
  tenant_id?: string;
  revision_number?: number;
  created_at?: string;
  updated_at?: string;
  tags?: string[];
}

/** A trunk subport. */
export interface SubPort {
  port_id: string;
  /** `vlan` or `inherit`. */
  segmentation_type: string;
  segmentation_id: number;
}

/** Neutron `trunk`. */
export interface Trunk extends StandardAttrs {
  name: string;
  port_id: string;
  admin_state_up: boolean;
  status: string;
  sub_ports: SubPort[];
}

/** External gateway of a router. */
export interface ExternalGatewayInfo {
  network_id: string;
  enable_snat?: boolean;
  external_fixed_ips?: { subnet_id?: string; ip_address?: string }[];
}

/** Neutron `router`. */
export interface Router extends StandardAttrs {
  name: string;
  admin_state_up: boolean;
  status: string;
  external_gateway_info: ExternalGatewayInfo | null;
  routes?: HostRoute[];
  distributed?: boolean;
  ha?: boolean;
  availability_zone_hints?: string[];
  availability_zones?: string[];
  flavor_id?: string | null;
}

/** Reply of `PUT /v2.0/routers/{id}/add_router_interface` (and remove). */
export interface RouterInterfaceInfo {
  id: string;
  subnet_id: string;
  subnet_ids: string[];
  port_id: string;
  network_id: string;
  project_id: string;
  tenant_id?: string;
  tags?: string[];
}

/** Neutron `floatingip`. */
export interface FloatingIp extends StandardAttrs {
  floating_ip_address: string;
  floating_network_id: string;
  router_id: string | null;
  port_id: string | null;
  fixed_ip_address: string | null;
  status: string;
  port_details?: Record<string, unknown> | null;
  port_forwardings?: PortForwarding[];
  dns_domain?: string;
  dns_name?: string;
  qos_policy_id?: string | null;
}

/** Neutron `port_forwarding` (sub-resource of a floating IP). */
export interface PortForwarding {
  id: string;
  /** `tcp`, `udp` (or `sctp`). */
  protocol: string;
  internal_ip_address: string;
  internal_port?: number;
  internal_port_id: string;
  external_port?: number;
  internal_port_range?: string;
  external_port_range?: string;
  description?: string;
}

/** Neutron `quota` of one project (`-1` = unlimited). */
export interface Quota {
  network: number;
  subnet: number;
  subnetpool: number;
  port: number;
  router: number;
  floatingip: number;
  security_group: number;
  security_group_rule: number;
  rbac_policy?: number;
  trunk?: number;
  [resource: string]: number | undefined;
}

/** One resource of `GET /v2.0/quotas/{project_id}/details` (`limit` −1 = unlimited). */
export interface QuotaDetail {
  used: number;
  limit: number;
  reserved: number;
}

/** Neutron quota details of one project (extension `quota_details`): resource → usage. */
export type QuotaDetails = Record<string, QuotaDetail | undefined>;

/** Neutron API `extension`. */
export interface Extension {
  alias: string;
  name: string;
  description: string;
  updated: string;
  links: unknown[];
}

// ------------------------------------------------------------------------------------------------
// Listing

/** A filter value: arrays repeat the query key (`id=a&id=b`, Neutron ORs them). */
export type FilterValue = string | number | boolean | null | readonly (string | number)[];

/**
 * Filters of a list call. The four tag filters take arrays and are sent comma-joined as Neutron
 * expects (`tags=a,b` = all of, `tags-any=a,b` = any of). Every other key is a field filter
 * (repeated for arrays). `fields` selects returned fields (repeated `fields=`); `id` is always
 * added by the client when `fields` is set, because paging needs it as the marker.
 */
export interface ListFilters {
  tags?: readonly string[];
  'tags-any'?: readonly string[];
  'not-tags'?: readonly string[];
  'not-tags-any'?: readonly string[];
  fields?: readonly string[];
  [field: string]: FilterValue | undefined;
}

/** Options of a list call. */
export interface ListOptions {
  /** Items per page (`limit`); when unset Neutron's own limit applies (usually none: one page). */
  pageSize?: number;
  /** Aborts the listing between and during pages. */
  signal?: AbortSignal;
}

/** The resource names the `/tags` API supports (the URL collection names). */
export type TaggableResource =
  | 'networks'
  | 'subnets'
  | 'subnetpools'
  | 'ports'
  | 'security-groups'
  | 'routers'
  | 'floatingips'
  | 'trunks';
