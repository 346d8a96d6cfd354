/**
 * @module A {@link PeerResolver} over a snapshot of namespaces and pods (labels, IPs, container ports),
 * with upstream label-selector semantics. The policy handlers (later) feed it from the informer caches;
 * tests feed it literals.
 */
import { ValidationError } from '../../common/errors/index.js';
import type { ContainerPort, LabelSelector, PeerResolver, ResolvedPod } from './types.js';

/** One pod of the snapshot; `ips` empty = not running yet (never selected). */
export interface SnapshotPod {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  ips: string[];
  containerPorts?: ContainerPort[];
}

/** The cluster as the resolver sees it. */
export interface ClusterSnapshot {
  namespaces: { name: string; labels?: Record<string, string> }[];
  pods: SnapshotPod[];
}

/**
 * Whether `labels` match `selector` (`{}` matches everything). Operators: In, NotIn, Exists, DoesNotExist.
 * @throws ValidationError for an unknown operator (never silently match).
 */
export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector,
): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new ValidationError(`unknown label selector operator '${e.operator}'`);
    }
  }
  return true;
}

/** Builds the resolver: pods matching `podSelector` in the namespaces `namespaceSelector` picks. */
export function snapshotResolver(cluster: ClusterSnapshot): PeerResolver {
  return (podSelector, namespaceSelector, policyNamespace) => {
    const namespaces = new Set(
      namespaceSelector === undefined
        ? [policyNamespace]
        : cluster.namespaces
            .filter((n) => matchesSelector(n.labels, namespaceSelector))
            .map((n) => n.name),
    );
    const out: ResolvedPod[] = [];
    for (const pod of cluster.pods) {
      if (!namespaces.has(pod.namespace)) continue;
      if (podSelector !== undefined && !matchesSelector(pod.labels, podSelector)) continue;
      for (const ip of pod.ips) {
        out.push({ ip, namespace: pod.namespace, containerPorts: pod.containerPorts ?? [] });
      }
    }
    return out;
  };
}
