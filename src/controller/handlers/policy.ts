/**
 * @module `policy` handler: NetworkPolicy → KuryrNetworkPolicy (same name and namespace, spec = the SG
 * rules the policy implies, re-computed whenever the policy changes; see policy/knp-writer.ts). The
 * NetworkPolicy carries `kuryr.openstack.org/networkpolicy-finalizer` so its KuryrNetworkPolicy is
 * deleted first, and the KuryrNetworkPolicy's own finalizer keeps it until its SG is gone.
 *
 * `reconcile` (every `watch_reconcile_period`) re-computes every policy against the cluster as it is:
 * the safety net for pod/namespace changes whose event was missed (or a disabled `pod_label` handler).
 */
import { isNotFoundError } from '../../common/errors/index.js';
import { FINALIZER_NETWORKPOLICY } from '../../k8s/constants.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import { loadClusterSnapshot } from '../policy/cluster-snapshot.js';
import { ensureKnp, resyncPolicies } from '../policy/knp-writer.js';
import type { NetworkPolicy } from '../policy/types.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';

/** The `policy` handler. */
export class PolicyHandler implements ResourceHandler {
  readonly alias = 'policy';
  readonly kind = KINDS.networkPolicy;
  readonly finalizer = FINALIZER_NETWORKPOLICY;

  async onPresent(np: KubeObject, ctx: HandlerContext): Promise<void> {
    const cluster = await loadClusterSnapshot(ctx.api, ctx.signal);
    const change = await ensureKnp(ctx.api, np as NetworkPolicy, cluster, ctx.signal);
    if (change !== 'unchanged') {
      ctx.log.info(
        { policy: `${np.metadata?.namespace}/${np.metadata?.name}`, change },
        'KuryrNetworkPolicy written',
      );
    }
  }

  async onFinalize(np: KubeObject, ctx: HandlerContext): Promise<void> {
    const m = np.metadata ?? {};
    await ctx.api
      .delete(KINDS.kuryrNetworkPolicy, m.name ?? '', m.namespace, undefined, {
        signal: ctx.signal,
      })
      .catch((e: unknown) => {
        if (!isNotFoundError(e)) throw e;
      });
  }

  async reconcile(_all: KubeObject[], ctx: HandlerContext): Promise<void> {
    await resyncPolicies(
      ctx.api,
      await loadClusterSnapshot(ctx.api, ctx.signal),
      ctx.log,
      ctx.signal,
    );
  }
}
