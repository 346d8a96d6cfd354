/**
 * @module Finds Neutron objects for Docker IDs by Kuryr's tag scheme (name in name mode) and caches the
 * facts that cannot change while the object lives (network id of a Docker network, subnets of a network,
 * port of an endpoint). Caches are hints, never authoritative: entries are dropped on delete and on NotFound,
 * and everything is re-derived from Neutron after a restart (ARCHITECTURE.md §5).
 */
import { ConflictError, NotFoundError } from '../../common/errors/index.js';
import { idTags } from '../../common/tags.js';
import type { LibnetworkNeutron, Network, Port, Subnet } from '../neutron-port.js';

/** A port handed out by RequestAddress, remembered so CreateEndpoint/ReleaseAddress need no list call. */
export interface AddressHint {
  port: Port;
  /** Adopted port (`kuryr.port.existing`): reset on release instead of delete. */
  adopted: boolean;
}

/** Tag/name lookups with hint caches. One per process; safe for concurrent calls. */
export class NeutronLookup {
  private readonly networks = new Map<string, Network>();
  private readonly subnetsByNetwork = new Map<string, Subnet[]>();
  private readonly endpoints = new Map<string, Port>();
  /** key `${subnetId}/${ip}` → port */
  private readonly addresses = new Map<string, AddressHint>();
  /** key `${networkId}/${mac}` → port id */
  private readonly macs = new Map<string, string>();

  constructor(
    private readonly neutron: LibnetworkNeutron,
    private readonly tagMode: boolean,
  ) {}

  /** Filters selecting the object of a Docker ID. */
  identityFilter(dockerId: string): Record<string, string> {
    return this.tagMode ? { tags: idTags(dockerId).join(',') } : { name: dockerId };
  }

  /**
   * The Neutron network of a Docker NetworkID.
   * @throws NotFoundError when none; ConflictError when more than one carries the ID.
   */
  async network(dockerNetworkId: string): Promise<Network> {
    const cached = this.networks.get(dockerNetworkId);
    if (cached) return cached;
    const found = await this.neutron.list('networks', this.identityFilter(dockerNetworkId));
    const net = one(found, `Neutron network of Docker network ${dockerNetworkId.slice(0, 12)}`);
    this.networks.set(dockerNetworkId, net);
    return net;
  }

  rememberNetwork(dockerNetworkId: string, net: Network): void {
    this.networks.set(dockerNetworkId, net);
  }

  forgetNetwork(dockerNetworkId: string, neutronNetworkId?: string): void {
    this.networks.delete(dockerNetworkId);
    if (neutronNetworkId) this.subnetsByNetwork.delete(neutronNetworkId);
  }

  /** Subnets of a Neutron network (cached until the network is forgotten or a subnet added). */
  async subnets(networkId: string): Promise<Subnet[]> {
    const cached = this.subnetsByNetwork.get(networkId);
    if (cached) return cached;
    const subnets = await this.neutron.list('subnets', { network_id: networkId });
    this.subnetsByNetwork.set(networkId, subnets);
    this.rememberSubnets(subnets);
    return subnets;
  }

  /** Subnets seen by id (a subnet's network, CIDR and pool never change). */
  private readonly subnetById = new Map<string, Subnet>();

  /** Remembers subnets seen anywhere (IPAM lists them by pool). */
  rememberSubnets(subnets: Subnet[]): void {
    for (const s of subnets) this.subnetById.set(s.id, s);
  }

  /** The given subnets when all are known, else undefined. */
  knownSubnets(ids: string[]): Subnet[] | undefined {
    const found = ids.map((id) => this.subnetById.get(id));
    return found.every((s) => s !== undefined) ? found : undefined;
  }

  /** Records the complete subnet list of a network kuryr just created. */
  setSubnets(networkId: string, subnets: Subnet[]): void {
    this.subnetsByNetwork.set(networkId, subnets);
    this.rememberSubnets(subnets);
  }

