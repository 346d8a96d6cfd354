/**
 * @module Octavia v2 (`/v2/lbaas`) resource types as the API returns them (snake_case), and the
 * create/update bodies. Unlike Neutron Zed, Octavia honours `tags` in POST bodies.
 */

/** `provisioning_status` of every Octavia object. `PENDING_*` objects are immutable (409). */
export type ProvisioningStatus =
  'ACTIVE' | 'DELETED' | 'ERROR' | 'PENDING_CREATE' | 'PENDING_UPDATE' | 'PENDING_DELETE';

/** A reference to another object by id. */
export interface IdRef {
  id: string;
}

/** Fields every Octavia object carries. */
export interface OctaviaBase {
  id: string;
  name: string;
  description: string;
  project_id: string;
  provisioning_status: ProvisioningStatus;
  /** `ONLINE`, `OFFLINE`, `DEGRADED`, `ERROR`, `NO_MONITOR`, `DRAINING`. */
  operating_status: string;
  admin_state_up: boolean;
  tags: string[];
  created_at?: string;
  updated_at?: string | null;
}

/** Octavia `loadbalancer`. */
export interface LoadBalancer extends OctaviaBase {
  vip_address: string;
  vip_port_id: string;
  vip_subnet_id: string;
  vip_network_id: string;
  vip_qos_policy_id?: string | null;
  provider: string;
  flavor_id?: string | null;
  availability_zone?: string | null;
  listeners: IdRef[];
  pools: IdRef[];
}

/** Octavia `listener`. */
export interface Listener extends OctaviaBase {
  protocol: string;
  protocol_port: number;
  loadbalancers: IdRef[];
  default_pool_id: string | null;
  connection_limit: number;
  allowed_cidrs?: string[] | null;
  timeout_client_data?: number;
  timeout_member_connect?: number;
  timeout_member_data?: number;
  timeout_tcp_inspect?: number;
  l7policies?: IdRef[];
}

/** Session persistence of a pool. */
export interface SessionPersistence {
  type: 'SOURCE_IP' | 'HTTP_COOKIE' | 'APP_COOKIE';
  cookie_name?: string | null;
}

/** Octavia `pool`. */
export interface Pool extends OctaviaBase {
  protocol: string;
  lb_algorithm: string;
  loadbalancers: IdRef[];
  listeners: IdRef[];
  members: IdRef[];
  healthmonitor_id: string | null;
  session_persistence: SessionPersistence | null;
}

/** Octavia `member` (of a pool). */
export interface Member extends OctaviaBase {
  address: string;
  protocol_port: number;
  subnet_id?: string | null;
  weight: number;
  backup?: boolean;
  monitor_address?: string | null;
  monitor_port?: number | null;
}

/** Body of `POST /v2/lbaas/loadbalancers`: one of `vip_subnet_id`, `vip_network_id`, `vip_port_id`. */
export interface LoadBalancerCreate {
  name?: string;
  description?: string;
  vip_subnet_id?: string;
  vip_network_id?: string;
  vip_port_id?: string;
  vip_address?: string;
  provider?: string;
  admin_state_up?: boolean;
  project_id?: string;
  flavor_id?: string;
  tags?: string[];
}
/** Body of `PUT /v2/lbaas/loadbalancers/{id}`. */
export type LoadBalancerUpdate = Partial<
  Pick<LoadBalancerCreate, 'name' | 'description' | 'admin_state_up' | 'tags'>
>;

/** Body of `POST /v2/lbaas/listeners`. */
export interface ListenerCreate {
  loadbalancer_id: string;
  protocol: 'TCP' | 'UDP' | 'HTTP' | 'HTTPS' | 'TERMINATED_HTTPS' | 'SCTP';
  protocol_port: number;
  name?: string;
  description?: string;
  default_pool_id?: string;
  connection_limit?: number;
  allowed_cidrs?: string[];
  admin_state_up?: boolean;
  timeout_client_data?: number;
  timeout_member_data?: number;
  tags?: string[];
}
/** Body of `PUT /v2/lbaas/listeners/{id}`. */
export type ListenerUpdate = Partial<
  Omit<ListenerCreate, 'loadbalancer_id' | 'protocol' | 'protocol_port'>
>;

/** Body of `POST /v2/lbaas/pools`: `loadbalancer_id` or `listener_id`. */
export interface PoolCreate {
  protocol: 'TCP' | 'UDP' | 'HTTP' | 'HTTPS' | 'PROXY' | 'SCTP';
  lb_algorithm: 'ROUND_ROBIN' | 'LEAST_CONNECTIONS' | 'SOURCE_IP' | 'SOURCE_IP_PORT';
  loadbalancer_id?: string;
  listener_id?: string;
  name?: string;
  description?: string;
  session_persistence?: SessionPersistence | null;
  admin_state_up?: boolean;
  tags?: string[];
}
/** Body of `PUT /v2/lbaas/pools/{id}`. */
export type PoolUpdate = Partial<
  Pick<
    PoolCreate,
    'name' | 'description' | 'lb_algorithm' | 'session_persistence' | 'admin_state_up' | 'tags'
  >
>;

/** Body of `POST /v2/lbaas/pools/{pool}/members` (one element of the batch update too). */
export interface MemberCreate {
  address: string;
  protocol_port: number;
  subnet_id?: string;
  name?: string;
  weight?: number;
  backup?: boolean;
  monitor_address?: string;
  monitor_port?: number;
  admin_state_up?: boolean;
  tags?: string[];
}
/** Body of `PUT /v2/lbaas/pools/{pool}/members/{id}`. */
export type MemberUpdate = Partial<
  Pick<
    MemberCreate,
    'name' | 'weight' | 'backup' | 'monitor_address' | 'monitor_port' | 'admin_state_up' | 'tags'
  >
>;
