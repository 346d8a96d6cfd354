/**
 * @module `pod_label` handler: a pod's labels or IPs changed (or it appeared / went away) →
 * 1. its port(s) get the SGs of the policies that select it now (the `policy` security groups driver);
 * 2. every NetworkPolicy is re-computed against the cluster as it is now and the KuryrNetworkPolicies
 *    whose rules moved (remote pod IPs, named ports) are patched — the `kuryrnetworkpolicy` handler
 *    then converges their SGs.
 * The last handled labels and IPs are kept on the pod in `openstack.org/kuryr-pod-label` /
 * `openstack.org/kuryr-pod-ip` (COMPATIBILITY.md §6), written last, so an unchanged pod costs nothing and
 * a crash before the write simply redoes the (idempotent) work.
 */
import { isNotFoundError } from '../../common/errors/index.js';
import { ANNOTATION_POD_IP, ANNOTATION_POD_LABEL } from '../../k8s/constants.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import { loadClusterSnapshot, podIps } from '../policy/cluster-snapshot.js';
import { resyncPolicies } from '../policy/knp-writer.js';
import type { PodSgApplier } from '../policy/pod-sgs.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';
import { isHostNetwork } from './pod-info.js';

/** The `pod_label` handler. */
export class PodLabelHandler implements ResourceHandler {
  readonly alias = 'pod_label';
  readonly kind = KINDS.pod;

  constructor(private readonly pods: PodSgApplier) {}

  async onPresent(pod: KubeObject, ctx: HandlerContext): Promise<void> {
    if (isHostNetwork(pod)) return;
    const m = pod.metadata ?? {};
    const labels = JSON.stringify(sortedLabels(m.labels));
    const ips = podIps(pod).join(',');
    const seen = m.annotations ?? {};
    if (seen[ANNOTATION_POD_LABEL] === labels && seen[ANNOTATION_POD_IP] === ips) return;
    await this.pods.apply(ctx.api, pod, ctx.signal);
    await this.resync(ctx);
    await ctx.api
      .patchMerge(
        KINDS.pod,
        m.name ?? '',
        m.namespace,
        { metadata: { annotations: { [ANNOTATION_POD_LABEL]: labels, [ANNOTATION_POD_IP]: ips } } },
        { signal: ctx.signal },
      )
      .catch((e: unknown) => {
        if (!isNotFoundError(e)) throw e;
      });
    ctx.log.debug({ pod: `${m.namespace}/${m.name}` }, 'pod labels/IPs handled');
  }

  /** A terminating pod stops counting as a peer right away (the snapshot skips it). */
  async onFinalize(pod: KubeObject, ctx: HandlerContext): Promise<void> {
    if (isHostNetwork(pod) || !pod.metadata?.annotations?.[ANNOTATION_POD_IP]) return;
    await this.resync(ctx);
  }

  async onDeleted(pod: KubeObject, ctx: HandlerContext): Promise<void> {
    this.pods.forget(pod.metadata?.uid ?? '');
    if (isHostNetwork(pod)) return;
    await this.resync(ctx);
  }

  private async resync(ctx: HandlerContext): Promise<void> {
    await resyncPolicies(
      ctx.api,
      await loadClusterSnapshot(ctx.api, ctx.signal),
      ctx.log,
      ctx.signal,
    );
  }
}

function sortedLabels(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}
