/**
 * @module `lbaasv2`: the LbaasDriver on Octavia v2. Every mutation is followed by a bounded wait for the
 * load balancer to be ACTIVE again (Octavia refuses changes while it is `PENDING_*`); a create that
 * collides with an object a previous run made (409) finds and returns that object instead. The load
 * balancer and its VIP port live here; listeners, pools and members in `octavia-children.ts`.
 */
import type { Logger } from 'pino';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import { NotReadyError } from '../../common/errors/index.js';
import type { OctaviaClient } from '../../openstack/octavia/index.js';
import { ProvisioningError } from '../../openstack/octavia/index.js';
import { OctaviaChildren } from './octavia-children.js';
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
  private readonly children: OctaviaChildren;

  constructor(
    private readonly octavia: OctaviaClient,
    neutron: NeutronClient,
    private readonly log: Logger,
    opts: OctaviaDriverOptions = {},
  ) {
    this.vip = new VipPorts(neutron, opts.resourceTags ?? []);
    this.steps = new OctaviaSteps(octavia, opts);
    this.children = new OctaviaChildren(octavia, this.steps, (o) => this.feature(o), opts);
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
        ...(await this.children.tagFields(o)),
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

  ensureListener(
    lb: KlbLoadBalancer,
    req: ListenerRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbListener> {
    return this.children.ensureListener(lb, req, o);
  }

  updateListener(
    lb: KlbLoadBalancer,
    listener: KlbListener,
    req: ListenerRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbListener> {
    return this.children.updateListener(lb, listener, req, o);
  }

  releaseListener(
    lb: KlbLoadBalancer,
    listener: KlbListener,
    o: LbaasCallOptions = {},
  ): Promise<void> {
    return this.children.releaseListener(lb, listener, o);
  }

  ensurePool(
    lb: KlbLoadBalancer,
    listener: KlbListener,
    o: LbaasCallOptions = {},
  ): Promise<KlbPool> {
    return this.children.ensurePool(lb, listener, o);
  }

  releasePool(lb: KlbLoadBalancer, pool: KlbPool, o: LbaasCallOptions = {}): Promise<void> {
    return this.children.releasePool(lb, pool, o);
  }

  ensureMember(
    lb: KlbLoadBalancer,
    pool: KlbPool,
    req: MemberRequest,
    o: LbaasCallOptions = {},
  ): Promise<KlbMember> {
    return this.children.ensureMember(lb, pool, req, o);
  }

  ensureMembers(
    lb: KlbLoadBalancer,
    pool: KlbPool,
    reqs: readonly MemberRequest[],
    o: LbaasCallOptions = {},
  ): Promise<KlbMember[]> {
    return this.children.ensureMembers(lb, pool, reqs, o);
  }

  releaseMember(lb: KlbLoadBalancer, member: KlbMember, o: LbaasCallOptions = {}): Promise<void> {
    return this.children.releaseMember(lb, member, o);
  }

  async updateSecurityGroups(
    lb: KlbLoadBalancer,
    sgIds: readonly string[],
    o: LbaasCallOptions = {},
  ): Promise<void> {
    await this.vip.updateSecurityGroups(lb.port_id, sgIds, o);
  }
}