  rememberSubnet(subnet: Subnet): void {
    const list = this.subnetsByNetwork.get(subnet.network_id);
    if (list && !list.some((s) => s.id === subnet.id)) list.push(subnet);
  }

  forgetSubnets(networkId: string): void {
    this.subnetsByNetwork.delete(networkId);
  }

  /**
   * The port of a Docker EndpointID.
   * @throws NotFoundError when none; ConflictError when more than one.
   */
  async endpointPort(endpointId: string): Promise<Port> {
    const cached = this.endpoints.get(endpointId);
    if (cached) return cached;
    const filter = this.tagMode ? this.identityFilter(endpointId) : { name: `${endpointId}-port` };
    const port = one(
      await this.neutron.list('ports', filter),
      `port of endpoint ${endpointId.slice(0, 12)}`,
    );
    this.endpoints.set(endpointId, port);
    return port;
  }

  rememberEndpoint(endpointId: string, port: Port): void {
    this.endpoints.set(endpointId, port);
  }

  forgetEndpoint(endpointId: string): void {
    this.endpoints.delete(endpointId);
  }

  addressHint(subnetId: string, ip: string): AddressHint | undefined {
    return this.addresses.get(`${subnetId}/${ip}`);
  }

  rememberAddress(port: Port, adopted: boolean): void {
    for (const f of port.fixed_ips)
      this.addresses.set(`${f.subnet_id}/${f.ip_address}`, { port, adopted });
    this.macs.set(`${port.network_id}/${port.mac_address.toLowerCase()}`, port.id);
  }

  forgetAddresses(port: Port): void {
    for (const f of port.fixed_ips) this.addresses.delete(`${f.subnet_id}/${f.ip_address}`);
    this.macs.delete(`${port.network_id}/${port.mac_address.toLowerCase()}`);
  }

  /** Port hint by MAC + one of its IPs (CreateEndpoint right after RequestAddress: no list call). */
  portByMacAndIp(mac: string, ips: string[]): Port | undefined {
    for (const hint of this.addresses.values()) {
      const p = hint.port;
      if (p.mac_address.toLowerCase() !== mac.toLowerCase()) continue;
      if (p.fixed_ips.some((f) => ips.includes(f.ip_address))) return p;
    }
    return undefined;
  }

  /**
   * Endpoints created by this process → id of their exposed-ports group, or false when they have none:
   * Program/Revoke/DeleteEndpoint skip the group lookup for endpoints known to have none (after a restart
   * the lookup is made).
   */
  private readonly exposure = new Map<string, string | false>();

  endpointCreatedHere(endpointId: string): void {
    if (!this.exposure.has(endpointId)) this.exposure.set(endpointId, false);
  }

  /** The group id, false when known to have none, undefined when the endpoint predates this process. */
  exposedGroup(endpointId: string): string | false | undefined {
    return this.exposure.get(endpointId);
  }

  setExposedGroup(endpointId: string, groupId: string | false): void {
    this.exposure.set(endpointId, groupId);
  }

  forgetExposure(endpointId: string): void {
    this.exposure.delete(endpointId);
  }

  /** Port hint by network + MAC (dual stack: the v6 address joins the v4 port). */
  portByMac(networkId: string, mac: string): AddressHint | undefined {
    const id = this.macs.get(`${networkId}/${mac.toLowerCase()}`);
    if (id === undefined) return undefined;
    for (const hint of this.addresses.values()) if (hint.port.id === id) return hint;
    return undefined;
  }
}

/** Exactly one element, else NotFoundError / ConflictError naming `what`. */
export function one<T>(items: T[], what: string): T {
  if (items.length === 0) throw new NotFoundError(`${what} not found`);
  if (items.length > 1) {
    throw new ConflictError(
      `${items.length} matches for ${what}; remove the duplicates in Neutron`,
    );
  }
  return items[0] as T;
}
