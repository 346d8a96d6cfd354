/**
 * @module `KlbSpecWriter`: the one place that creates, updates and releases a Service's KuryrLoadBalancer
 * (name = Service name, same namespace, ownerRef → Service, COMPATIBILITY.md §6). Shared by the
 * `service` and `endpoints` handlers so either may run first (order independence): whoever finds no
 * KuryrLoadBalancer creates it complete (Service fields + Endpoints), the loser of a create race falls
 * back to a merge patch. The KuryrLoadBalancer is created without finalizers: the `kuryrloadbalancer`
 * handler's pipeline adds `kuryr.openstack.org/kuryrloadbalancer-finalizers` before it creates anything
 * in Octavia, so a KuryrLoadBalancer nobody acted on yet can always be deleted.
 */
import { isConflictError, isNotFoundError } from '../../../common/errors/index.js';
import { CRD_API_VERSION, FINALIZER_SERVICE } from '../../../k8s/constants.js';
import type { KlbEndpointSlice, KuryrLoadBalancer } from '../../../k8s/crds/types.js';
import { addFinalizer, hasFinalizer, removeFinalizer } from '../../../k8s/finalizers.js';
import { KINDS } from '../../../k8s/kinds.js';
import type { KubeObject } from '../../../k8s/object.js';
import type { HandlerContext, HandlerResult } from '../../pipeline/types.js';
import type { ServiceSpecDeps } from './deps.js';
import { endpointSlicesOf } from './endpoint-slices.js';
import { buildServiceSpecPart, specPatch, type KlbSpec } from './service-spec.js';

/** Poll interval while a KuryrLoadBalancer is being deleted (its Octavia side goes first). */
export const KLB_GONE_POLL_MS = 1000;

async function getOrUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw err;
  }
}

/** Creates/updates/releases KuryrLoadBalancers for Services. */
export class KlbSpecWriter {
  constructor(private readonly deps: ServiceSpecDeps) {}

  /**
   * Converge the KuryrLoadBalancer of `svc` (a Service that gets a load balancer): Service finalizer
   * first, then create or patch. `slices` given ⇒ `spec.endpointSlices` is written too; otherwise an
   * existing KuryrLoadBalancer keeps its slices and a new one gets them from the live Endpoints.
   */
  async ensure(
    svc: KubeObject,
    ctx: HandlerContext,
    slices?: KlbEndpointSlice[],
  ): Promise<HandlerResult> {
    const name = svc.metadata?.name ?? '';
    const namespace = svc.metadata?.namespace ?? '';
    // ARCHITECTURE.md §5: the Service finalizer is stored before the KuryrLoadBalancer exists, so a
    // Service deletion always waits for the load balancer cleanup.
    const current = await this.holdService(svc, ctx);
    if (current === undefined) return {}; // deleted meanwhile: its finalize path (if any) follows
    const [part, found] = await Promise.all([
      buildServiceSpecPart(current, this.deps, ctx.signal),
      this.get(name, namespace, ctx),
    ]);
    let klb = found;
    if (klb?.metadata?.deletionTimestamp) return { requeueAfterMs: KLB_GONE_POLL_MS };
    const owner = klb?.metadata?.ownerReferences?.find((r) => r.kind === 'Service')?.uid;
    if (klb && owner && owner !== current.metadata?.uid) {
      // Left over from an earlier Service of the same name: replace it once it is cleaned up.
      ctx.log.info({ service: `${namespace}/${name}` }, 'stale KuryrLoadBalancer: deleting');
      await this.deleteKlb(name, namespace, ctx);
      return { requeueAfterMs: KLB_GONE_POLL_MS };
    }
    if (!klb) {
      const endpointSlices = slices ?? (await this.liveSlices(name, namespace, ctx));
      const created = await this.create(current, { ...part, endpointSlices }, ctx);
      if (created) return {};
      klb = await this.get(name, namespace, ctx); // lost a create race: patch what the winner wrote
      if (!klb) return { requeueAfterMs: KLB_GONE_POLL_MS };
    }
    const desired: KlbSpec = { ...part, ...(slices ? { endpointSlices: slices } : {}) };
    const patch = specPatch(klb.spec, desired, ['lb_ip']);
    if (patch) {
      await ctx.api.patchMerge(
        KINDS.kuryrLoadBalancer,
        name,
        namespace,
        { spec: patch },
        { signal: ctx.signal },
      );
      ctx.log.info(
        { service: `${namespace}/${name}`, fields: Object.keys(patch) },
        'KuryrLoadBalancer spec updated',
      );
    }
    return {};
  }

