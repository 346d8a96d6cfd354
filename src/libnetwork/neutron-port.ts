/**
 * @module The narrow Neutron interface the libnetwork services depend on: generic CRUD + tags over the few
 * resources Docker networking touches. Implemented over a `ServiceClient` by `neutron-rest.ts`; faked in unit
 * tests. Errors follow ARCHITECTURE.md §4 (NotFoundError, ConflictError, NotReadyError …).
 */

/** Neutron network (fields kuryr reads). */
export interface Network {
  id: string;
  name: string;
  shared: boolean;
  subnets: string[];
  tags: string[];
  mtu?: number;
  project_id?: string;
}

/** Neutron subnet. */
export interface Subnet {
  id: string;
  name: string;
  network_id: string;
  cidr: string;
  ip_version: 4 | 6;
  gateway_ip: string | null;
  subnetpool_id: string | null;
  host_routes: { destination: string; nexthop: string }[];
  allocation_pools: { start: string; end: string }[];
  tags: string[];
}

/** Neutron subnetpool. */
export interface Subnetpool {
  id: string;
  name: string;
  prefixes: string[];
  default_prefixlen: number | string;
  ip_version: 4 | 6;
  shared: boolean;
  description?: string;
  tags: string[];
}

/** Neutron port. */
export interface Port {
  id: string;
  name: string;
  network_id: string;
  mac_address: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  device_owner: string;
  device_id: string;
  status: string;
  tags: string[];
  security_groups: string[];
  'binding:host_id'?: string;
  'binding:vif_type'?: string;
  'binding:vif_details'?: Record<string, unknown>;
  'binding:vnic_type'?: string;
}

/** Neutron security group. */
export interface SecurityGroup {
  id: string;
  name: string;
  tags: string[];
}

/** Neutron security group rule. */
export interface SecurityGroupRule {
  id: string;
  security_group_id: string;
  direction: 'ingress' | 'egress';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
}

/** Resource collection name (URL path segment) → shape. */
export interface NeutronResources {
  networks: Network;
  subnets: Subnet;
  subnetpools: Subnetpool;
  ports: Port;
  'security-groups': SecurityGroup;
  'security-group-rules': SecurityGroupRule;
}

/** A collection name. */
export type ResourceKind = keyof NeutronResources;

/** Query filters; arrays repeat the key; `tags`/`tags-any`/`not-tags` take comma-joined lists. */
export type Filters = Record<string, string | number | boolean | readonly string[] | undefined>;

/**
 * What the libnetwork services need from Neutron. Every method has a deadline (the client's) and rejects with
 * the kuryr error categories; `get`/`update`/`delete` of a missing object reject with NotFoundError.
 */
export interface LibnetworkNeutron {
  list<K extends ResourceKind>(kind: K, filters?: Filters): Promise<NeutronResources[K][]>;
  get<K extends ResourceKind>(kind: K, id: string): Promise<NeutronResources[K]>;
  create<K extends ResourceKind>(
    kind: K,
    body: Record<string, unknown>,
  ): Promise<NeutronResources[K]>;
  update<K extends ResourceKind>(
    kind: K,
    id: string,
    body: Record<string, unknown>,
  ): Promise<NeutronResources[K]>;
  delete(kind: ResourceKind, id: string): Promise<void>;
  /** Replaces all tags of the resource in one call (`PUT …/tags`). */
  replaceTags(kind: ResourceKind, id: string, tags: readonly string[]): Promise<void>;
  /** Aliases of the enabled API extensions. */
  extensions(): Promise<string[]>;
}
