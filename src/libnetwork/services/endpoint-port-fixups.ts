/**
 * @module CreateEndpoint repairs for the cases where RequestAddress could not know the endpoint: with the port
 * pool the driver answers RequiresMACAddress=false, so RequestAddress carries no MAC. Then (1) the v4 and v6
 * addresses of a dual-stack endpoint come from two ports, which are merged into one, and (2) a user's
 * `--mac-address` only shows up in CreateEndpoint, so the port's MAC is changed (unbind first: Neutron refuses a
 * MAC change on a bound port). Neither costs anything on the common path (one family, no `--mac-address`).
 */
import { ConflictError, ignoreNotFound } from '../../common/errors/index.js';
import { TAG_COMPUTE_KURYR, TAG_PORT_EXISTING } from '../../common/tags.js';
import type { LibnetworkNeutron, Port } from '../neutron-port.js';
import type { NeutronLookup } from './neutron-lookup.js';

const holds = (p: Port, ip: string) => p.fixed_ips.some((f) => f.ip_address === ip);

/**
 * One port for all of an endpoint's addresses: the port of the first address keeps its own and takes over the
 * others' (each other port is deleted, then its address added to the kept port: 2 requests per extra port).
 * @throws ConflictError when an extra port is not a kuryr-made address port (never delete a user's port)
 */
export async function mergeAddressPorts(
  neutron: LibnetworkNeutron,
  lookup: NeutronLookup,
  ports: Port[],
  ips: string[],
): Promise<Port> {
  const first = ports.find((p) => holds(p, ips[0] ?? '')) ?? ports[0];
  if (!first) throw new ConflictError(`no Neutron port holds ${ips.join(', ')}`);
  const others = ports.filter((p) => p.id !== first.id);
  if (others.length === 0) return first;
  for (const o of others) {
    if (o.device_owner !== TAG_COMPUTE_KURYR || o.tags.includes(TAG_PORT_EXISTING) || o.device_id) {
      throw new ConflictError(
        `addresses ${ips.join(', ')} are on different Neutron ports (${first.id}, ${o.id}) and ${o.id} ` +
          'is not a kuryr address port; remove it or pass --ip/--ip6 of one port',
      );
    }
  }
  const moved = others.flatMap((o) => o.fixed_ips.filter((f) => ips.includes(f.ip_address)));
  // NOTE: delete before add — Neutron refuses an address held by another port; the address is free for the
  // few ms in between (a v6 address out of a /64: nobody else asks for that exact one).
  await Promise.all(others.map((o) => ignoreNotFound(() => neutron.delete('ports', o.id))));
  for (const o of others) lookup.forgetAddresses(o);
  const adopted = first.tags.includes(TAG_PORT_EXISTING);
  const updated = await neutron.update('ports', first.id, {
    fixed_ips: [...first.fixed_ips, ...moved],
  });
  const merged = { ...updated, tags: first.tags };
  lookup.forgetAddresses(first);
  lookup.rememberAddress(merged, adopted);
  return merged;
}

/**
 * The port with the MAC dockerd asked for (`--mac-address` with RequiresMACAddress=false): no request when it
 * already has it; else unbind (if bound) and set MAC + binding host again — 1 or 2 PUTs.
 */
export async function ensureMac(
  neutron: LibnetworkNeutron,
  lookup: NeutronLookup,
  port: Port,
  mac: string | undefined,
  host: string,
): Promise<Port> {
  if (!mac || port.mac_address.toLowerCase() === mac.toLowerCase()) return port;
  if (port['binding:host_id']) await neutron.update('ports', port.id, { 'binding:host_id': '' });
  const updated = await neutron.update('ports', port.id, {
    mac_address: mac,
    'binding:host_id': host,
  });
  const result = { ...updated, tags: port.tags };
  lookup.forgetAddresses(port);
  lookup.rememberAddress(result, port.tags.includes(TAG_PORT_EXISTING));
  return result;
}
