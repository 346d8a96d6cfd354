/**
 * @module The listeners, pools and members of one Octavia load balancer for the `lbaasv2` driver: each
 * write goes through {@link OctaviaSteps} (wait for ACTIVE, create-or-find after a 409), and the bodies
 * follow the API's features (tags or `description`, listener timeouts).
 */
import { NotReadyError } from '../../common/errors/index.js';
import type { Listener, Member, OctaviaClient, PoolCreate } from '../../openstack/octavia/index.js';
import { listenerName } from './names.js';
import type { OctaviaFeatures } from './octavia-features.js';
import type { OctaviaSteps } from './octavia-steps.js';
import type {
  KlbListener,
  KlbLoadBalancer,
  KlbMember,
  KlbPool,
  LbaasCallOptions,
  ListenerRequest,
  MemberRequest,
} from './types.js';

/** Reads the API features of the Octavia in front of us (cached by the driver). */
export type FeatureReader = (o: LbaasCallOptions) => Promise<OctaviaFeatures>;

/** Settings of the child objects (from kuryr.conf). */
export interface OctaviaChildrenOptions {
  /** `[neutron_defaults] resource_tags`: Octavia `tags` (API ≥ 2.5) or `description` (older). */
  resourceTags?: readonly string[];
  /** `[octavia_defaults] lb_algorithm`. @default ROUND_ROBIN */
  lbAlgorithm?: string;
}

/**
 * Listener, pool and member steps of the Octavia `LbaasDriver`; the driver keeps the load
 * balancer itself and delegates these.
 */
export class OctaviaChildren {
  private readonly tags: readonly string[];

  constructor(
    private readonly octavia: OctaviaClient,
    private readonly steps: OctaviaSteps,
    private readonly feature: FeatureReader,
    private readonly opts: OctaviaChildrenOptions = {},
  ) {
    this.tags = opts.resourceTags ?? [];
  }

  /** `tags`, or the original's comma-joined `description` on APIs without tags. */
  async tagFields(o: LbaasCallOptions): Promise<{ tags?: string[]; description?: string }> {
    if (this.tags.length === 0) return {};
    return (await this.feature(o)).tags
      ? { tags: [...this.tags] }
      : { description: this.tags.join(',') };
  }

  private listenerStatus(lb: KlbLoadBalancer, l: Listener, req: ListenerRequest): KlbListener {
    return {
      id: l.id,
      loadbalancer_id: lb.id,
      name: l.name,
      port: l.protocol_port,
      project_id: lb.project_id,
      protocol: l.protocol,
      ...(req.timeoutClientData ? { timeout_client_data: req.timeoutClientData } : {}),
      ...(req.timeoutMemberData ? { timeout_member_data: req.timeoutMemberData } : {}),
    };
  }

  private async timeoutFields(req: ListenerRequest, o: LbaasCallOptions) {
    if (!(await this.feature(o)).timeouts) return {};
    return {
      ...(req.timeoutClientData ? { timeout_client_data: req.timeoutClientData } : {}),
      ...(req.timeoutMemberData ? { timeout_member_data: req.timeoutMemberData } : {}),
    };
  }

