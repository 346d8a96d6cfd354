/**
 * @module The Neutron port behind an IPAM address (RequestAddress): a warm-pool port (no Neutron call), a port
 * created bound in ONE POST, a second fixed IP on the port of the same MAC (dual stack with RequiresMACAddress),
 * or an adopted pre-created port holding `--ip` (COMPATIBILITY.md §2). Split out of the IPAM service.
 */
import type { Logger } from 'pino';
import { ConflictError, isConflictError } from '../../common/errors/index.js';
import { TAG_COMPUTE_KURYR, TAG_PORT_EXISTING } from '../../common/tags.js';
import type { LibnetworkNeutron, Port, Subnet } from '../neutron-port.js';
import type { LibnetworkOptions } from '../options.js';
import { TAG_PORT_POOL, type PortPool } from '../port-pool.js';
import { isNeutronErrorType } from './neutron-error-type.js';
import type { NeutronLookup } from './neutron-lookup.js';

/** Name of a port kuryr creates for an address (kept after binding: the original's name). */
export const UNBOUND_PORT_NAME = 'kuryr-unbound-port';

/** Finds or makes the port of one address. */
export class AddressPorts {
  /** Ports this process handed out from the pool → what they looked like then (recycling check). */
  private readonly handedOut = new Map<string, { mac: string; groups: string }>();

  constructor(
    private readonly neutron: LibnetworkNeutron,
    private readonly lookup: NeutronLookup,
    private readonly options: LibnetworkOptions,
    private readonly log: Logger,
    private readonly portPool?: PortPool,
  ) {}

  /**
   * The port for an address in `subnet`: with no `--ip` and no MAC a free pooled port (already bound: no
   * Neutron call at all), else one POST with binding host and owner (the port is bound before CreateEndpoint).
   * A request that carries a MAC (`--mac-address`, or a dockerd still holding RequiresMACAddress=true) never
   * takes a pooled port: Neutron refuses a MAC change on a bound port, so it gets a fresh port with that MAC.
   */
  async portFor(subnet: Subnet, address: string, mac?: string): Promise<Port> {
    const pooled = !address && !mac ? this.portPool?.take(subnet) : undefined;
    if (pooled) {
      this.lookup.rememberAddress(pooled, false);
      this.handedOut.set(pooled.id, {
        mac: pooled.mac_address.toLowerCase(),
        groups: [...pooled.security_groups].sort().join(','),
      });
      this.log.debug({ portId: pooled.id, subnetId: subnet.id }, 'address from the port pool');
      return pooled;
    }
    if (mac) {
      const hint = this.lookup.portByMac(subnet.network_id, mac);
      if (hint && !hint.port.fixed_ips.some((f) => f.subnet_id === subnet.id)) {
        return this.addFixedIp(hint.port, subnet, address, hint.adopted);
      }
    }
    const fixedIp = { subnet_id: subnet.id, ...(address ? { ip_address: address } : {}) };
    try {
      const port = await this.neutron.create('ports', {
        network_id: subnet.network_id,
        name: UNBOUND_PORT_NAME,
        admin_state_up: true,
        fixed_ips: [fixedIp],
        device_owner: TAG_COMPUTE_KURYR,
        'binding:host_id': this.options.host,
        ...(mac ? { mac_address: mac } : {}),
      });
      this.lookup.rememberAddress(port, false);
      return port;
    } catch (error) {
      if (mac && isNeutronErrorType(error, 'MacAddressInUse')) {
        const [owner] = await this.neutron.list('ports', {
          network_id: subnet.network_id,
          mac_address: mac,
        });
        if (owner && owner.device_owner === TAG_COMPUTE_KURYR) {
          return this.addFixedIp(owner, subnet, address, owner.tags.includes(TAG_PORT_EXISTING));
        }
      }
      if (
        address &&
        (isNeutronErrorType(error, 'IpAddressAlreadyAllocated', 'IpAddressInUse') ||
          isConflictError(error))
      ) {
        return this.adoptPortWithIp(subnet, address, mac, error);
      }
      throw error;
    }
  }

  /**
   * ReleaseAddress of a pooled port this process handed out: back into the pool with ONE tags PUT instead of a
   * DELETE (on the bed a DELETE of a just-unplugged bound port costs more than a PUT, and the pool then needs no
   * POST to refill). Only a port exactly as it left the pool (same MAC, one address, same security groups: no
   * `--mac-address`, dual-stack merge or `--expose` group), and only without `vif_plugging_is_fatal` (a port
   * reused within the agent's polling interval may still read ACTIVE from its previous life). Returns false
   * when the caller must delete the port.
   */
  async recycle(subnet: Subnet, port: Port): Promise<boolean> {
    const was = this.handedOut.get(port.id);
    this.handedOut.delete(port.id);
    const pool = this.portPool;
    if (!was || !pool || this.options.vifPluggingIsFatal || !this.options.tagMode) return false;
    const same =
      port.mac_address.toLowerCase() === was.mac &&
      port.fixed_ips.length === 1 &&
      [...port.security_groups].sort().join(',') === was.groups &&
      !port.tags.includes(TAG_PORT_EXISTING);
    if (!same || !pool.hasRoom(subnet.id)) return false;
    try {
      await this.neutron.replaceTags('ports', port.id, [TAG_PORT_POOL]);
    } catch (error) {
      this.log.warn({ err: error, portId: port.id }, 'pooled port not recycled; deleting it');
      return false;
    }
    if (pool.putBack(subnet, { ...port, tags: [TAG_PORT_POOL] })) return true;
    return false;
  }

  private async addFixedIp(port: Port, subnet: Subnet, address: string, adopted: boolean) {
    const fixed = [
      ...port.fixed_ips,
      { subnet_id: subnet.id, ...(address ? { ip_address: address } : {}) },
    ];
    const updated = await this.neutron.update('ports', port.id, { fixed_ips: fixed });
    this.lookup.rememberAddress(updated, adopted);
    return updated;
  }

  // `--ip` of a pre-created port: take it over, mark it kuryr.port.existing (COMPATIBILITY.md §2).
  private async adoptPortWithIp(
    subnet: Subnet,
    address: string,
    mac: string | undefined,
    cause: unknown,
  ) {
    const ports = await this.neutron.list('ports', {
      network_id: subnet.network_id,
      fixed_ips: [`ip_address=${address}`],
    });
    const port = ports[0];
    if (!port || (port.device_owner && port.device_owner !== TAG_COMPUTE_KURYR) || port.device_id) {
      throw new ConflictError(
        `address ${address} is in use by another Neutron port; pick another --ip`,
        { cause },
      );
    }
    const updated = await this.neutron.update('ports', port.id, {
      device_owner: TAG_COMPUTE_KURYR,
      'binding:host_id': this.options.host,
      ...(mac ? { mac_address: mac } : {}),
    });
    const tags = [...port.tags, TAG_PORT_EXISTING];
    await this.neutron.replaceTags('ports', port.id, tags);
    const result = { ...updated, tags };
    this.lookup.rememberAddress(result, true);
    return result;
  }
}
