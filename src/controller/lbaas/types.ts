/**
 * @module The load-balancer plug-in points (ARCHITECTURE.md §3): `LbaasDriver` (`[kubernetes]
 * endpoints_lbaas_driver`, alias `lbaasv2` = Octavia) and `PublicIpDriver` (`service_public_ip_driver`,
 * alias `neutron_floating_ip`), plus the KuryrLoadBalancer status entries they return — the status is
 * written exactly in the Python Kuryr's format (COMPATIBILITY.md §6) so either controller can read it.
 */
import type { KuryrLoadBalancer } from '../../k8s/crds/types.js';

/** `KuryrLoadBalancer.status`. */
export type KlbStatus = NonNullable<KuryrLoadBalancer['status']>;
/** `status.loadbalancer`. */
export type KlbLoadBalancer = NonNullable<KlbStatus['loadbalancer']>;
/** One `status.listeners[*]`. */
export type KlbListener = NonNullable<KlbStatus['listeners']>[number];
/** One `status.pools[*]`. */
export type KlbPool = NonNullable<KlbStatus['pools']>[number];
/** One `status.members[*]`. */
export type KlbMember = NonNullable<KlbStatus['members']>[number];
/** `status.service_pub_ip_info`; `alloc_method` is `pool` (we allocated it) or `user` (loadBalancerIP). */
export type PubIpInfo = NonNullable<KlbStatus['service_pub_ip_info']>;

/** Per-call options: every driver call is bounded (session deadline per request, activation timeout per wait). */
export interface LbaasCallOptions {
  signal?: AbortSignal;
}

/** What `ensureLoadBalancer` is asked for. */
export interface LoadBalancerRequest {
  /** `<namespace>/<service>`. */
  name: string;
  projectId: string;
  /** The service subnet; the VIP gets `ip` on it. */
  subnetId: string;
  /** The Service's clusterIP. */
  ip: string;
  securityGroupIds: readonly string[];
  /** Octavia provider; undefined = Octavia's default. */
  provider?: string;
}

/** One listener (a Service port's protocol + port). */
export interface ListenerRequest {
  protocol: string;
  port: number;
  timeoutClientData?: number;
  timeoutMemberData?: number;
}

/** One pool member (a ready endpoint address + the endpoint port). */
export interface MemberRequest {
  ip: string;
  port: number;
  subnetId: string;
  /** `<target namespace>/<target name>:<port>`. */
  name: string;
}

/** Octavia's view of a load balancer, for the periodic check. */
export interface LoadBalancerInventory {
  provisioningStatus: string;
  listenerIds: ReadonlySet<string>;
  poolIds: ReadonlySet<string>;
  memberIds: ReadonlySet<string>;
}

/**
 * The load-balancer driver. Every `ensure*` is idempotent (an object that already exists — e.g. created
 * before a crash and never recorded — is found and returned) and returns only once the load balancer is
 * ACTIVE again; every `release*` treats NotFound as success.
 */
export interface LbaasDriver {
  /** Protocols this Octavia accepts for listeners (SCTP only from API 2.23). */
  supportedProtocols(o?: LbaasCallOptions): Promise<ReadonlySet<string>>;
  /**
   * Creates (or finds) the load balancer whose VIP is `req.ip` on `req.subnetId`, waits for ACTIVE.
   * @throws NotReadyError when it went to ERROR (it is deleted again first); ConflictError when the
   *   address belongs to a port kuryr did not create.
   */
  ensureLoadBalancer(req: LoadBalancerRequest, o?: LbaasCallOptions): Promise<KlbLoadBalancer>;
  /** Finds a load balancer made by `ensureLoadBalancer` for `req` (crash before the status write). */
  findLoadBalancer(
    req: LoadBalancerRequest,
    o?: LbaasCallOptions,
  ): Promise<KlbLoadBalancer | undefined>;
  /** Octavia's view of the load balancer; undefined when it no longer exists. */
  inventory(lbId: string, o?: LbaasCallOptions): Promise<LoadBalancerInventory | undefined>;
  /** Cascade-deletes the load balancer, waits until it is gone, deletes the VIP port kuryr created. */
  releaseLoadBalancer(lb: KlbLoadBalancer, o?: LbaasCallOptions): Promise<void>;
  ensureListener(
    lb: KlbLoadBalancer,
    req: ListenerRequest,
    o?: LbaasCallOptions,
  ): Promise<KlbListener>;
  /** Applies changed timeouts to an existing listener. */
  updateListener(
    lb: KlbLoadBalancer,
    listener: KlbListener,
    req: ListenerRequest,
    o?: LbaasCallOptions,
  ): Promise<KlbListener>;
  releaseListener(lb: KlbLoadBalancer, listener: KlbListener, o?: LbaasCallOptions): Promise<void>;
  ensurePool(lb: KlbLoadBalancer, listener: KlbListener, o?: LbaasCallOptions): Promise<KlbPool>;
  releasePool(lb: KlbLoadBalancer, pool: KlbPool, o?: LbaasCallOptions): Promise<void>;
  ensureMember(
    lb: KlbLoadBalancer,
    pool: KlbPool,
    req: MemberRequest,
    o?: LbaasCallOptions,
  ): Promise<KlbMember>;
  /**
   * Fills a pool that has no recorded members with `reqs` in one Octavia transition (batch update: the
   * pool's members become exactly these). Only for pools whose current members kuryr does not keep.
   */
  ensureMembers(
    lb: KlbLoadBalancer,
    pool: KlbPool,
    reqs: readonly MemberRequest[],
    o?: LbaasCallOptions,
  ): Promise<KlbMember[]>;
  releaseMember(lb: KlbLoadBalancer, member: KlbMember, o?: LbaasCallOptions): Promise<void>;
  /** Puts `sgIds` on the VIP port when kuryr created it (Octavia-owned VIP ports are left alone). */
  updateSecurityGroups(
    lb: KlbLoadBalancer,
    sgIds: readonly string[],
    o?: LbaasCallOptions,
  ): Promise<void>;
}

/**
 * The public-IP driver of LoadBalancer Services: a floating IP on `[neutron_defaults] external_svc_net`
 * (or the user's `loadBalancerIP`) associated with the VIP port.
 */
export interface PublicIpDriver {
  /**
   * Allocates a floating IP already associated with `vipPortId` (`alloc_method: pool`; one allocated
   * for that port before a crash is adopted instead), or adopts the free one whose address is `lbIp`
   * (`alloc_method: user`, not associated yet).
   * @throws ConfigurationError without `external_svc_net`; ConflictError when `lbIp` is no free
   *   floating IP of this cloud.
   */
  acquire(
    projectId: string,
    lbIp: string | undefined,
    vipPortId: string,
    o?: LbaasCallOptions,
  ): Promise<PubIpInfo>;
  associate(info: PubIpInfo, portId: string, o?: LbaasCallOptions): Promise<void>;
  disassociate(info: PubIpInfo, o?: LbaasCallOptions): Promise<void>;
  /** Deletes a floating IP we allocated; a user's one is only disassociated. */
  release(info: PubIpInfo, o?: LbaasCallOptions): Promise<void>;
}
