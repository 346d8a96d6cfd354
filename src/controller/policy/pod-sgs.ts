/**
 * @module Puts the right security groups on a pod's Neutron port(s): asks the configured security groups
 * driver (`policy`: the SGs of the policies selecting the pod, else the defaults) and updates every VIF
 * the pod's KuryrPort records through the VIF pool driver (one PUT per port).
 *
 * Serialised per pod, with the SG set computed INSIDE the lock, so of two concurrent callers (a policy
 * changed, the pod's labels changed) the later one always writes the fresher set. A port whose SG set was
 * already written for this pod is not PUT again (memory only; after a restart the first pass re-writes,
 * which is idempotent). The memo key includes the pod UID because pooled ports are reused by other pods.
 */
import type { Logger } from 'pino';
import { isNotFoundError } from '../../common/errors/index.js';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import type { KubeApi } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import { vifFromPrimitive } from '../../models/vif-primitive.js';
import type { SecurityGroupsDriver } from '../drivers/security-groups/types.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import { matchesSelector } from './snapshot-resolver.js';
import type { LabelSelector } from './types.js';

/** Applies pod SGs. One instance per controller (shared by the policy handlers). */
export class PodSgApplier {
  private readonly locks = new KeyedMutex();
  /** `<podUid>/<portId>` → the sorted SG list last written. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly securityGroups: SecurityGroupsDriver,
    private readonly pool: VifPoolDriver,
    private readonly log: Logger,
  ) {}

  /**
   * Makes the ports of `pod` carry the SGs the driver gives now.
   * @returns the number of ports updated (0 when the pod has no port yet: the `kuryrport` handler asks
   *   the same driver when it creates the port).
   */
  apply(api: KubeApi, pod: KubeObject, signal?: AbortSignal): Promise<number> {
    const m = pod.metadata ?? {};
    const namespace = m.namespace ?? '';
    const name = m.name ?? '';
    return this.locks.run(`${namespace}/${name}`, async () => {
      const opts = signal === undefined ? {} : { signal };
      const kp = await api.get(KINDS.kuryrPort, name, namespace, opts).catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
      // A KuryrPort of an older pod with the same name is not this pod's.
      if (kp === undefined || kp.spec.podUid !== m.uid) return 0;
      const entries = Object.values(kp.status?.vifs ?? {});
      if (entries.length === 0) return 0;
      const sgs = await this.securityGroups.getSecurityGroups(
        { namespace, name, ...(m.labels ? { labels: m.labels } : {}) },
        opts,
      );
      const want = [...sgs].sort().join(',');
      let updated = 0;
      for (const entry of entries) {
        const vif = vifFromPrimitive(entry.vif);
        const key = `${m.uid ?? ''}/${vif.id}`;
        if (this.written.get(key) === want) continue;
        await this.pool.updateVifSgs(vif, sgs, opts);
        this.written.set(key, want);
        updated++;
        this.log.info(
          { pod: `${namespace}/${name}`, port: vif.id, sgs },
          'pod security groups set',
        );
      }
      return updated;
    });
  }

  /** {@link apply} to every pod of `namespace` that one of `selectors` selects (each pod once). */
  async applySelected(
    api: KubeApi,
    namespace: string,
    selectors: readonly LabelSelector[],
    signal?: AbortSignal,
  ): Promise<number> {
    if (selectors.length === 0) return 0;
    const opts = signal === undefined ? {} : { signal };
    const pods = (await api.list(KINDS.pod, { namespace }, opts)).items;
    let updated = 0;
    for (const pod of pods) {
      if (pod.metadata?.deletionTimestamp) continue;
      if (!selectors.some((s) => matchesSelector(pod.metadata?.labels, s))) continue;
      updated += await this.apply(api, pod, signal);
    }
    return updated;
  }

  /** Drops the memo of a pod that is gone. */
  forget(podUid: string): void {
    for (const key of this.written.keys())
      if (key.startsWith(`${podUid}/`)) this.written.delete(key);
  }
}
