/**
 * @module NetworkDriver endpoint calls (PROTOCOLS.md A.3): CreateEndpoint tags the address port with the
 * EndpointID and plugs the host side; Join answers interface name, gateways and static routes; DeleteEndpoint
 * unplugs and untags. The port itself is deleted by ReleaseAddress (COMPATIBILITY.md §2).
 */
import type { Logger } from 'pino';
import { TimeoutError, ignoreNotFound, isNotFoundError } from '../../common/errors/index.js';
import {
  TAG_COMPUTE_KURYR,
  TAG_PORT_EXISTING,
  idTags,
  isKuryrIdentityTag,
} from '../../common/tags.js';
import { containerVethName } from '../../common/naming.js';
import { containsCidr, parseCidr } from '../cidr.js';
import type { HostBinder } from '../host-binder.js';
import type { LibnetworkNeutron, Port } from '../neutron-port.js';
import type { LibnetworkOptions } from '../options.js';
import type { CreateEndpointRequest } from '../schemas/network-driver.js';
import { TAG_PORT_POOL } from '../port-pool.js';
import { UNBOUND_PORT_NAME } from './ipam-service.js';
import type { ExternalConnectivityService } from './external-connectivity-service.js';
import { ensureMac, mergeAddressPorts } from './endpoint-port-fixups.js';
import type { NeutronLookup } from './neutron-lookup.js';

const holds = (p: Port, ip: string) => p.fixed_ips.some((f) => f.ip_address === ip);

/** Sleeps; injectable so unit tests need no wall clock. */
export type Sleep = (ms: number) => Promise<void>;

/** Endpoint service. */
export class EndpointService {
  constructor(
    private readonly neutron: LibnetworkNeutron,
    private readonly lookup: NeutronLookup,
    private readonly binder: HostBinder,
    private readonly options: LibnetworkOptions,
    private readonly log: Logger,
    private readonly external: ExternalConnectivityService,
    private readonly sleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** `NetworkDriver.CreateEndpoint`. @throws NotFoundError (network), ConflictError, UnsupportedError */
  async createEndpoint(req: CreateEndpointRequest): Promise<Record<string, unknown>> {
    const network = await this.lookup.network(req.NetworkID);
    const iface = req.Interface ?? {};
    const ips = [iface.Address, iface.AddressIPv6]
      .filter((a): a is string => !!a)
      .map((a) => a.split('/')[0] as string);
    const found = await this.addressPorts(network.id, ips, iface.MacAddress);
    let port =
      found.length > 0
        ? await mergeAddressPorts(this.neutron, this.lookup, found, ips)
        : await this.createPortFor(network.id, ips, iface.MacAddress);
    // --mac-address with RequiresMACAddress=false (port pool): only CreateEndpoint carries the MAC
    port = await ensureMac(this.neutron, this.lookup, port, iface.MacAddress, this.options.host);
    const tags = this.options.tagMode
      ? [
          ...port.tags.filter((t) => !isKuryrIdentityTag(t) && t !== TAG_PORT_POOL),
          ...(port.tags.includes(TAG_PORT_EXISTING) ? [] : [TAG_COMPUTE_KURYR]),
          ...idTags(req.EndpointID),
        ]
      : port.tags;
    const needsUpdate = !this.options.tagMode || !port.device_id;
    // The claim (the only request of a warm-pool attach) runs while the host side is plugged, unless --expose
    // has to update the port before the plug (no port update while the agent manages the device).
    const claim = Promise.all([
      this.options.tagMode ? this.neutron.replaceTags('ports', port.id, tags) : Promise.resolve(),
      // device_id carries the EndpointID only where the original put it (name mode); tag mode saves the call.
      needsUpdate && !this.options.tagMode
        ? this.neutron.update('ports', port.id, {
            name: `${req.EndpointID}-port`,
            device_id: req.EndpointID,
          })
        : Promise.resolve(),
    ]);
    const exposed = req.Options?.['com.docker.network.endpoint.exposedports'] ?? [];
    if (exposed.length > 0) await claim;
    port = { ...port, tags };
    this.lookup.endpointCreatedHere(req.EndpointID);
    port = await this.external.expose(req.EndpointID, port, exposed);
    this.lookup.rememberEndpoint(req.EndpointID, port);
    const plugged = port;
    try {
      const [c, p] = await Promise.allSettled([claim, this.binder.plug(plugged, network)]);
      if (c.status === 'rejected') throw c.reason;
      if (p.status === 'rejected') throw p.reason;
      if (this.options.vifPluggingIsFatal) port = await this.waitActive(port);
    } catch (error) {
      this.lookup.forgetEndpoint(req.EndpointID);
      await this.binder.unplug(plugged).catch(() => undefined);
      throw error;
    }
    return { Interface: iface.MacAddress ? {} : { MacAddress: port.mac_address } };
  }

  // The port(s) RequestAddress made: this process's hints, else by IP (after a restart). Several ports only
  // for a dual-stack endpoint whose RequestAddress calls carried no MAC (port pool): merged by the caller.
  private async addressPorts(networkId: string, ips: string[], mac?: string): Promise<Port[]> {
    if (ips.length === 0) return [];
    const byMac = mac ? this.lookup.portByMacAndIp(mac, ips) : undefined;
    if (byMac && byMac.network_id === networkId && ips.every((ip) => holds(byMac, ip))) {
      return [byMac];
    }
    const subnets = await this.lookup.subnets(networkId);
    const found = new Map<string, Port>();
    for (const ip of ips) {
      const subnet = subnets.find((s) => containsCidr(parseCidr(s.cidr), parseCidr(ip)));
      const hint = subnet ? this.lookup.addressHint(subnet.id, ip) : undefined;
      if (hint) found.set(hint.port.id, hint.port);
    }
    const rest = ips.filter((ip) => ![...found.values()].some((p) => holds(p, ip)));
    if (rest.length > 0) {
      const ports = await this.neutron.list('ports', {
        network_id: networkId,
        fixed_ips: rest.map((ip) => `ip_address=${ip}`),
      });
      for (const p of ports) found.set(p.id, p);
    }
    return [...found.values()];
  }

  // Docker's own IPAM (no RequestAddress to us): make the port here, bound in the same call.
  private async createPortFor(networkId: string, ips: string[], mac?: string): Promise<Port> {
    const subnets = await this.lookup.subnets(networkId);
    const fixed = ips.map((ip) => {
      const s = subnets.find((x) => containsCidr(parseCidr(x.cidr), parseCidr(ip)));
      return s ? { subnet_id: s.id, ip_address: ip } : { ip_address: ip };
    });
    const port = await this.neutron.create('ports', {
      network_id: networkId,
      name: UNBOUND_PORT_NAME,
      admin_state_up: true,
      ...(fixed.length ? { fixed_ips: fixed } : {}),
      device_owner: TAG_COMPUTE_KURYR,
      'binding:host_id': this.options.host,
      ...(mac ? { mac_address: mac } : {}),
    });
    this.lookup.rememberAddress(port, false);
    return port;
  }

  // `[neutron] vif_plugging_is_fatal`: wait for ACTIVE, bounded by vif_plugging_timeout (0 = no bound).
  private async waitActive(port: Port): Promise<Port> {
    const timeout = this.options.vifPluggingTimeout;
    const deadline = timeout > 0 ? Date.now() + timeout * 1000 : Number.POSITIVE_INFINITY;
    let current = port;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      current = await this.neutron.get('ports', port.id);
      if (current.status === 'ACTIVE') return current;
      if (Date.now() + delay > deadline) {
        throw new TimeoutError(
          `port ${port.id} not ACTIVE after ${timeout}s (status ${current.status}); check the L2 agent on ` +
            `host ${this.options.host} or raise [neutron] vif_plugging_timeout`,
        );
      }
      await this.sleep(delay);
    }
  }

