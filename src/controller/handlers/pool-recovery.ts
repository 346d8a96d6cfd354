/**
 * @module Start-up recovery after a controller restart or leader hand-over: the port ids every KuryrPort
 * references (its `status.vifs[*].vif` primitives) are in use; every other kuryr pool port in Neutron
 * goes back into its pool (`VifPoolDriver.sync`), and every pod port created for a live pod that no
 * KuryrPort references (the previous controller died between the port create and the KuryrPort status
 * write) is deleted — the pod's KuryrPort gets a fresh one. Call once after leader election, before the
 * handlers run: nothing else may be creating ports at that moment.
 */
import type { Logger } from 'pino';
import { TAG_PORT_EXISTING, isKuryrIdentityTag } from '../../common/tags.js';
import type { KubeApi } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import { vifFromPrimitive } from '../../models/vif-primitive.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import { DEVICE_OWNER_KURYR, POOL_PORT_NAME } from '../drivers/pod-vif/types.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { NestedOrphanOptions } from '../nested-orphans.js';
import { releaseNestedOrphans } from './nested-recovery.js';

/**
 * Port ids referenced by any KuryrPort in the cluster (and, into `networkIds`, their networks).
 * Undecodable entries are skipped.
 */
export async function referencedPortIds(
  api: KubeApi,
  signal?: AbortSignal,
  networkIds?: Set<string>,
): Promise<Set<string>> {
  const ids = new Set<string>();
  let cont: string | undefined;
  do {
    const page = await api.list(
      KINDS.kuryrPort,
      { limit: 500, ...(cont ? { continue: cont } : {}) },
      { signal },
    );
    for (const kp of page.items) {
      for (const entry of Object.values(kp.status?.vifs ?? {})) {
        try {
          const vif = vifFromPrimitive(entry.vif);
          ids.add(vif.id);
          networkIds?.add(vif.network.id);
        } catch {
          // a VIF class we cannot read is not one of our pool's ports
        }
      }
    }
    cont = page.metadata.continue || undefined;
  } while (cont !== undefined);
  return ids;
}

/** UIDs of every pod in the cluster (or in `namespace`). */
export async function livePodUids(
  api: KubeApi,
  signal?: AbortSignal,
  namespace?: string,
): Promise<Set<string>> {
  const uids = new Set<string>();
  let cont: string | undefined;
  do {
    const page = await api.list(
      KINDS.pod,
      { limit: 500, ...(namespace ? { namespace } : {}), ...(cont ? { continue: cont } : {}) },
      { signal },
    );
    for (const p of page.items) if (p.metadata?.uid) uids.add(p.metadata.uid);
    cont = page.metadata.continue || undefined;
  } while (cont !== undefined);
  return uids;
}

/** What the leaked-port sweep needs besides the Kubernetes API. */
export interface LeakSweep {
  neutron: NeutronClient;
  /** `[neutron_defaults] resource_tags` (given to untagged pool ports). */
  resourceTags?: readonly string[];
  log: Logger;
  /**
   * `kuryr controller --watch-namespace`: only pods of this namespace are this replica's; other
   * controllers on the same cluster may be creating ports for the others right now.
   */
  namespace?: string;
  /**
   * `[kubernetes] pod_vif_driver` + `[pod_vif_nested]`: with a nested driver, orphaned subports /
   * macvlan ports are released first (src/controller/handlers/nested-recovery.ts).
   */
  nested?: NestedOrphanOptions;
}

/**
 * Deletes the kuryr pod ports whose `device_id` is a LIVE pod's UID but that no KuryrPort references,
 * tagged or not. Pod UIDs are unique, so such a port is certainly this cluster's, and with no handler
 * running nothing is about to write it into a KuryrPort. Ports of pods that are gone are left to `kuryr k8s-gc` (grace
 * period), pool ports to the pool, Docker/standalone-CNI and adopted ports are never touched.
 * @returns the ids deleted
 */
export async function deleteLeakedPodPorts(
  api: KubeApi,
  referenced: ReadonlySet<string>,
  sweep: LeakSweep,
  signal?: AbortSignal,
): Promise<string[]> {
  const pods = await livePodUids(api, signal, sweep.namespace);
  // No tag filter: a crash between the port create and its tagging (a second request) leaves the
  // port untagged, and the live pod's UID in device_id already proves it is this cluster's.
  const ports = await sweep.neutron.ports.listAll({ device_owner: DEVICE_OWNER_KURYR }, { signal });
  const leaked = ports.filter(
    (p) =>
      p.name !== POOL_PORT_NAME &&
      pods.has(p.device_id) &&
      !referenced.has(p.id) &&
      !p.tags.some((t) => isKuryrIdentityTag(t) || t === TAG_PORT_EXISTING),
  );
  for (const p of leaked) {
    await sweep.neutron.ports.deleteIfExists(p.id, { signal });
    sweep.log.info({ portId: p.id, podUid: p.device_id }, 'deleted a pod port no KuryrPort holds');
  }
  return leaked.map((p) => p.id);
}

/**
 * Gives `[neutron_defaults] resource_tags` to free pool ports that lack every tag (a crash between the
 * bulk create and the tagging requests) on `networkIds` — networks this cluster's pods use — so that
 * the tag-filtered pool recovery (and GC) see them instead of leaking them. @returns the ids tagged
 */
export async function tagUntaggedPoolPorts(
  networkIds: ReadonlySet<string>,
  sweep: LeakSweep,
  signal?: AbortSignal,
): Promise<string[]> {
  const tags = sweep.resourceTags ?? [];
  if (tags.length === 0) return []; // recovery lists untagged ports anyway
  const tagged: string[] = [];
  for (const networkId of networkIds) {
    const ports = await sweep.neutron.ports.listAll(
      { device_owner: DEVICE_OWNER_KURYR, name: POOL_PORT_NAME, network_id: networkId },
      { signal },
    );
    for (const p of ports.filter((x) => x.device_id === '' && x.tags.length === 0)) {
      await sweep.neutron.tags.replace('ports', p.id, tags, { signal });
      sweep.log.info({ portId: p.id }, 'tagged an untagged pool port left by a crash');
      tagged.push(p.id);
    }
  }
  return tagged;
}

/**
 * Rebuilds the pools from Neutron and, with `sweep`, first releases orphaned nested ports
 * ({@link releaseNestedOrphans}), deletes pod ports leaked by a crash ({@link deleteLeakedPodPorts}) and tags untagged pool ports on the cluster's networks (those of
 * referenced VIFs and of KuryrNetworks, {@link tagUntaggedPoolPorts}). @returns the number of ports put back into pools.
 */
export async function recoverPools(
  api: KubeApi,
  pool: VifPoolDriver,
  signal?: AbortSignal,
  sweep?: LeakSweep,
): Promise<number> {
  const networks = new Set<string>();
  const referenced = await referencedPortIds(api, signal, networks);
  if (sweep) {
    await releaseNestedOrphans(api, referenced, sweep, signal);
    await deleteLeakedPodPorts(api, referenced, sweep, signal);
    for (const kn of (await api.list(KINDS.kuryrNetwork, {}, { signal })).items) {
      if (kn.status?.netId) networks.add(kn.status.netId);
    }
    await tagUntaggedPoolPorts(networks, sweep, signal);
  }
  return pool.sync(referenced, { signal });
}
