/**
 * @module Compare-and-swap edits of a port's `allowed_address_pairs` (the macvlan VM port) for the
 * controller: the shared implementation (src/openstack/neutron/nested-cas.ts) guarded by
 * `If-Match: revision_number=N`, where a 412 (changed meanwhile) re-reads and retries up to
 * `[pod_vif_nested] rev_update_attempts` times and a race still lost then is a NotReadyError, so the
 * pipeline requeues the pod instead of failing it.
 */
import type { Logger } from 'pino';
import { NotReadyError } from '../../../common/errors/index.js';
import { PreconditionFailed } from '../../../openstack/http/errors.js';
import type { NeutronClient } from '../../../openstack/neutron/index.js';
import {
  addPairs,
  casAllowedAddressPairs,
  removePairsByIp,
  type PairsEdit,
} from '../../../openstack/neutron/nested-cas.js';

export { addPairs, type PairsEdit };

/** Edit removing every pair with one of `ips`. */
export const removePairs = removePairsByIp;

/**
 * Applies `edit` to the pairs of port `portId` with optimistic concurrency.
 * @returns true when the port was updated, false when `edit` found nothing to do.
 * @throws NotReadyError when every attempt lost the race (requeue); NotFoundError when the port is gone.
 */
export function updateAllowedAddressPairs(
  neutron: NeutronClient,
  portId: string,
  edit: PairsEdit,
  attempts: number,
  log: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  return casAllowedAddressPairs(
    {
      read: async (s) => {
        const port = await neutron.ports.get(portId, { signal: s });
        return { pairs: port.allowed_address_pairs ?? [], revision: port.revision_number };
      },
      write: async (pairs, revision, s) => {
        await neutron.ports.update(
          portId,
          { allowed_address_pairs: pairs },
          { ifRevision: revision, signal: s },
        );
      },
    },
    edit,
    {
      attempts,
      isLostRace: (e) => e instanceof PreconditionFailed,
      exhausted: (last) =>
        new NotReadyError(
          `port ${portId} kept changing during ${attempts} allowed_address_pairs updates ` +
            '([pod_vif_nested] rev_update_attempts); will retry',
          { cause: last, details: { portId } },
        ),
      onRetry: (attempt) =>
        log.debug({ portId, attempt }, 'allowed_address_pairs changed meanwhile; re-reading'),
      ...(signal ? { signal } : {}),
    },
  );
}
