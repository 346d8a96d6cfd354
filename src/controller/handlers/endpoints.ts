/**
 * @module `endpoints` handler: core/v1 Endpoints → `spec.endpointSlices` of the Service's
 * KuryrLoadBalancer (ready addresses and port names; lbaas/spec/endpoint-slices.ts), following scale up
 * and down. Creates the KuryrLoadBalancer itself when the `service` handler has not yet (order
 * independence); does nothing for Endpoints without a Service (e.g. leader-election locks), of headless
 * Services, or of Services that get no load balancer. Why Endpoints and not EndpointSlices: on the
 * supported API servers (1.20) EndpointSlices are still `discovery.k8s.io/v1beta1`, while Endpoints are
 * GA, carry hand-written members of selector-less Services, and are what the Python Kuryr watched.
 */
import { isNotFoundError } from '../../common/errors/index.js';
import type { ListOptions } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import { endpointSlicesOf, isHeadlessEndpoints } from '../lbaas/spec/endpoint-slices.js';
import type { KlbSpecWriter } from '../lbaas/spec/klb-writer.js';
import { serviceSkipReason } from '../lbaas/spec/service-spec.js';
import type { HandlerContext, HandlerResult, ResourceHandler } from '../pipeline/types.js';

/** The `endpoints` handler. */
export class EndpointsHandler implements ResourceHandler {
  readonly alias = 'endpoints';
  readonly kind = KINDS.endpoints;

  /** @param watch restricts the watch (tests: one namespace) */
  constructor(
    private readonly writer: KlbSpecWriter,
    readonly watch?: Pick<ListOptions, 'namespace'>,
  ) {}

  async onPresent(ep: KubeObject, ctx: HandlerContext): Promise<HandlerResult> {
    if (isHeadlessEndpoints(ep)) return {};
    const svc = await this.service(ep, ctx);
    if (svc === undefined) return {};
    return this.writer.ensure(svc, ctx, endpointSlicesOf(ep));
  }

  /** Endpoints deleted while the Service lives on (selector-less Service): no members left. */
  async onDeleted(ep: KubeObject, ctx: HandlerContext): Promise<void> {
    if (isHeadlessEndpoints(ep)) return;
    const svc = await this.service(ep, ctx);
    const m = ep.metadata ?? {};
    const klb = svc && (await this.writer.get(m.name ?? '', m.namespace ?? '', ctx));
    if (!svc || !klb || klb.metadata?.deletionTimestamp) return;
    // Re-check the live object: a new Endpoints of the same name may already exist.
    const live = await ctx.api
      .get(KINDS.endpoints, m.name ?? '', m.namespace, { signal: ctx.signal })
      .catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
    await this.writer.ensure(svc, ctx, endpointSlicesOf(live));
  }

  /** The live Service of `ep` when it gets a load balancer and is not being deleted. */
  private async service(ep: KubeObject, ctx: HandlerContext): Promise<KubeObject | undefined> {
    const m = ep.metadata ?? {};
    const svc = await ctx.api
      .get(KINDS.service, m.name ?? '', m.namespace, { signal: ctx.signal })
      .catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
    if (!svc || svc.metadata?.deletionTimestamp || serviceSkipReason(svc) !== undefined) {
      return undefined;
    }
    return svc;
  }
}
