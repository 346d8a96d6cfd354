/**
 * @module Lookups of user-named Neutron objects (`neutron.*` options) and the release of an address port,
 * shared by the IPAM and network services.
 */
import { ValidationError, ignoreNotFound } from '../../common/errors/index.js';
import { TAG_PORT_EXISTING, isKuryrIdentityTag } from '../../common/tags.js';
import type { LibnetworkNeutron, Network, Port, Subnet, Subnetpool } from '../neutron-port.js';
import { one } from './neutron-lookup.js';
import type { ObjectRef } from './pool-options.js';

async function byRef<T>(
  get: (id: string) => Promise<T>,
  list: (name: string) => Promise<T[]>,
  ref: ObjectRef,
  what: string,
): Promise<T> {
  if (ref.id) return get(ref.id);
  if (!ref.name) throw new ValidationError(`${what}: give a uuid or a name`);
  return one(await list(ref.name), `${what} named "${ref.name}"`);
}

/** The network an option names. @throws NotFoundError, ConflictError */
export const findNetwork = (n: LibnetworkNeutron, ref: ObjectRef): Promise<Network> =>
  byRef(
    (id) => n.get('networks', id),
    (name) => n.list('networks', { name }),
    ref,
    'Neutron network',
  );

/** The subnet an option names. @throws NotFoundError, ConflictError */
export const findSubnet = (n: LibnetworkNeutron, ref: ObjectRef): Promise<Subnet> =>
  byRef(
    (id) => n.get('subnets', id),
    (name) => n.list('subnets', { name }),
    ref,
    'Neutron subnet',
  );

/** The subnetpool an option (or config) names. @throws NotFoundError, ConflictError */
export const findSubnetpool = (n: LibnetworkNeutron, ref: ObjectRef): Promise<Subnetpool> =>
  byRef(
    (id) => n.get('subnetpools', id),
    (name) => n.list('subnetpools', { name }),
    ref,
    'Neutron subnetpool',
  );

/**
 * Releases an address port: a port kuryr created is deleted; an adopted one (`kuryr.port.existing`) is reset
 * (owner, binding host, device id) and untagged, and kept (COMPATIBILITY.md §2). NotFound is success.
 */
export async function releasePort(
  n: LibnetworkNeutron,
  port: Port,
  adopted: boolean,
): Promise<void> {
  if (!adopted) {
    await ignoreNotFound(() => n.delete('ports', port.id));
    return;
  }
  await ignoreNotFound(async () => {
    await n.update('ports', port.id, { device_owner: '', device_id: '', 'binding:host_id': '' });
    await n.replaceTags(
      'ports',
      port.id,
      port.tags.filter((t) => t !== TAG_PORT_EXISTING && !isKuryrIdentityTag(t)),
    );
  });
}
