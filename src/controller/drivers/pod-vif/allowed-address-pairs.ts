/**
 * @module Compare-and-swap edits of a port's `allowed_address_pairs` (the macvlan VM port), guarded by
 * `If-Match: revision_number=N` so two controllers never overwrite each other's pairs; a 412 (changed
 * meanwhile) re-reads and retries up to `[pod_vif_nested] rev_update_attempts` times.
 */
import type { Logger } from 'pino';
import { NotReadyError } from '../../../common/errors/index.js';
import { PreconditionFailed } from '../../../openstack/http/errors.js';
import type { AllowedAddressPair, NeutronClient } from '../../../openstack/neutron/index.js';

/** A pure edit of the pair list; return undefined when nothing has to change. */
export type PairsEdit = (current: AllowedAddressPair[]) => AllowedAddressPair[] | undefined;

/**
 * Applies `edit` to the pairs of port `portId` with optimistic concurrency.
 * @returns true when the port was updated, false when `edit` found nothing to do.
 * @throws NotReadyError when every attempt lost the race (requeue); NotFoundError when the port is gone.
 */
export async function updateAllowedAddressPairs(
  neutron: NeutronClient,
  portId: string,
  edit: PairsEdit,
  attempts: number,
  log: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await neutron.ports.get(portId, { signal });
    const next = edit(port.allowed_address_pairs ?? []);
    if (next === undefined) return false;
    try {
      await neutron.ports.update(
        portId,
        { allowed_address_pairs: next },
        { ifRevision: port.revision_number, signal },
      );
      return true;
    } catch (error) {
      if (!(error instanceof PreconditionFailed)) throw error;
      log.debug({ portId, attempt }, 'allowed_address_pairs changed meanwhile; re-reading');
    }
  }
  throw new NotReadyError(
    `port ${portId} kept changing during ${attempts} allowed_address_pairs updates ` +
      '([pod_vif_nested] rev_update_attempts); will retry',
    { details: { portId } },
  );
}

/** Edit adding `pairs` (no duplicates). */
export function addPairs(pairs: readonly AllowedAddressPair[]): PairsEdit {
  return (current) => {
    const missing = pairs.filter((p) => !current.some((c) => samePair(c, p)));
    return missing.length === 0 ? undefined : [...current, ...missing];
  };
}

/** Edit removing every pair with one of `ips`. */
export function removePairs(ips: readonly string[]): PairsEdit {
  return (current) => {
    const kept = current.filter((c) => !ips.includes(c.ip_address));
    return kept.length === current.length ? undefined : kept;
  };
}

function samePair(a: AllowedAddressPair, b: AllowedAddressPair): boolean {
  return (
    a.ip_address === b.ip_address &&
    (a.mac_address ?? '').toLowerCase() === (b.mac_address ?? '').toLowerCase()
  );
}
