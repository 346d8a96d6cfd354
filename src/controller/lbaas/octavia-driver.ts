/**
 * @module `lbaasv2`: the LbaasDriver on Octavia v2. Every mutation is followed by a bounded wait for the
 * load balancer to be ACTIVE again (Octavia refuses changes while it is `PENDING_*`); a create that
 * collides with an object a previous run made (409) finds and returns that object instead.
 */
import type { Logger } from 'pino';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import { NotReadyError } from '../../common/errors/index.js';
import type { Listener, Member, OctaviaClient, PoolCreate } from '../../openstack/octavia/index.js';
import { ProvisioningError } from '../../openstack/octavia/index.js';
import { listenerName } from './names.js';
import { detectOctaviaFeatures, type OctaviaFeatures } from './octavia-features.js';
import { OctaviaSteps } from './octavia-steps.js';
import type {
  KlbListener,
  KlbLoadBalancer,
  KlbMember,
  KlbPool,
  LbaasCallOptions,
  LbaasDriver,
  ListenerRequest,
  LoadBalancerInventory,
  LoadBalancerRequest,
  MemberRequest,
} from './types.js';
import { VipPorts } from './vip-port.js';

/** Settings of the Octavia driver (from kuryr.conf). */
export interface OctaviaDriverOptions {
  /** `[neutron_defaults] resource_tags`: Octavia `tags` (API ≥ 2.5) or `description` (older). */
  resourceTags?: readonly string[];
  /** `[octavia_defaults] lb_algorithm`. @default ROUND_ROBIN */
  lbAlgorithm?: string;
  /** `[neutron_defaults] lbaas_activation_timeout` in ms. @default 300000 */
  activationTimeoutMs?: number;
  /** First poll delay of the ACTIVE waits. @default 250 */
  pollInitialMs?: number;
}

/** The Octavia implementation of {@link LbaasDriver}. */
export class OctaviaLbaasDriver implements LbaasDriver {
  private features: Promise<OctaviaFeatures> | undefined;
  private readonly vip: VipPorts;
  private readonly steps: OctaviaSteps;
  private readonly tags: readonly string[];

  constructor(
    private readonly octavia: OctaviaClient,
    neutron: NeutronClient,
    private readonly log: Logger,
    private readonly opts: OctaviaDriverOptions = {},
  ) {
    this.tags = opts.resourceTags ?? [];
    this.vip = new VipPorts(neutron, this.tags);
    this.steps = new OctaviaSteps(octavia, opts);
  }

  /** API features, read once (a failed read is retried next time). */
  private feature(o: LbaasCallOptions): Promise<OctaviaFeatures> {
    this.features ??= detectOctaviaFeatures(this.octavia.http, o.signal).catch((e: unknown) => {
      this.features = undefined;
      throw e;
    });
    return this.features;
  }

  async supportedProtocols(o: LbaasCallOptions = {}): Promise<ReadonlySet<string>> {
    const f = await this.feature(o);
    return new Set(f.sctp ? ['TCP', 'UDP', 'SCTP'] : ['TCP', 'UDP']);
  }

  /** `tags`, or the original's comma-joined `description` on APIs without tags. */
  private async tagFields(o: LbaasCallOptions): Promise<{ tags?: string[]; description?: string }> {
    if (this.tags.length === 0) return {};
    return (await this.feature(o)).tags
      ? { tags: [...this.tags] }
      : { description: this.tags.join(',') };
  }

  async ensureLoadBalancer(
    req: LoadBalancerRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbLoadBalancer> {
    const { port, existed } = await this.vip.ensure(req, o);
    let lb = existed
      ? await this.octavia.loadBalancers.findOne({ vip_port_id: port.id }, o)
      : undefined;
    if (lb && ['ERROR', 'PENDING_DELETE', 'DELETED'].includes(lb.provisioning_status)) {
      // A previous one on this VIP port that failed or is going away: let it go, make a new one.
      await this.steps.deleteCascade(lb.id, o);
      lb = undefined;
    }
    lb ??= await this.octavia.loadBalancers.create(
      {
        name: req.name,
        project_id: req.projectId,
        vip_port_id: port.id,
        vip_subnet_id: req.subnetId,
        vip_address: req.ip,
        ...(req.provider !== undefined ? { provider: req.provider } : {}),
        ...(await this.tagFields(o)),
      },
      o,
    );
    try {
      lb = await this.steps.waitActive(lb.id, o);
    } catch (error) {
      if (error instanceof ProvisioningError) {
        // An LB born in ERROR never recovers: remove it and let the pipeline retry with a new one
        // (NotReadyError requeues with backoff; the ProvisioningError itself would be terminal).
        await this.octavia.loadBalancers.deleteIfExists(lb.id, { ...o, cascade: true });
        throw new NotReadyError(`load balancer ${lb.id} for ${req.name} went to ERROR; retrying`, {
          cause: error,
        });
      }
      throw error;
    }
    this.log.info({ lb: lb.id, name: req.name, vip: lb.vip_address }, 'load balancer ACTIVE');
    return {
      id: lb.id,
      ip: lb.vip_address,
      name: lb.name,
      port_id: port.id,
      project_id: lb.project_id,
      provider: lb.provider,
      security_groups: [...req.securityGroupIds],
      subnet_id: req.subnetId,
    };
  }

  async findLoadBalancer(
    req: LoadBalancerRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbLoadBalancer | undefined> {
    const port = await this.vip.find(req, o);
    const lb = port && (await this.octavia.loadBalancers.findOne({ vip_port_id: port.id }, o));
    if (port === undefined) return undefined;
    return {
      id: lb?.id ?? '',
      ip: req.ip,
      name: req.name,
      port_id: port.id,
      project_id: req.projectId,
      provider: lb?.provider ?? '',
      security_groups: [...req.securityGroupIds],
      subnet_id: req.subnetId,
    };
  }

  inventory(lbId: string, o: LbaasCallOptions = {}): Promise<LoadBalancerInventory | undefined> {
    return this.steps.inventory(lbId, o);
  }

  async releaseLoadBalancer(lb: KlbLoadBalancer, o: LbaasCallOptions = {}): Promise<void> {
    if (lb.id) await this.steps.deleteCascade(lb.id, o);
    if (lb.port_id) await this.vip.release(lb.port_id, o);
    this.log.info({ lb: lb.id, name: lb.name }, 'load balancer released');
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
      subnet_id: req.subnetId,
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

  async updateSecurityGroups(
    lb: KlbLoadBalancer,
    sgIds: readonly string[],
    o: LbaasCallOptions = {},
  ): Promise<void> {
    await this.vip.updateSecurityGroups(lb.port_id, sgIds, o);
  }
}
