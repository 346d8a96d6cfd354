/**
 * @module TypeScript shapes of kuryr's CRDs (group openstack.org, v1, Namespaced, no status subresource),
 * field for field as COMPATIBILITY.md §6 and deploy/crds/*.yaml. Status is written with a JSON patch on
 * the main resource (`/status/<key>`): there is no `/status` subresource on purpose.
 */
import type { KubeObject } from '../object.js';

/** One entry of `KuryrPort.status.vifs`: the VIF primitive of COMPATIBILITY.md §7 (opaque here). */
export interface KuryrPortVifEntry {
  default: boolean;
  /** oslo.versionedobjects primitive; decoded by the VIF codec (models/). */
  vif: Record<string, unknown>;
}

/** KuryrPort (`kuryrports`, `kp`): one per pod, name = pod name, ownerRef → Pod. */
export interface KuryrPort extends KubeObject {
  spec: { podUid: string; podNodeName: string; podStatic?: boolean };
  status?: { vifs: Record<string, KuryrPortVifEntry> };
}

/** KuryrNetwork (`kuryrnetworks`, `kns`): one per namespace, name = namespace name. */
export interface KuryrNetwork extends KubeObject {
  spec: { nsName: string; projectId: string; nsLabels: Record<string, string> };
  status?: {
    netId?: string;
    subnetId?: string;
    subnetCIDR?: string;
    routerId?: string;
    populated?: boolean;
    nsLabels?: Record<string, string>;
  };
}

/** A Neutron security group rule as stored in a KuryrNetworkPolicy. */
export interface SgRuleFields {
  description?: string;
  direction?: string;
  ethertype?: string;
  port_range_min?: number;
  port_range_max?: number;
  protocol?: string;
  remote_ip_prefix?: string;
}

/** `spec.ingressSgRules[*]` / `spec.egressSgRules[*]`. */
export interface KnpSgRule {
  sgRule: SgRuleFields;
  namespace?: string;
  affectedPods?: { podIP: string; podNamespace: string }[];
}

/** KuryrNetworkPolicy (`kuryrnetworkpolicies`, `knp`): name = policy name, ownerRef → NetworkPolicy. */
export interface KuryrNetworkPolicy extends KubeObject {
  spec: {
    ingressSgRules: KnpSgRule[];
    egressSgRules: KnpSgRule[];
    podSelector: Record<string, unknown>;
    policyTypes: string[];
  };
  status: {
    securityGroupId?: string;
    securityGroupRules: (SgRuleFields & { id: string; security_group_id?: string })[];
    podSelector?: Record<string, unknown>;
  };
}

/** `spec.endpointSlices[*]` of a KuryrLoadBalancer. */
export interface KlbEndpointSlice {
  endpoints?: {
    addresses?: string[];
    conditions?: { ready?: boolean };
    hostname?: string;
    targetRef?: {
      kind?: string;
      name?: string;
      namespace?: string;
      resourceVersion?: string;
      uid?: string;
    };
    topology?: Record<string, string>;
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

/** KuryrLoadBalancer (`kuryrloadbalancers`, `klb`): name = Service name, ownerRef → Service. */
export interface KuryrLoadBalancer extends KubeObject {
  spec: {
    ip?: string;
    lb_ip?: string;
    ports?: { name?: string; port: number; protocol: string; targetPort: string }[];
    project_id?: string;
    security_groups_ids?: string[];
    subnet_id?: string;
    type?: string;
    provider?: string;
    timeout_client_data?: number;
    timeout_member_data?: number;
    endpointSlices?: KlbEndpointSlice[];
  };
  status?: {
    loadbalancer?: {
      id: string;
      ip: string;
      name: string;
      port_id: string;
      project_id: string;
      provider: string;
      security_groups: string[];
      subnet_id: string;
    };
    listeners?: {
      id: string;
      loadbalancer_id: string;
      name: string;
      port: number;
      project_id: string;
      protocol: string;
      timeout_client_data?: number;
      timeout_member_data?: number;
    }[];
    pools?: {
      id: string;
      listener_id: string;
      loadbalancer_id: string;
      name: string;
      project_id: string;
      protocol: string;
    }[];
    members?: {
      id: string;
      ip: string;
      name: string;
      pool_id: string;
      port: number;
      project_id: string;
      subnet_id: string;
    }[];
    service_pub_ip_info?: { ip_id: string; ip_addr: string; alloc_method: string };
  };
}
