/**
 * @module Start-up recovery of the VIF pools: the port ids every KuryrPort references (its
 * `status.vifs[*].vif` primitives) are in use; every other kuryr pool port in Neutron goes back into
 * its pool (`VifPoolDriver.sync`). Call once after leader election, before the handlers run.
 */
import type { KubeApi } from '../../k8s/client.js';
import { KINDS } from '../../k8s/kinds.js';
import { vifFromPrimitive } from '../../models/vif-primitive.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';

/** Port ids referenced by any KuryrPort in the cluster. Undecodable entries are skipped. */
export async function referencedPortIds(api: KubeApi, signal?: AbortSignal): Promise<Set<string>> {
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
          ids.add(vifFromPrimitive(entry.vif).id);
        } catch {
          // a VIF class we cannot read is not one of our pool's ports
        }
      }
    }
    cont = page.metadata.continue || undefined;
  } while (cont !== undefined);
  return ids;
}

/** Rebuilds the pools from Neutron. @returns the number of ports put back. */
export async function recoverPools(
  api: KubeApi,
  pool: VifPoolDriver,
  signal?: AbortSignal,
): Promise<number> {
  return pool.sync(await referencedPortIds(api, signal), { signal });
}
