/**
 * @module Builds the {@link ClusterSnapshot} the rule computation resolves peers against, from the
 * Kubernetes API (one list of namespaces, one of pods). Only pods that can receive traffic count: a pod
 * with an IP, not hostNetwork (its IP is the node's, outside any policy), not terminating or finished.
 */
import type { KubeApi } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import type { ClusterSnapshot, SnapshotPod } from './snapshot-resolver.js';
import type { ContainerPort } from './types.js';

interface PodFields {
  spec?: { hostNetwork?: boolean; containers?: { ports?: ContainerPort[] }[] };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[] };
}

/** The IPs a pod is reachable on ([] = none yet, or the pod does not count; see the module doc). */
export function podIps(pod: KubeObject): string[] {
  const p = pod as KubeObject & PodFields;
  if (p.spec?.hostNetwork === true || pod.metadata?.deletionTimestamp) return [];
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return [];
  const ips = (p.status?.podIPs ?? []).map((x) => x.ip).filter((ip) => ip !== '');
  if (ips.length > 0) return ips;
  return p.status?.podIP ? [p.status.podIP] : [];
}

/** One pod as the snapshot sees it. */
export function snapshotPod(pod: KubeObject): SnapshotPod {
  const p = pod as KubeObject & PodFields;
  const m = pod.metadata ?? {};
  return {
    name: m.name ?? '',
    namespace: m.namespace ?? '',
    ...(m.labels ? { labels: m.labels } : {}),
    ips: podIps(pod),
    containerPorts: (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []),
  };
}

/** Lists namespaces and pods once (every call has the client's deadline). */
export async function loadClusterSnapshot(
  api: KubeApi,
  signal?: AbortSignal,
): Promise<ClusterSnapshot> {
  const opts = signal === undefined ? {} : { signal };
  const [namespaces, pods] = await Promise.all([
    api.list(KINDS.namespace, {}, opts),
    api.list(KINDS.pod, {}, opts),
  ]);
  return {
    namespaces: namespaces.items.map((n) => ({
      name: n.metadata?.name ?? '',
      ...(n.metadata?.labels ? { labels: n.metadata.labels } : {}),
    })),
    pods: pods.items.map(snapshotPod),
  };
}
