/**
 * @module The Kubernetes NetworkPolicy (networking.k8s.io/v1) fields kuryr reads, and the shape of the
 * peer resolver the rule computation is given (the caller looks pods and namespaces up; rules stay pure).
 */
import type { KubeObject } from '../../k8s/object.js';

/** A label selector (`matchLabels` AND `matchExpressions`); `{}` selects everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** `ipBlock` of a peer. */
export interface IpBlock {
  cidr: string;
  except?: string[];
}

/** One peer of a rule: pods (in the policy's namespace unless `namespaceSelector`), namespaces, or CIDRs. */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IpBlock;
}

/** One port entry: `port` is a number or a container port name; `endPort` makes it a range. */
export interface NetworkPolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

/** NetworkPolicy spec. */
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
}

/** A NetworkPolicy object. */
export interface NetworkPolicy extends KubeObject {
  spec: NetworkPolicySpec;
}

/** A container port of a pod (`spec.containers[*].ports[*]`). */
export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/** One running pod address a selector matched (a dual-stack pod appears once per IP). */
export interface ResolvedPod {
  ip: string;
  namespace: string;
  containerPorts?: ContainerPort[];
}

/**
 * Answers "which pod IPs does this peer select?". `podSelector` undefined = every pod of the selected
 * namespaces; `namespaceSelector` undefined = only `policyNamespace`. Injected so rule computation is a
 * pure function of (policy, cluster snapshot).
 */
export type PeerResolver = (
  podSelector: LabelSelector | undefined,
  namespaceSelector: LabelSelector | undefined,
  policyNamespace: string,
) => readonly ResolvedPod[];
