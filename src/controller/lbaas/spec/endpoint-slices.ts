/**
 * @module The Endpoints half of a KuryrLoadBalancer spec: core/v1 Endpoints `subsets` converted into the
 * `spec.endpointSlices` shape (discovery EndpointSlice fields, COMPATIBILITY.md §6), as the Python Kuryr's
 * endpoints handler does. One slice per subset, holding only that subset's ready addresses (the Python
 * code carried every earlier subset's addresses into each later slice: members with the wrong ports).
 * Sorted so that an unchanged Endpoints object yields byte-identical JSON (no spec churn).
 */
import { LABEL_HEADLESS_SERVICE } from '../../../k8s/constants.js';
import type { KlbEndpointSlice } from '../../../k8s/crds/types.js';
import type { KubeObject } from '../../../k8s/object.js';

type SliceEndpoint = NonNullable<KlbEndpointSlice['endpoints']>[number];
type SlicePort = NonNullable<KlbEndpointSlice['ports']>[number];

interface EndpointAddress {
  ip?: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: Record<string, unknown>;
}

interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

const TARGET_REF_KEYS = ['kind', 'name', 'namespace', 'resourceVersion', 'uid'] as const;

/** True for the Endpoints of a headless Service (label set by the endpoints controller). */
export function isHeadlessEndpoints(ep: KubeObject): boolean {
  return ep.metadata?.labels?.[LABEL_HEADLESS_SERVICE] !== undefined;
}

function endpointOf(a: EndpointAddress & { ip: string }): SliceEndpoint {
  const ref: Record<string, string> = {};
  for (const key of TARGET_REF_KEYS) {
    const v = a.targetRef?.[key];
    if (typeof v === 'string' && v !== '') ref[key] = v;
  }
  return {
    addresses: [a.ip],
    conditions: { ready: true },
    ...(a.hostname ? { hostname: a.hostname } : {}),
    ...(Object.keys(ref).length ? { targetRef: ref } : {}),
    ...(a.nodeName ? { topology: { 'kubernetes.io/hostname': a.nodeName } } : {}),
  };
}

function portOf(p: { name?: string; port?: number; protocol?: string }): SlicePort {
  return { ...(p.name ? { name: p.name } : {}), port: p.port ?? 0, protocol: p.protocol ?? 'TCP' };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `subsets` → `endpointSlices`. Not-ready addresses are left out (they must not receive traffic);
 * subsets without a ready address give no slice, so an Endpoints scaled to zero yields `[]`.
 */
export function endpointSlicesOf(ep: KubeObject | undefined): KlbEndpointSlice[] {
  const subsets = (ep?.['subsets'] as EndpointSubset[] | undefined) ?? [];
  const slices: KlbEndpointSlice[] = [];
  for (const subset of subsets) {
    const ready = (subset.addresses ?? []).filter(
      (a): a is EndpointAddress & { ip: string } => typeof a.ip === 'string' && a.ip !== '',
    );
    if (ready.length === 0) continue;
    const endpoints = ready
      .map(endpointOf)
      .sort((a, b) => byText(a.addresses?.[0] ?? '', b.addresses?.[0] ?? ''));
    const ports = (subset.ports ?? [])
      .map(portOf)
      .sort((a, b) => byText(a.name ?? '', b.name ?? '') || (a.port ?? 0) - (b.port ?? 0));
    slices.push({ endpoints, ports });
  }
  return slices.sort((a, b) => byText(JSON.stringify(a.ports), JSON.stringify(b.ports)));
}
