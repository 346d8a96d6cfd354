/**
 * @module Keeps the KuryrNetworkPolicy of a NetworkPolicy in step with it: same name and namespace,
 * ownerRef → the NetworkPolicy, annotation `networkPolicyLink`, finalizer
 * `kuryr.openstack.org/networkpolicy-finalizer` set at creation (so the SG can never outlive the CRD), and
 * `spec` = the rules the policy implies now. Shared by the `policy` handler (the policy changed) and the
 * `pod_label` handler (pods or namespaces changed, so remote IPs and named ports may have moved).
 *
 * The spec is patched only when it differs, so re-syncing every policy after a pod change writes nothing
 * for the policies that do not care.
 */
import type { Logger } from 'pino';
import { isConflictError, isNotFoundError, isValidationError } from '../../common/errors/index.js';
import { isStaleConflict } from '../../k8s/api-errors.js';
import type { KubeApi } from '../../k8s/client.js';
import {
  ANNOTATION_NETWORK_POLICY_LINK,
  CRD_API_VERSION,
  FINALIZER_NETWORKPOLICY,
} from '../../k8s/constants.js';
import type { KuryrNetworkPolicy } from '../../k8s/crds/types.js';
import { KINDS, resourcePath } from '../../k8s/kinds.js';
import { computePolicyRules } from './rules.js';
import { matchesSelector, snapshotResolver, type ClusterSnapshot } from './snapshot-resolver.js';
import type { LabelSelector, NetworkPolicy, NetworkPolicyPeer } from './types.js';

/** What {@link ensureKnp} did. */
export type KnpChange = 'created' | 'updated' | 'unchanged';

/** A fresh KuryrNetworkPolicy for `np` with `spec` (status empty until the SG exists). */
export function newKnp(np: NetworkPolicy, spec: KuryrNetworkPolicy['spec']): KuryrNetworkPolicy {
  const m = np.metadata ?? {};
  const name = m.name ?? '';
  return {
    apiVersion: CRD_API_VERSION,
    kind: 'KuryrNetworkPolicy',
    metadata: {
      name,
      namespace: m.namespace ?? '',
      finalizers: [FINALIZER_NETWORKPOLICY],
      annotations: {
        [ANNOTATION_NETWORK_POLICY_LINK]: resourcePath(KINDS.networkPolicy, m.namespace, name),
      },
      ownerReferences: m.uid
        ? [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name, uid: m.uid }]
        : [],
    },
    spec,
    status: { securityGroupRules: [] },
  };
}

/**
 * Creates the KuryrNetworkPolicy of `np` or patches its spec to the rules computed on `cluster`.
 * @throws ValidationError when the policy is invalid (nothing written).
 */
export async function ensureKnp(
  api: KubeApi,
  np: NetworkPolicy,
  cluster: ClusterSnapshot,
  signal?: AbortSignal,
): Promise<KnpChange> {
  const spec = computePolicyRules(np, snapshotResolver(cluster));
  const m = np.metadata ?? {};
  const opts = signal === undefined ? {} : { signal };
  const current = await api
    .get(KINDS.kuryrNetworkPolicy, m.name ?? '', m.namespace, opts)
    .catch((e: unknown) => {
      if (isNotFoundError(e)) return undefined;
      throw e;
    });
  if (current === undefined) {
    await api.create(KINDS.kuryrNetworkPolicy, newKnp(np, spec), opts);
    return 'created';
  }
  // A KuryrNetworkPolicy being deleted belongs to a policy being deleted: leave it to its finalizer.
  if (current.metadata?.deletionTimestamp) return 'unchanged';
  if (JSON.stringify(current.spec) === JSON.stringify(spec)) return 'unchanged';
  // PUT with the read resourceVersion: a concurrent writer (computed on another snapshot) makes this
  // a stale-version 409, which the pipeline retries on fresh data instead of overwriting blindly.
  await api.replace(KINDS.kuryrNetworkPolicy, { ...current, spec }, opts);
  return 'updated';
}

/**
 * Re-computes every live NetworkPolicy against `cluster` and patches the specs that changed. One policy
 * failing never holds the others back: an invalid policy is skipped (the `policy` handler reports it as a
 * Warning Event), one in a terminating namespace is skipped (its KuryrNetworkPolicy cannot be written
 * any more), and the first other error is re-thrown after the rest were done, so the caller retries.
 * @param only restricts the re-sync to the policies it accepts (see {@link policyConcernsPod})
 * @returns the number of KuryrNetworkPolicies created or updated.
 */
export async function resyncPolicies(
  api: KubeApi,
  cluster: ClusterSnapshot,
  log: Logger,
  signal?: AbortSignal,
  only?: (np: NetworkPolicy) => boolean,
): Promise<number> {
  const opts = signal === undefined ? {} : { signal };
  const policies = (await api.list(KINDS.networkPolicy, {}, opts)).items as NetworkPolicy[];
  let changed = 0;
  let failure: Error | undefined;
  for (const np of policies) {
    if (np.metadata?.deletionTimestamp || (only !== undefined && !only(np))) continue;
    try {
      if ((await ensureKnp(api, np, cluster, signal)) !== 'unchanged') changed++;
    } catch (error) {
      const policy = `${np.metadata?.namespace}/${np.metadata?.name}`;
      if (isValidationError(error) || (isConflictError(error) && !isStaleConflict(error))) {
        log.debug({ err: error, policy }, 'policy skipped in re-sync');
      } else {
        log.warn({ err: error, policy }, 'policy re-sync failed');
        failure ??=
          error instanceof Error ? error : new Error('policy re-sync failed', { cause: error });
      }
    }
  }
  if (changed > 0) log.info({ changed }, 'network policies re-synced');
  if (failure !== undefined) throw failure;
  return changed;
}

/** A pod as {@link policyConcernsPod} sees it: its namespace and every label set it had or has. */
export interface PodChange {
  namespace: string;
  labelSets: readonly Record<string, string>[];
  /** Labels of the pod's namespace. */
  namespaceLabels: Record<string, string>;
}

/**
 * Whether a change of this pod (appearing, going, new IP, new labels) can change `np`'s rules: the pod
 * is (or was) selected by the policy (its own pods resolve ingress named ports) or by one of its peers,
 * or the policy has an egress named port towards ipBlock/anywhere peers (those resolve on every pod).
 */
export function policyConcernsPod(np: NetworkPolicy, pod: PodChange): boolean {
  const policyNs = np.metadata?.namespace ?? '';
  const any = (sel: LabelSelector) => pod.labelSets.some((l) => matchesSelector(l, sel));
  if (pod.namespace === policyNs && any(np.spec.podSelector)) return true;
  const peerHits = (peer: NetworkPolicyPeer): boolean => {
    if (peer.ipBlock !== undefined) return false;
    if (peer.namespaceSelector !== undefined) {
      return (
        matchesSelector(pod.namespaceLabels, peer.namespaceSelector) &&
        (peer.podSelector === undefined || any(peer.podSelector))
      );
    }
    return pod.namespace === policyNs && any(peer.podSelector ?? {});
  };
  for (const rule of np.spec.ingress ?? []) if ((rule.from ?? []).some(peerHits)) return true;
  for (const rule of np.spec.egress ?? []) {
    const peers = rule.to ?? [];
    if (peers.some(peerHits)) return true;
    const named = (rule.ports ?? []).some(
      (p) => typeof p.port === 'string' && !/^\d+$/.test(p.port),
    );
    if (named && (peers.length === 0 || peers.some((p) => p.ipBlock !== undefined))) return true;
  }
  return false;
}
