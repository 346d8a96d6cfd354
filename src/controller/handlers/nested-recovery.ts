/**
 * @module The nested-driver part of the recovery step a replica runs when it becomes active
 * (src/controller/handlers/pool-recovery.ts): `nested-vlan` subports and `nested-macvlan` ports that no
 * KuryrPort references are released — detached from the node VM's trunk / their pair removed from the
 * VM port, then deleted — when their pod (the `kuryr.pod.uid:` description of a subport, the
 * `device_id` of a macvlan port) is
 * - a live pod of this replica (the previous process died between the create and the KuryrPort status
 *   write; the pod's KuryrPort gets a fresh port), or
 * - gone, and the port hangs on the VM port of one of this cluster's Nodes: one VM is one node of one
 *   cluster, so the port is certainly this cluster's, and its pod went while no controller held it
 *   (finalizers stripped, a crash before the status write). Unlike a `neutron-vif` port of a gone pod
 *   (left to `kuryr k8s-gc`, as nothing proves whose cluster it was), this needs no grace period:
 *   Neutron is listed BEFORE the pods, so a port's pod existed before the pod list and is really gone.
 * Pool ports (`kuryr-pool-port`), Docker/standalone-CNI and adopted ports are never touched; live pods
 * of other namespaces (`--watch-namespace`) are left to their own controllers.
 */
import { TAG_PORT_EXISTING, isKuryrIdentityTag } from '../../common/tags.js';
import type { KubeApi } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import { DEVICE_OWNER_KURYR, POOL_PORT_NAME } from '../drivers/pod-vif/types.js';
import { NestedOrphanReleaser, SUBPORT_DEVICE_OWNER, ownerPodUid } from '../nested-orphans.js';
import { livePodUids, type LeakSweep } from './pool-recovery.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The IPs of every Node (`InternalIP` addresses; the pods' `status.hostIP`). */
export async function nodeInternalIps(api: KubeApi, signal?: AbortSignal): Promise<Set<string>> {
  const ips = new Set<string>();
  for (const node of (await api.list(KINDS.node, {}, { signal })).items) {
    const status = node.status as { addresses?: { type?: string; address?: string }[] } | undefined;
    for (const a of status?.addresses ?? []) {
      if (a.type === 'InternalIP' && a.address) ips.add(a.address);
    }
  }
  return ips;
}

/**
 * Releases the nested pod ports described in the module comment (nothing unless `nested.driver` is
 * `nested-vlan` or `nested-macvlan`). Run before the handlers start. @returns the ids released
 */
export async function releaseNestedOrphans(
  api: KubeApi,
  referenced: ReadonlySet<string>,
  sweep: LeakSweep,
  signal?: AbortSignal,
): Promise<string[]> {
  if (sweep.nested === undefined) return [];
  const releaser = new NestedOrphanReleaser(sweep.neutron, sweep.log, sweep.nested);
  if (!releaser.nested) return [];
  const view = await releaser.view(await nodeInternalIps(api, signal), { signal });
  // Neutron first (see the module comment). No tag filter: a live pod's UID proves the port ours.
  const ports = await sweep.neutron.ports.listAll(
    { device_owner: [DEVICE_OWNER_KURYR, SUBPORT_DEVICE_OWNER] },
    { signal },
  );
  const live = await livePodUids(api, signal);
  const mine = sweep.namespace ? await livePodUids(api, signal, sweep.namespace) : live;
  const released: string[] = [];
  for (const p of ports) {
    if (p.name === POOL_PORT_NAME || referenced.has(p.id)) continue;
    if (p.tags.some((t) => isKuryrIdentityTag(t) || t === TAG_PORT_EXISTING)) continue;
    const uid = ownerPodUid(p);
    if (!UUID.test(uid)) continue;
    if (live.has(uid) ? !mine.has(uid) : !releaser.onNodes(p, view)) continue;
    // A live pod's port without pairs / trunk is left to deleteLeakedPodPorts (device_id), except a
    // subport-to-be (description identity), which nothing else would find.
    if (live.has(uid) && !releaser.onNodes(p, view) && p.device_id !== '') continue;
    await releaser.release(p, view, signal);
    sweep.log.info(
      { portId: p.id, podUid: uid, podLive: live.has(uid) },
      'released a nested pod port no KuryrPort holds',
    );
    released.push(p.id);
  }
  return released;
}
