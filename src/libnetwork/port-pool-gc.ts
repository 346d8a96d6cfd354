/**
 * @module `kuryr gc` for the libnetwork side: finds kuryr-made Neutron ports of THIS host that nothing owns
 * and, with `apply`, deletes them. Only certain orphans: free pooled ports (`kuryr.port.pool`) and untagged
 * `kuryr-unbound-port`/`kuryr-pool-port` ports of owner `compute:kuryr` older than a grace period (a crash
 * between create and tag). Ports carrying an EndpointID are never touched (Docker may still own them).
 */
import { ignoreNotFound } from '../common/errors/index.js';
import { TAG_COMPUTE_KURYR } from '../common/tags.js';
import type { LibnetworkNeutron, Port } from './neutron-port.js';
import { POOL_PORT_NAME, TAG_PORT_POOL, poolDescription } from './port-pool.js';
import { UNBOUND_PORT_NAME } from './services/ipam-service.js';

/** One orphan. */
export interface GcItem {
  kind: 'ports';
  id: string;
  name: string;
  networkId: string;
  reason: 'pooled' | 'untagged';
}

/** What gc found (and deleted when `apply`). */
export interface GcResult {
  items: GcItem[];
  deleted: number;
}

/** Default grace for untagged ports: a RequestAddress→CreateEndpoint gap is milliseconds. */
export const GC_GRACE_MS = 10 * 60_000;

const createdAt = (p: Port): number =>
  Date.parse(String((p as { created_at?: string }).created_at));

/** Lists (and with `apply` deletes) this host's orphaned kuryr ports. Deletes are idempotent. */
export async function collectLibnetworkGarbage(
  neutron: LibnetworkNeutron,
  o: { host: string; apply: boolean; graceMs?: number; now?: number },
): Promise<GcResult> {
  const grace = o.graceMs ?? GC_GRACE_MS;
  const now = o.now ?? Date.now();
  const [bound, pooled] = await Promise.all([
    neutron.list('ports', { device_owner: TAG_COMPUTE_KURYR, 'binding:host_id': o.host }),
    neutron.list('ports', { name: POOL_PORT_NAME, description: poolDescription(o.host) }),
  ]);
  const mine = [...pooled, ...bound.filter((b) => !pooled.some((p) => p.id === b.id))];
  const items: GcItem[] = [];
  for (const p of mine) {
    const base = { kind: 'ports' as const, id: p.id, name: p.name, networkId: p.network_id };
    if (p.tags.length === 1 && p.tags[0] === TAG_PORT_POOL && p.name === POOL_PORT_NAME) {
      items.push({ ...base, reason: 'pooled' });
    } else if (
      p.tags.length === 0 &&
      !p.device_id &&
      (p.name === UNBOUND_PORT_NAME || p.name === POOL_PORT_NAME) &&
      now - createdAt(p) > grace
    ) {
      items.push({ ...base, reason: 'untagged' });
    }
  }
  let deleted = 0;
  if (o.apply) {
    for (const item of items) {
      await ignoreNotFound(() => neutron.delete('ports', item.id));
      deleted++;
    }
  }
  return { items, deleted };
}
