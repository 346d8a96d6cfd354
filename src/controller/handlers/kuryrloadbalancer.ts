/**
 * @module `kuryrloadbalancer` handler: KuryrLoadBalancer → Octavia load balancer, listeners, pools,
 * members and (LoadBalancer type) a floating IP, recorded in `status` in the Python Kuryr's format with a
 * JSON patch (no status subresource on the CRD); the floating IP also goes to the Service's
 * `status.loadBalancer.ingress`. A periodic check prunes from the status what Octavia no longer has, so
 * the next run recreates it. On deletion: floating IP, load balancer (cascade) and VIP port go first.
 */
import { ConfigurationError, isNotFoundError, ValidationError } from '../../common/errors/index.js';
import { FINALIZER_KURYRLOADBALANCER } from '../../k8s/constants.js';
import type { KuryrLoadBalancer } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import { hasEndpoints } from '../lbaas/desired.js';
import type { LbaasHandlerDeps } from '../lbaas/build-lbaas.js';
import type { KlbSync } from '../lbaas/klb-sync.js';
import type { KlbStatus, LbaasDriver, PublicIpDriver } from '../lbaas/types.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';

/** The `kuryrloadbalancer` handler. */
export class KuryrLoadBalancerHandler implements ResourceHandler<KuryrLoadBalancer> {
  readonly alias = 'kuryrloadbalancer';
  readonly kind = KINDS.kuryrLoadBalancer;
  readonly finalizer = FINALIZER_KURYRLOADBALANCER;

  constructor(
    private readonly sync: KlbSync,
    private readonly lbaas: LbaasDriver,
    private readonly pubIp: PublicIpDriver,
  ) {}

  async onPresent(klb: KuryrLoadBalancer, ctx: HandlerContext): Promise<void> {
    // As the original: nothing before the Service has a clusterIP (headless, ExternalName) and nothing
    // before the first endpoint exists, unless a load balancer was already made.
    if (!klb.spec.ip || (!klb.status?.loadbalancer && !hasEndpoints(klb))) return;
    const req = this.sync.request(klb);
    if (!req.subnetId || !req.projectId) {
      throw new ValidationError(
        `KuryrLoadBalancer ${klb.metadata?.namespace}/${klb.metadata?.name} has no subnet_id/project_id ` +
          'and [neutron_defaults] service_subnet/project are not set',
      );
    }
    let saved = JSON.stringify(klb.status ?? {});
    const save = async (st: KlbStatus): Promise<void> => {
      const text = JSON.stringify(st);
      if (text === saved) return;
      await this.patchStatus(klb, st, ctx);
      saved = text;
    };
    const before = klb.status?.service_pub_ip_info?.ip_addr;
    const st = await this.sync.sync(klb, save, ctx.signal);
    await save(st);
    const after = st.service_pub_ip_info?.ip_addr;
    if (after !== before) await this.patchServiceIngress(klb, after, ctx);
  }

  async onFinalize(klb: KuryrLoadBalancer, ctx: HandlerContext): Promise<void> {
    const o = { signal: ctx.signal };
    const st = klb.status ?? {};
    if (st.service_pub_ip_info) await this.pubIp.release(st.service_pub_ip_info, o);
    // No status: a crash between creating the VIP port / LB and the first status write.
    const lb =
      st.loadbalancer ??
      (klb.spec.ip ? await this.lbaas.findLoadBalancer(this.sync.request(klb), o) : undefined);
    if (lb) await this.lbaas.releaseLoadBalancer(lb, o);
    ctx.log.info({ klb: klb.metadata?.name, lb: lb?.id }, 'load balancer released on deletion');
  }

  /**
   * Periodic check: a load balancer Octavia lost or put in ERROR, or listeners/pools/members it no
   * longer has, are removed from the status (guarded by resourceVersion), which triggers `onPresent`.
   */
  async reconcile(all: KuryrLoadBalancer[], ctx: HandlerContext): Promise<void> {
    for (const klb of all) {
      const st = klb.status;
      if (!st?.loadbalancer?.id || klb.metadata?.deletionTimestamp) continue;
      const inv = await this.lbaas.inventory(st.loadbalancer.id, { signal: ctx.signal });
      const next: KlbStatus = structuredClone(st);
      if (inv === undefined || inv.provisioningStatus === 'ERROR') {
        // onPresent sees the same and releases/recreates; a deleted LB only needs a nudge.
        if (inv === undefined) {
          delete next.loadbalancer;
          next.listeners = [];
          next.pools = [];
          next.members = [];
        } else {
          (next as Record<string, unknown>)['loadbalancer'] = { ...st.loadbalancer, ip: '' };
        }
      } else {
        next.listeners = (st.listeners ?? []).filter((l) => inv.listenerIds.has(l.id));
        next.pools = (st.pools ?? []).filter((p) => inv.poolIds.has(p.id));
        next.members = (st.members ?? []).filter((m) => inv.memberIds.has(m.id));
      }
      if (JSON.stringify(next) === JSON.stringify(st)) continue;
      ctx.log.warn(
        { klb: `${klb.metadata?.namespace}/${klb.metadata?.name}`, lb: st.loadbalancer.id },
        'Octavia lost part of the load balancer; converging again',
      );
      await this.patchStatus(klb, next, ctx, klb.metadata?.resourceVersion).catch((e: unknown) => {
        // Changed meanwhile (422 test failed / 409) or gone: the next period looks again.
        ctx.log.debug({ err: e }, 'reconcile status patch skipped');
      });
    }
  }

  private async patchStatus(
    klb: KuryrLoadBalancer,
    st: KlbStatus,
    ctx: HandlerContext,
    resourceVersion?: string,
  ): Promise<void> {
    const ops = [
      ...(resourceVersion
        ? [{ op: 'test' as const, path: '/metadata/resourceVersion', value: resourceVersion }]
        : []),
      { op: 'add' as const, path: '/status', value: st },
    ];
    await ctx.api.patchJson(
      KINDS.kuryrLoadBalancer,
      klb.metadata?.name ?? '',
      klb.metadata?.namespace,
      ops,
      {
        signal: ctx.signal,
      },
    );
  }

  /** The Service's `status.loadBalancer.ingress` (status subresource), as the original writes it. */
  private async patchServiceIngress(
    klb: KuryrLoadBalancer,
    ip: string | undefined,
    ctx: HandlerContext,
  ): Promise<void> {
    const loadBalancer = ip ? { ingress: [{ ip }] } : { ingress: null };
    try {
      await ctx.api.patchMerge(
        KINDS.service,
        klb.metadata?.name ?? '',
        klb.metadata?.namespace,
        { status: { loadBalancer } },
        { signal: ctx.signal, subresource: 'status' },
      );
    } catch (error) {
      if (!isNotFoundError(error)) throw error;
    }
  }
}

/**
 * Registry factory: the handler from the LBaaS dependencies (built in the composition root only when
 * `kuryrloadbalancer` is enabled).
 * @throws ConfigurationError when they were not built.
 */
export function createKuryrLoadBalancerHandler(
  d: LbaasHandlerDeps | undefined,
): KuryrLoadBalancerHandler {
  if (d === undefined) {
    throw new ConfigurationError(
      'the kuryrloadbalancer handler needs the LBaaS drivers (buildLbaasDeps)',
    );
  }
  return new KuryrLoadBalancerHandler(d.sync, d.lbaas, d.pubIp);
}