  /** `NetworkDriver.Join`: interface name, gateways, static routes from the subnets' host routes. */
  async join(networkId: string, endpointId: string): Promise<Record<string, unknown>> {
    const network = await this.lookup.network(networkId);
    const port = await this.lookup.endpointPort(endpointId);
    const ids = [...new Set(port.fixed_ips.map((f) => f.subnet_id))];
    const mine =
      this.lookup.knownSubnets(ids) ??
      (await this.lookup.subnets(network.id)).filter((s) => ids.includes(s.id));
    const v4 = mine.find((s) => s.ip_version === 4);
    const v6 = mine.find((s) => s.ip_version === 6);
    const routes = mine.flatMap((s) =>
      s.host_routes.map((r) =>
        r.nexthop === '0.0.0.0' || r.nexthop === '::'
          ? { Destination: r.destination, RouteType: 1 }
          : { Destination: r.destination, RouteType: 0, NextHop: r.nexthop },
      ),
    );
    const reply: Record<string, unknown> = {
      InterfaceName: { SrcName: containerVethName(port.id), DstPrefix: this.options.vethDstPrefix },
      StaticRoutes: routes,
    };
    if (v4?.gateway_ip) reply.Gateway = v4.gateway_ip;
    if (v6?.gateway_ip) reply.GatewayIPv6 = v6.gateway_ip;
    // PROTOCOLS.md A.7 #5: without a gateway dockerd would add a docker_gwbridge interface.
    if (!reply.Gateway && !reply.GatewayIPv6) reply.DisableGatewayService = true;
    return reply;
  }

  /** `NetworkDriver.DeleteEndpoint`: unplug, untag adopted ports. Missing port ⇒ success. */
  async deleteEndpoint(endpointId: string): Promise<void> {
    let port: Port;
    try {
      port = await this.lookup.endpointPort(endpointId);
    } catch (error) {
      if (isNotFoundError(error)) return;
      throw error;
    }
    this.lookup.forgetEndpoint(endpointId);
    // ReleaseAddress follows: let it find the port without a list call
    this.lookup.rememberAddress(port, port.tags.includes(TAG_PORT_EXISTING));
    await this.binder.unplug(port);
    await this.external.removeAfterUnplug(endpointId, port);
    this.lookup.forgetExposure(endpointId);
    // A port kuryr created goes at ReleaseAddress; only an adopted one must lose the EndpointID tags now.
    if (port.tags.includes(TAG_PORT_EXISTING) && this.options.tagMode) {
      await ignoreNotFound(() =>
        this.neutron.replaceTags(
          'ports',
          port.id,
          port.tags.filter((t) => !isKuryrIdentityTag(t)),
        ),
      );
    }
    // Docker's own IPAM (subnets without a kuryr pool): no ReleaseAddress reaches us, so the port goes now.
    if (!port.tags.includes(TAG_PORT_EXISTING) && (await this.dockerManagedAddresses(port))) {
      this.lookup.forgetAddresses(port);
      await ignoreNotFound(() => this.neutron.delete('ports', port.id));
    }
    this.log.debug({ endpointId, portId: port.id }, 'endpoint deleted');
  }

  private async dockerManagedAddresses(port: Port): Promise<boolean> {
    const ids = [...new Set(port.fixed_ips.map((f) => f.subnet_id))];
    if (ids.length === 0) return false;
    const subnets =
      this.lookup.knownSubnets(ids) ??
      (await this.lookup.subnets(port.network_id)).filter((s) => ids.includes(s.id));
    return subnets.length > 0 && subnets.every((s) => !s.subnetpool_id);
  }
}
