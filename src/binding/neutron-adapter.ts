/**
 * @module Adapts the typed `NeutronClient` to the `NestedNeutron` calls of the nested drivers, turning a
 * 412 on `If-Match: revision_number` (a concurrent update of the VM port) into ConflictError so
 * nested-neutron.ts retries it.
 */
import { ConflictError } from '../common/errors/index.js';
import { PreconditionFailed } from '../openstack/http/errors.js';
import type { NeutronClient } from '../openstack/neutron/index.js';
import type { NestedNeutron } from './types.js';

/**
 * @example
 * const registry = createBindingRegistry({ netlink, logger, neutron: nestedNeutronFrom(neutron) });
 */
export function nestedNeutronFrom(client: NeutronClient): NestedNeutron {
  const opts = (signal?: AbortSignal) => (signal ? { signal } : {});
  return {
    async getPort(portId, signal) {
      const p = await client.ports.get(portId, opts(signal));
      return p;
    },
    async updatePortPairs(portId, pairs, revisionNumber, signal) {
      try {
        await client.ports.update(
          portId,
          { allowed_address_pairs: pairs },
          { ...opts(signal), ifRevision: revisionNumber },
        );
      } catch (err) {
        if (err instanceof PreconditionFailed) {
          throw new ConflictError(`port ${portId} changed since revision ${revisionNumber}`, {
            cause: err,
          });
        }
        throw err;
      }
    },
    getTrunk: (trunkId, signal) => client.trunks.get(trunkId, opts(signal)),
    async addSubports(trunkId, subports, signal) {
      await client.trunks.addSubports(trunkId, subports, opts(signal));
    },
    async removeSubports(trunkId, portIds, signal) {
      await client.trunks.removeSubports(trunkId, portIds, opts(signal));
    },
  };
}