  /**
   * Delete the KuryrLoadBalancer of `svc` and drop the Service finalizer once it is gone (its own
   * finalizer holds it until Octavia is cleaned up). Idempotent; requeues while it still exists.
   */
  async release(svc: KubeObject, ctx: HandlerContext): Promise<HandlerResult> {
    if (!hasFinalizer(svc, FINALIZER_SERVICE)) return {};
    const name = svc.metadata?.name ?? '';
    const namespace = svc.metadata?.namespace ?? '';
    await this.deleteKlb(name, namespace, ctx);
    if (await this.get(name, namespace, ctx)) return { requeueAfterMs: KLB_GONE_POLL_MS };
    await removeFinalizer(ctx.api, KINDS.service, svc, FINALIZER_SERVICE);
    ctx.log.info({ service: `${namespace}/${name}` }, 'KuryrLoadBalancer gone, Service released');
    return {};
  }

  /**
   * Adds the Service finalizer; undefined when the Service is gone or started deleting meanwhile (a
   * race with the `endpoints` handler's read, not an error worth a Warning Event).
   */
  private async holdService(svc: KubeObject, ctx: HandlerContext): Promise<KubeObject | undefined> {
    try {
      return (await addFinalizer(ctx.api, KINDS.service, svc, FINALIZER_SERVICE)).object ?? svc;
    } catch (err) {
      if (isNotFoundError(err)) return undefined;
      if (!isConflictError(err)) throw err;
      const m = svc.metadata ?? {};
      const live = await getOrUndefined(
        ctx.api.get(KINDS.service, m.name ?? '', m.namespace, { signal: ctx.signal }),
      );
      if (live === undefined || live.metadata?.deletionTimestamp) return undefined;
      throw err;
    }
  }

  /** The KuryrLoadBalancer named `name`, undefined when there is none. */
  get(
    name: string,
    namespace: string,
    ctx: HandlerContext,
  ): Promise<KuryrLoadBalancer | undefined> {
    return getOrUndefined(
      ctx.api.get(KINDS.kuryrLoadBalancer, name, namespace, { signal: ctx.signal }),
    );
  }

  private async deleteKlb(name: string, namespace: string, ctx: HandlerContext): Promise<void> {
    await getOrUndefined(
      ctx.api.delete(KINDS.kuryrLoadBalancer, name, namespace, undefined, { signal: ctx.signal }),
    );
  }

  private async liveSlices(
    name: string,
    namespace: string,
    ctx: HandlerContext,
  ): Promise<KlbEndpointSlice[]> {
    const ep = await getOrUndefined(
      ctx.api.get(KINDS.endpoints, name, namespace, { signal: ctx.signal }),
    );
    return endpointSlicesOf(ep);
  }

  /** False when someone else created it first (AlreadyExists). */
  private async create(svc: KubeObject, spec: KlbSpec, ctx: HandlerContext): Promise<boolean> {
    const m = svc.metadata ?? {};
    const klb: KuryrLoadBalancer = {
      apiVersion: CRD_API_VERSION,
      kind: 'KuryrLoadBalancer',
      metadata: {
        name: m.name ?? '',
        namespace: m.namespace ?? '',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Service', name: m.name ?? '', uid: m.uid ?? '' },
        ],
      },
      spec,
    };
    try {
      await ctx.api.create(KINDS.kuryrLoadBalancer, klb, { signal: ctx.signal });
    } catch (err) {
      if (isConflictError(err)) return false;
      throw err;
    }
    ctx.log.info(
      {
        service: `${m.namespace ?? ''}/${m.name ?? ''}`,
        endpointSlices: spec.endpointSlices?.length,
      },
      'KuryrLoadBalancer created',
    );
    return true;
  }
}