  async ensureListener(
    lb: KlbLoadBalancer,
    req: ListenerRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbListener> {
    const body = {
      name: listenerName(lb.name, req.protocol, req.port),
      loadbalancer_id: lb.id,
      protocol: req.protocol as 'TCP' | 'UDP' | 'SCTP',
      protocol_port: req.port,
      ...(await this.timeoutFields(req, o)),
      ...(await this.tagFields(o)),
    };
    const l = await this.steps.createOrFind(
      lb.id,
      o,
      () => this.octavia.listeners.create(body, o),
      () =>
        this.octavia.listeners.findOne(
          { loadbalancer_id: lb.id, protocol: req.protocol, protocol_port: req.port },
          o,
        ),
    );
    return this.listenerStatus(lb, l, req);
  }

  async updateListener(
    lb: KlbLoadBalancer,
    listener: KlbListener,
    req: ListenerRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbListener> {
    // 0 restores Octavia's default (50 s), which is what an absent timeout means on create.
    const f = (await this.feature(o)).timeouts;
    const l = await this.steps.mutate(lb.id, o, () =>
      this.octavia.listeners.update(
        listener.id,
        f
          ? {
              timeout_client_data: req.timeoutClientData || 50_000,
              timeout_member_data: req.timeoutMemberData || 50_000,
            }
          : {},
        o,
      ),
    );
    return this.listenerStatus(lb, l, req);
  }

  async releaseListener(
    lb: KlbLoadBalancer,
    listener: KlbListener,
    o: LbaasCallOptions = {},
  ): Promise<void> {
    await this.steps.mutate(lb.id, o, () => this.octavia.listeners.deleteIfExists(listener.id, o));
  }

  async ensurePool(
    lb: KlbLoadBalancer,
    listener: KlbListener,
    o: LbaasCallOptions = {},
  ): Promise<KlbPool> {
    const body: PoolCreate = {
      name: listener.name,
      listener_id: listener.id,
      protocol: listener.protocol as PoolCreate['protocol'],
      lb_algorithm: (this.opts.lbAlgorithm ?? 'ROUND_ROBIN') as PoolCreate['lb_algorithm'],
      ...(await this.tagFields(o)),
    };
    const p = await this.steps.createOrFind(
      lb.id,
      o,
      () => this.octavia.pools.create(body, o),
      async () => {
        const poolId = (await this.octavia.listeners.get(listener.id, o)).default_pool_id;
        return poolId ? this.octavia.pools.get(poolId, o) : undefined;
      },
    );
    return {
      id: p.id,
      listener_id: listener.id,
      loadbalancer_id: lb.id,
      name: p.name,
      project_id: lb.project_id,
      protocol: p.protocol,
    };
  }

  async releasePool(lb: KlbLoadBalancer, pool: KlbPool, o: LbaasCallOptions = {}): Promise<void> {
    await this.steps.mutate(lb.id, o, () => this.octavia.pools.deleteIfExists(pool.id, o));
  }

  private memberBody(req: MemberRequest, tags: boolean) {
    return {
      name: req.name,
      address: req.ip,
      protocol_port: req.port,
      subnet_id: req.subnetId,
      ...(tags && this.tags.length > 0 ? { tags: [...this.tags] } : {}),
    };
  }

  private memberStatus(
    lb: KlbLoadBalancer,
    pool: KlbPool,
    m: Member,
    req: MemberRequest,
  ): KlbMember {
    return {
      id: m.id,
      ip: req.ip,
      name: m.name,
      pool_id: pool.id,
      port: req.port,
      project_id: lb.project_id,
      // Octavia's own value: a member found after a 409 may sit on another subnet (member_mode was
      // changed meanwhile); recording the truth lets the next sync replace it.
      subnet_id: m.subnet_id ?? req.subnetId,
    };
  }

  async ensureMember(
    lb: KlbLoadBalancer,
    pool: KlbPool,
    req: MemberRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbMember> {
    const body = this.memberBody(req, (await this.feature(o)).tags);
    const m = await this.steps.createOrFind(
      lb.id,
      o,
      () => this.octavia.members.create(pool.id, body, o),
      () =>
        this.octavia.members.of(pool.id).findOne({ address: req.ip, protocol_port: req.port }, o),
    );
    return this.memberStatus(lb, pool, m, req);
  }

  async ensureMembers(
    lb: KlbLoadBalancer,
    pool: KlbPool,
    reqs: readonly MemberRequest[],
    o: LbaasCallOptions = {},
  ): Promise<KlbMember[]> {
    if (reqs.length === 1) return [await this.ensureMember(lb, pool, reqs[0]!, o)];
    const tags = (await this.feature(o)).tags;
    await this.steps.mutate(lb.id, o, () =>
      this.octavia.members.replaceAll(
        pool.id,
        reqs.map((r) => this.memberBody(r, tags)),
        o,
      ),
    );
    // The batch reply carries no ids: one listing gives them all.
    const got = await this.octavia.members.listAll(pool.id, {}, o);
    return reqs.map((r) => {
      const m = got.find((x) => x.address === r.ip && x.protocol_port === r.port);
      if (m === undefined) {
        throw new NotReadyError(
          `member ${r.ip}:${r.port} of pool ${pool.id} not listed after the batch update`,
        );
      }
      return this.memberStatus(lb, pool, m, r);
    });
  }

  async releaseMember(
    lb: KlbLoadBalancer,
    member: KlbMember,
    o: LbaasCallOptions = {},
  ): Promise<void> {
    await this.steps.mutate(lb.id, o, () =>
      this.octavia.members.deleteIfExists(member.pool_id, member.id, o),
    );
  }
}
