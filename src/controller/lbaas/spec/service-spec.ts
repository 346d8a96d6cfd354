/**
 * @module The Service half of a KuryrLoadBalancer spec (COMPATIBILITY.md §6): which Services get a load
 * balancer at all, and the spec fields a Service decides (`ip`, `lb_ip`, `ports`, `project_id`,
 * `security_groups_ids`, `subnet_id`, `type`, `provider`, `timeout_client_data`, `timeout_member_data`).
 * `endpointSlices` is the Endpoints half (endpoint-slices.ts). Pure apart from the injected drivers.
 */
import { ValidationError } from '../../../common/errors/index.js';
import {
  ANNOTATION_TIMEOUT_CLIENT_DATA,
  ANNOTATION_TIMEOUT_MEMBER_DATA,
} from '../../../k8s/constants.js';
import type { KuryrLoadBalancer } from '../../../k8s/crds/types.js';
import type { KubeObject } from '../../../k8s/object.js';
import type { ServiceSpecDeps } from './deps.js';

/** The KuryrLoadBalancer spec as a whole. */
export type KlbSpec = KuryrLoadBalancer['spec'];

/** Spec keys the Service owns (everything but `endpointSlices`). */
export const SERVICE_SPEC_KEYS = [
  'ip',
  'lb_ip',
  'ports',
  'project_id',
  'security_groups_ids',
  'subnet_id',
  'type',
  'provider',
  'timeout_client_data',
  'timeout_member_data',
] as const;

/** The Service-owned part of the spec. */
export type ServiceSpecPart = Pick<KlbSpec, (typeof SERVICE_SPEC_KEYS)[number]>;

/** The Service fields read here (typed view over the generic object). */
interface ServiceSpecView {
  type?: string;
  clusterIP?: string;
  loadBalancerIP?: string;
  selector?: Record<string, string>;
  ports?: { name?: string; port?: number; protocol?: string; targetPort?: number | string }[];
}

/** `spec` of a Service. */
export function serviceSpecOf(svc: KubeObject): ServiceSpecView {
  return (svc['spec'] as ServiceSpecView | undefined) ?? {};
}

/**
 * Why a Service gets no load balancer, or undefined when it gets one. Headless and ExternalName
 * Services have no cluster IP to put a VIP on; `default/kubernetes` is the API server's own Service
 * (its endpoints are host addresses outside any pod network; the Python Kuryr skips it too).
 */
export function serviceSkipReason(svc: KubeObject): string | undefined {
  const s = serviceSpecOf(svc);
  const type = s.type ?? 'ClusterIP';
  if (type === 'ExternalName') return 'ExternalName Service (DNS only)';
  if (!s.clusterIP || s.clusterIP === 'None') return 'headless Service (no cluster IP)';
  if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) {
    return `Service type ${type} is not supported`;
  }
  if (svc.metadata?.namespace === 'default' && svc.metadata.name === 'kubernetes') {
    return 'the API server Service default/kubernetes';
  }
  return undefined;
}

/**
 * A timeout annotation in ms, else the `[octavia_defaults]` value.
 * @throws ValidationError for anything but a non-negative integer
 */
function timeoutOf(svc: KubeObject, annotation: string, fallback: number): number {
  const raw = svc.metadata?.annotations?.[annotation];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ValidationError(
      `Service ${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}: annotation ` +
        `${annotation} must be a whole number of milliseconds, got '${raw}'`,
    );
  }
  return Number(raw.trim());
}

/** `spec.ports` as the CRD stores them: targetPort always a string, protocol defaulted to TCP. */
function portsOf(s: ServiceSpecView): NonNullable<KlbSpec['ports']> {
  return (s.ports ?? []).map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: p.port ?? 0,
    protocol: p.protocol ?? 'TCP',
    targetPort: String(p.targetPort ?? p.port ?? ''),
  }));
}

/**
 * The Service-owned spec fields. NodePort Services get a `ClusterIP` load balancer: the VIP serves the
 * cluster IP, the node ports stay with kube-proxy.
 *
 * @throws ValidationError for a bad timeout annotation; driver errors (ConfigurationError, …) as is
 */
export async function buildServiceSpecPart(
  svc: KubeObject,
  deps: ServiceSpecDeps,
  signal?: AbortSignal,
): Promise<ServiceSpecPart> {
  const s = serviceSpecOf(svc);
  const namespace = svc.metadata?.namespace ?? '';
  const timeoutClient = timeoutOf(svc, ANNOTATION_TIMEOUT_CLIENT_DATA, deps.timeoutClientData);
  const timeoutMember = timeoutOf(svc, ANNOTATION_TIMEOUT_MEMBER_DATA, deps.timeoutMemberData);
  const projectId = await deps.project.getProjectId({ namespace }, { signal });
  const sgs = await deps.securityGroups.getSecurityGroups(
    { namespace, name: svc.metadata?.name ?? '' },
    { signal },
  );
  const type = s.type === 'LoadBalancer' ? 'LoadBalancer' : 'ClusterIP';
  return {
    ip: s.clusterIP ?? '',
    ...(type === 'LoadBalancer' && s.loadBalancerIP ? { lb_ip: s.loadBalancerIP } : {}),
    ports: portsOf(s),
    project_id: projectId,
    security_groups_ids: [...sgs].sort(),
    subnet_id: deps.subnetId,
    type,
    provider: deps.provider,
    timeout_client_data: timeoutClient,
    timeout_member_data: timeoutMember,
  };
}

/** Stable JSON (sorted object keys) for change detection. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(
          Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : val,
  );
}

/**
 * The merge patch that turns `current` into `desired` for the keys of `desired` plus `removable`
 * (absent in `desired` ⇒ `null`, i.e. removed), or undefined when nothing differs.
 */
export function specPatch(
  current: KlbSpec | undefined,
  desired: KlbSpec,
  removable: readonly (keyof KlbSpec)[] = [],
): Record<string, unknown> | undefined {
  const keys = new Set<keyof KlbSpec>([
    ...(Object.keys(desired) as (keyof KlbSpec)[]),
    ...removable,
  ]);
  const patch: Record<string, unknown> = {};
  for (const key of keys) {
    const want = desired[key];
    const have = current?.[key];
    if (canonical(want) === canonical(have)) continue;
    patch[key] = want === undefined ? null : want;
  }
  return Object.keys(patch).length ? patch : undefined;
}
