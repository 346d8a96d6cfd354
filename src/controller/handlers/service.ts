/**
 * @module `service` handler: Service → KuryrLoadBalancer (name = Service name, ownerRef → Service; spec
 * from lbaas/spec/service-spec.ts). ClusterIP, NodePort (as ClusterIP) and LoadBalancer Services get one,
 * with or without a selector (selector-less Services take their members from hand-written Endpoints);
 * headless, ExternalName and `default/kubernetes` are skipped. The finalizer
 * `kuryr.openstack.org/service-finalizer` is managed here rather than by the pipeline so that skipped
 * Services never carry it: deletion deletes the KuryrLoadBalancer and releases the Service only once
 * it is gone (the `kuryrloadbalancer` handler cleans Octavia under the KuryrLoadBalancer's finalizer).
 */
import type { ListOptions } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import { objectKey, type KubeObject } from '../../k8s/object.js';
import type { KlbSpecWriter } from '../lbaas/spec/klb-writer.js';
import { serviceSkipReason } from '../lbaas/spec/service-spec.js';
import type { HandlerContext, HandlerResult, ResourceHandler } from '../pipeline/types.js';

/** The `service` handler. */
export class ServiceHandler implements ResourceHandler {
  readonly alias = 'service';
  readonly kind = KINDS.service;

  /** @param watch restricts the watch (tests: one namespace) */
  constructor(
    private readonly writer: KlbSpecWriter,
    readonly watch?: Pick<ListOptions, 'namespace'>,
  ) {}

  async onPresent(svc: KubeObject, ctx: HandlerContext): Promise<HandlerResult> {
    const reason = serviceSkipReason(svc);
    if (reason !== undefined) {
      ctx.log.debug(
        { service: `${svc.metadata?.namespace}/${svc.metadata?.name}`, reason },
        'skip',
      );
      // Became unsupported (e.g. type changed to ExternalName): tear down what it had.
      return this.writer.release(svc, ctx);
    }
    return this.writer.ensure(svc, ctx);
  }

  onFinalize(svc: KubeObject, ctx: HandlerContext): Promise<HandlerResult> {
    return this.writer.release(svc, ctx);
  }

  /**
   * Every `watch_reconcile_period`: re-create KuryrLoadBalancers deleted by hand while their Service
   * lives (nothing else would notice: this handler does not watch them). KuryrLoadBalancers whose
   * Service is gone are left to the garbage collector (ownerReference), never deleted from here.
   */
  async reconcile(svcs: KubeObject[], ctx: HandlerContext): Promise<void> {
    const klbs = await ctx.api.list(
      KINDS.kuryrLoadBalancer,
      this.watch?.namespace ? { namespace: this.watch.namespace } : {},
      { signal: ctx.signal },
    );
    const have = new Set(klbs.items.map(objectKey));
    for (const svc of svcs) {
      if (svc.metadata?.deletionTimestamp || serviceSkipReason(svc) !== undefined) continue;
      if (have.has(objectKey(svc))) continue;
      ctx.log.info(
        { service: objectKey(svc) },
        'reconcile: KuryrLoadBalancer missing, re-creating',
      );
      await this.writer.ensure(svc, ctx).catch((err: unknown) => {
        ctx.log.warn({ err, service: objectKey(svc) }, 'reconcile: re-create failed');
      });
    }
  }
}
