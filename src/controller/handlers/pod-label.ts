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
import { policyConcernsPod, resyncPolicies, type PodChange } from '../policy/knp-writer.js';
import type { NetworkPolicy } from '../policy/types.js';
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
    await this.resync(ctx, pod);
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
    await this.resync(ctx, pod);
  }

  async onDeleted(pod: KubeObject, ctx: HandlerContext): Promise<void> {
    this.pods.forget(pod.metadata?.uid ?? '');
    if (isHostNetwork(pod)) return;
    await this.resync(ctx, pod);
  }

  /**
   * Re-computes the policies this pod's change can touch: those selecting it (or a peer of theirs
   * selecting it) with its current or last handled labels. Without a record of the last handled labels
   * (first sight, annotation lost) every policy is re-computed.
   */
  private async resync(ctx: HandlerContext, pod: KubeObject): Promise<void> {
    const cluster = await loadClusterSnapshot(ctx.api, ctx.signal);
    const m = pod.metadata ?? {};
    const previous = parseLabels(m.annotations?.[ANNOTATION_POD_LABEL]);
    const change: PodChange = {
      namespace: m.namespace ?? '',
      labelSets: [m.labels ?? {}, ...(previous ? [previous] : [])],
      namespaceLabels: cluster.namespaces.find((n) => n.name === m.namespace)?.labels ?? {},
    };
    const only = previous ? (np: NetworkPolicy) => policyConcernsPod(np, change) : undefined;
    await resyncPolicies(ctx.api, cluster, ctx.log, ctx.signal, only);
  }
}

function parseLabels(json: string | undefined): Record<string, string> | undefined {
  if (json === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' ? (v as Record<string, string>) : undefined;
  } catch {
    return undefined; // a hand-edited annotation: re-compute everything
  }
}

function sortedLabels(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b)));
}
