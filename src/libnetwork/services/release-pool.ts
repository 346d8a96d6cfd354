/**
 * @module `IpamDriver.ReleasePool` on Neutron (COMPATIBILITY.md §3): deletes the `kuryr-subnet-*` subnets and
 * the subnetpool kuryr made, only untags an adopted pool, keeps the default pools. Free pooled ports of those
 * subnets are drained first (dockerd sends ReleasePool before DeleteNetwork and Neutron refuses to delete a
 * subnet that still holds ports). NotFound is success.
 */
import type { Logger } from 'pino';
import { ignoreNotFound, isConflictError, isNotFoundError } from '../../common/errors/index.js';
import { TAG_SUBNETPOOL_EXISTING } from '../../common/tags.js';
import type { LibnetworkNeutron, Subnet, Subnetpool } from '../neutron-port.js';
import type { LibnetworkOptions } from '../options.js';
import type { PortPool } from '../port-pool.js';

/** What the release needs. */
export interface ReleasePoolDeps {
  neutron: LibnetworkNeutron;
  options: LibnetworkOptions;
  log: Logger;
  portPool?: PortPool;
}

/**
 * Releases the subnetpool `subnetpoolId`; `cached` = its subnets when this process knows them (saves a list).
 * A pool still in use (409) is logged and left in place.
 */
export async function releaseSubnetpool(
  d: ReleasePoolDeps,
  subnetpoolId: string,
  cached: Subnet[] | undefined,
): Promise<void> {
  let sp: Subnetpool;
  try {
    sp = await d.neutron.get('subnetpools', subnetpoolId);
  } catch (error) {
    if (isNotFoundError(error)) return;
    throw error;
  }
  if ([d.options.defaultSubnetpoolV4, d.options.defaultSubnetpoolV6].includes(sp.name)) return;
  if (sp.tags.includes(TAG_SUBNETPOOL_EXISTING)) {
    await ignoreNotFound(() =>
      d.neutron.replaceTags(
        'subnetpools',
        sp.id,
        sp.tags.filter((t) => t !== TAG_SUBNETPOOL_EXISTING),
      ),
    );
    return;
  }
  const subnets = cached ?? (await d.neutron.list('subnets', { subnetpool_id: sp.id }));
  const ours = subnets.filter((s) => s.name.startsWith('kuryr-subnet-'));
  await d.portPool?.drain(ours.map((s) => s.id));
  await Promise.all(ours.map((s) => ignoreNotFound(() => d.neutron.delete('subnets', s.id))));
  try {
    await ignoreNotFound(() => d.neutron.delete('subnetpools', sp.id));
  } catch (error) {
    if (!isConflictError(error)) throw error;
    d.log.warn({ subnetpoolId: sp.id, err: error }, 'subnetpool still in use; left in place');
  }
}
