/**
 * @module Descriptors of the Kubernetes kinds kuryr reads and writes: enough to build REST paths
 * (group, version, plural, scope) without the generated API. The type parameter carries the object type.
 */
import { CRD_GROUP, CRD_VERSION } from './constants.js';
import type {
  KuryrLoadBalancer,
  KuryrNetwork,
  KuryrNetworkPolicy,
  KuryrPort,
} from './crds/types.js';
import type { Lease } from './lease.js';
import type { KubeObject } from './object.js';

/** One kind: REST coordinates plus the object type `T` (phantom). */
export interface ResourceKind<T extends KubeObject = KubeObject> {
  /** `Pod`, `KuryrPort`, … */
  readonly kind: string;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Phantom field: never set, only carries `T` through inference. */
  readonly __type?: T;
}

function kind<T extends KubeObject>(
  k: string,
  group: string,
  version: string,
  plural: string,
  namespaced: boolean,
): ResourceKind<T> {
  return Object.freeze({ kind: k, group, version, plural, namespaced });
}

/** `apiVersion` of a kind (`v1`, `openstack.org/v1`). */
export function apiVersionOf(k: ResourceKind): string {
  return k.group === '' ? k.version : `${k.group}/${k.version}`;
}

/**
 * REST path of a collection or an object.
 *
 * @param namespace required for namespaced kinds unless listing across all namespaces (undefined)
 */
export function resourcePath(k: ResourceKind, namespace?: string, name?: string): string {
  const base = k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  const ns =
    k.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${k.plural}${obj}`;
}

/** The kinds kuryr uses. Handlers pick from here; tests may define their own with {@link defineKind}. */
export const KINDS = {
  pod: kind<KubeObject>('Pod', '', 'v1', 'pods', true),
  namespace: kind<KubeObject>('Namespace', '', 'v1', 'namespaces', false),
  node: kind<KubeObject>('Node', '', 'v1', 'nodes', false),
  service: kind<KubeObject>('Service', '', 'v1', 'services', true),
  endpoints: kind<KubeObject>('Endpoints', '', 'v1', 'endpoints', true),
  event: kind<KubeObject>('Event', '', 'v1', 'events', true),
  configMap: kind<KubeObject>('ConfigMap', '', 'v1', 'configmaps', true),
  lease: kind<Lease>('Lease', 'coordination.k8s.io', 'v1', 'leases', true),
  networkPolicy: kind<KubeObject>(
    'NetworkPolicy',
    'networking.k8s.io',
    'v1',
    'networkpolicies',
    true,
  ),
  kuryrPort: kind<KuryrPort>('KuryrPort', CRD_GROUP, CRD_VERSION, 'kuryrports', true),
  kuryrNetwork: kind<KuryrNetwork>('KuryrNetwork', CRD_GROUP, CRD_VERSION, 'kuryrnetworks', true),
  kuryrNetworkPolicy: kind<KuryrNetworkPolicy>(
    'KuryrNetworkPolicy',
    CRD_GROUP,
    CRD_VERSION,
    'kuryrnetworkpolicies',
    true,
  ),
  kuryrLoadBalancer: kind<KuryrLoadBalancer>(
    'KuryrLoadBalancer',
    CRD_GROUP,
    CRD_VERSION,
    'kuryrloadbalancers',
    true,
  ),
} as const;

/** Describe another kind (e.g. NetworkAttachmentDefinition, or a test kind). */
export const defineKind = kind;
