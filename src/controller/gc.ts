/**
 * @module Orphan collection for the Kubernetes side: Neutron ports and namespace networks Kuryr created for
 * pods/namespaces that no longer exist. Dry-run lists; a real run deletes, each object only once it is
 * older than the grace period (so an object created between the Kubernetes list and the Neutron list is
 * never taken for an orphan). Docker-side / standalone-CNI objects (lh/uh identity tags, adopted ports)
 * and free pool ports (the pool recovers those) are never touched.
 */
import type { Logger } from 'pino';
import { TAG_PORT_EXISTING, isKuryrIdentityTag } from '../common/tags.js';
import type { NeutronClient } from '../openstack/neutron/index.js';
import { DEVICE_OWNER_KURYR, POOL_PORT_NAME } from './drivers/pod-vif/types.js';

/** What is alive in Kubernetes right now. */
export interface KubernetesOwners {
  /** UIDs of every existing pod. */
  livePodUids: ReadonlySet<string>;
  /** UIDs of every existing namespace. */
  liveNamespaceUids: ReadonlySet<string>;
}

/** One orphan found. */
export interface Orphan {
  kind: 'port' | 'network';
  id: string;
  name: string;
  /** The UID of the missing owner. */
  ownerUid: string;
  createdAt: string | undefined;
  /** False while inside the grace period (listed, not deleted). */
  expired: boolean;
}

/** Options of {@link KubernetesOrphanCollector}. */
export interface OrphanCollectorOptions {
  /** `[neutron_defaults] resource_tags`: only objects carrying all of them are considered. */
  resourceTags?: readonly string[];
  /** Minimum age before deletion, seconds. @default 600 */
  graceSeconds?: number;
  /** Clock (ms). @default Date.now */
  now?: () => number;
  /**
   * Deletes a namespace network with its router interface, ports and subnets (the namespace subnets
   * driver's `deleteNamespaceNetwork`). Without it networks are only listed.
   */
  deleteNetwork?: (networkId: string, signal?: AbortSignal) => Promise<void>;
}

/** Result of {@link KubernetesOrphanCollector.collect}. */
export interface CollectResult {
  orphans: Orphan[];
  deleted: string[];
  failed: { id: string; error: string }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Finds and deletes Kubernetes-side Neutron orphans. */
export class KubernetesOrphanCollector {
  private readonly tags: readonly string[];
  private readonly graceMs: number;
  private readonly now: () => number;

  constructor(
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    private readonly o: OrphanCollectorOptions = {},
  ) {
    this.tags = o.resourceTags ?? [];
    this.graceMs = (o.graceSeconds ?? 600) * 1000;
    this.now = o.now ?? Date.now;
  }

  /** Lists orphans (no change). */
  async findOrphans(owners: KubernetesOwners, signal?: AbortSignal): Promise<Orphan[]> {
    const out: Orphan[] = [];
    const ports = await this.neutron.ports.listAll(
      { device_owner: DEVICE_OWNER_KURYR, tags: this.tags },
      { signal },
    );
    for (const p of ports) {
      if (p.name === POOL_PORT_NAME && p.device_id === '') continue;
      if (p.tags.some((t) => isKuryrIdentityTag(t) || t === TAG_PORT_EXISTING)) continue;
      if (!UUID.test(p.device_id) || owners.livePodUids.has(p.device_id)) continue;
      out.push(this.orphan('port', p.id, p.name, p.device_id, p.created_at));
    }
    const nets = await this.neutron.networks.listAll({ tags: this.tags }, { signal });
    for (const n of nets) {
      const uid = n.name.split('/', 1)[0] ?? '';
      if (!n.name.includes('/') || !UUID.test(uid)) continue;
      if (n.tags.some(isKuryrIdentityTag) || owners.liveNamespaceUids.has(uid)) continue;
      out.push(this.orphan('network', n.id, n.name, uid, n.created_at));
    }
    return out;
  }

  /**
   * Finds orphans and, unless `dryRun`, deletes the expired ones (ports first, then networks).
   * Deletes are idempotent; a failure is reported per object and does not stop the others.
   */
  async collect(
    owners: KubernetesOwners,
    opts: { dryRun: boolean; signal?: AbortSignal },
  ): Promise<CollectResult> {
    const orphans = await this.findOrphans(owners, opts.signal);
    const result: CollectResult = { orphans, deleted: [], failed: [] };
    if (opts.dryRun) return result;
    const ordered = [
      ...orphans.filter((o) => o.kind === 'port'),
      ...orphans.filter((o) => o.kind === 'network'),
    ];
    for (const o of ordered) {
      if (!o.expired) continue;
      try {
        if (o.kind === 'port')
          await this.neutron.ports.deleteIfExists(o.id, { signal: opts.signal });
        else if (this.o.deleteNetwork) await this.o.deleteNetwork(o.id, opts.signal);
        else continue;
        result.deleted.push(o.id);
        this.log.info({ kind: o.kind, id: o.id, ownerUid: o.ownerUid }, 'orphan deleted');
      } catch (error) {
        result.failed.push({ id: o.id, error: String(error) });
        this.log.warn({ err: error, kind: o.kind, id: o.id }, 'orphan delete failed');
      }
    }
    return result;
  }

  private orphan(
    kind: Orphan['kind'],
    id: string,
    name: string,
    ownerUid: string,
    createdAt: string | undefined,
  ): Orphan {
    const created = createdAt === undefined ? NaN : Date.parse(createdAt);
    const expired = Number.isNaN(created) || this.now() - created >= this.graceMs;
    return { kind, id, name, ownerUid, createdAt, expired };
  }
}
