/**
 * @module Orphan collection for the Kubernetes side: Neutron ports and namespace networks Kuryr created for
 * pods/namespaces that no longer exist. Dry-run lists; a real run deletes, each object only once it is
 * older than the grace period (so an object created between the Kubernetes list and the Neutron list is
 * never taken for an orphan). Docker-side / standalone-CNI objects (lh/uh identity tags, adopted ports)
 * and free pool ports (the pool recovers those) are never touched. A pod port is found by its
 * `device_id` or, for `nested-vlan` subports (no device allowed), by its `kuryr.pod.uid:` description;
 * with the nested releaser a subport is detached from its trunk and a macvlan port's pair removed from
 * its node VM port before the delete (src/controller/nested-orphans.ts).
 */
import type { Logger } from 'pino';
import { TAG_PORT_EXISTING, isKuryrIdentityTag } from '../common/tags.js';
import type { NeutronClient, Port } from '../openstack/neutron/index.js';
import { DEVICE_OWNER_KURYR, POOL_PORT_NAME } from './drivers/pod-vif/types.js';
import {
  ownerPodUid,
  SUBPORT_DEVICE_OWNER,
  type NestedOrphanReleaser,
  type NestedView,
} from './nested-orphans.js';

/** What is alive in Kubernetes right now. */
export interface KubernetesOwners {
  /** UIDs of every existing pod. */
  livePodUids: ReadonlySet<string>;
  /** UIDs of every existing namespace. */
  liveNamespaceUids: ReadonlySet<string>;
  /** IPs of the Nodes: where the nested releaser finds the VM ports (macvlan pairs). */
  nodeIps?: ReadonlySet<string>;
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
  /**
   * With a nested pod VIF driver: detaches orphaned subports and removes macvlan pairs before the
   * port delete. Without it ports are deleted plainly.
   */
  nested?: NestedOrphanReleaser;
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
    return (await this.scan(owners, signal)).orphans;
  }

  private async scan(
    owners: KubernetesOwners,
    signal?: AbortSignal,
  ): Promise<{ orphans: Orphan[]; ports: Map<string, Port> }> {
    const out: Orphan[] = [];
    const orphanPorts = new Map<string, Port>();
    // trunk:subport: what the trunk plugin makes of a subport's owner once the VM port is bound
    const ports = await this.neutron.ports.listAll(
      { device_owner: [DEVICE_OWNER_KURYR, SUBPORT_DEVICE_OWNER], tags: this.tags },
      { signal },
    );
    for (const p of ports) {
      if (p.name === POOL_PORT_NAME && p.device_id === '') continue;
      if (p.tags.some((t) => isKuryrIdentityTag(t) || t === TAG_PORT_EXISTING)) continue;
      const uid = ownerPodUid(p);
      if (!UUID.test(uid) || owners.livePodUids.has(uid)) continue;
      out.push(this.orphan('port', p.id, p.name, uid, p.created_at));
      orphanPorts.set(p.id, p);
    }
    const nets = await this.neutron.networks.listAll({ tags: this.tags }, { signal });
    for (const n of nets) {
      const uid = n.name.split('/', 1)[0] ?? '';
      if (!n.name.includes('/') || !UUID.test(uid)) continue;
      if (n.tags.some(isKuryrIdentityTag) || owners.liveNamespaceUids.has(uid)) continue;
      out.push(this.orphan('network', n.id, n.name, uid, n.created_at));
    }
    return { orphans: out, ports: orphanPorts };
  }

  /**
   * Finds orphans and, unless `dryRun`, deletes the expired ones (ports first, then networks).
   * Deletes are idempotent; a failure is reported per object and does not stop the others.
   */
  async collect(
    owners: KubernetesOwners,
    opts: { dryRun: boolean; signal?: AbortSignal },
  ): Promise<CollectResult> {
    const { orphans, ports } = await this.scan(owners, opts.signal);
    const result: CollectResult = { orphans, deleted: [], failed: [] };
    if (opts.dryRun) return result;
    let view: NestedView | undefined;
    const deletePort = async (id: string) => {
      const port = ports.get(id);
      if (this.o.nested === undefined || port === undefined) {
        await this.neutron.ports.deleteIfExists(id, { signal: opts.signal });
        return;
      }
      // all trunks: a subport whose node object is gone must still be detached to be deletable
      view ??= await this.o.nested.view(owners.nodeIps ?? [], {
        allTrunks: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      await this.o.nested.release(port, view, opts.signal);
    };
    const ordered = [
      ...orphans.filter((o) => o.kind === 'port'),
      ...orphans.filter((o) => o.kind === 'network'),
    ];
    for (const o of ordered) {
      if (!o.expired) continue;
      try {
        if (o.kind === 'port') await deletePort(o.id);
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
