/**
 * @module The pool manager's "trunks": Python Kuryr names a node by the IP of its VM (the trunk parent
 * port); our pools are keyed by the Kubernetes node name (`binding:host_id` for `neutron-vif`). Each
 * trunk is mapped to a Node by name, else by its `status.addresses` (InternalIP / ExternalIP).
 */
import { ConflictError, ValidationError } from '../../common/errors/index.js';
import type { KubeApi } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';

/** The node a trunk names. */
export interface TrunkNode {
  /** Node name: the pool key's node. */
  name: string;
  /** The node VM's IP (the nested drivers find the VM port by it). */
  hostIp?: string;
}

interface NodeAddress {
  type?: string;
  address?: string;
}

const ADDRESS_TYPES = ['InternalIP', 'ExternalIP'];

function addressesOf(node: KubeObject): string[] {
  const list = (node['status'] as { addresses?: NodeAddress[] } | undefined)?.addresses ?? [];
  // InternalIP first: the first address is the node's hostIp when it is named directly.
  return ADDRESS_TYPES.flatMap((t) =>
    list.filter((a) => a.type === t && a.address).map((a) => a.address as string),
  );
}

async function listNodes(api: KubeApi, signal?: AbortSignal): Promise<KubeObject[]> {
  const nodes: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const page = await api.list(
      KINDS.node,
      { limit: 500, ...(cont ? { continue: cont } : {}) },
      { signal },
    );
    nodes.push(...page.items);
    cont = page.metadata.continue || undefined;
  } while (cont !== undefined);
  return nodes;
}

/**
 * Maps every trunk (node VM IP or node name) to its node. All or nothing: nothing is returned unless
 * every trunk is known.
 * @throws ValidationError naming every unknown trunk; ConflictError for an IP of several nodes.
 */
export async function resolveTrunks(
  api: KubeApi,
  trunks: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, TrunkNode>> {
  const nodes = await listNodes(api, signal);
  const byName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  const resolved = new Map<string, TrunkNode>();
  const unknown: string[] = [];
  for (const trunk of trunks) {
    const named = byName.get(trunk);
    if (named !== undefined && trunk !== '') {
      const ip = addressesOf(named)[0];
      resolved.set(trunk, { name: trunk, ...(ip ? { hostIp: ip } : {}) });
      continue;
    }
    const owners = nodes.filter((n) => addressesOf(n).includes(trunk));
    if (owners.length > 1) {
      const names = owners.map((n) => n.metadata?.name ?? '').join(', ');
      throw new ConflictError(`trunk IP ${trunk} is an address of several nodes: ${names}`);
    }
    const owner = owners[0]?.metadata?.name;
    if (owner) resolved.set(trunk, { name: owner, hostIp: trunk });
    else unknown.push(trunk);
  }
  if (unknown.length > 0) {
    throw new ValidationError(
      `unknown trunk(s): ${unknown.join(', ')} (neither a node name nor an InternalIP/ExternalIP of a node)`,
      { details: { unknown } },
    );
  }
  return resolved;
}
