/**
 * @module Derives the container's L3 from a Neutron port and its subnets: the addresses and routes the
 * binding driver configures in the netns, and the CNI result reporting them. Default routes go on the
 * interface named `eth0` only (a second default route would clash, PROTOCOLS.md B.2 "Several networks").
 */
import type { CniResult, CniRoute } from '../../models/cni-result.js';
import type { InterfaceIp, InterfaceRoute } from '../../binding/types.js';
import type { Port, Subnet } from '../../openstack/neutron/types.js';

/** Interface that receives default routes. */
export const DEFAULT_ROUTE_IFNAME = 'eth0';

/** Inputs of {@link containerL3}. */
export interface L3Input {
  port: Pick<Port, 'fixed_ips' | 'mac_address'>;
  subnets: readonly Subnet[];
  ifName: string;
}

/** Addresses (`ip/len` from the subnet) and routes (host routes, default via gateway on eth0). */
export function containerL3({ port, subnets, ifName }: L3Input): InterfaceIp {
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const addresses: InterfaceIp['addresses'] = [];
  const routes: InterfaceRoute[] = [];
  const families = new Set<number>();
  for (const fip of port.fixed_ips) {
    const subnet = byId.get(fip.subnet_id);
    if (!subnet) continue;
    addresses.push({ cidr: `${fip.ip_address}/${subnet.cidr.split('/')[1]}` });
    for (const hr of subnet.host_routes ?? []) routes.push({ dst: hr.destination, gw: hr.nexthop });
    if (ifName === DEFAULT_ROUTE_IFNAME && subnet.gateway_ip && !families.has(subnet.ip_version)) {
      families.add(subnet.ip_version);
      routes.push({ dst: subnet.ip_version === 6 ? '::/0' : '0.0.0.0/0', gw: subnet.gateway_ip });
    }
  }
  return { addresses, routes };
}

/** Inputs of {@link cniResultFor}. */
export interface ResultInput extends L3Input {
  netns: string;
  mtu?: number;
  hostIfName?: string;
}

/** The version-neutral CNI result of a bound port (host tap first when there is one, as Kuryr did). */
export function cniResultFor(input: ResultInput): CniResult {
  const { port, subnets, ifName, netns, mtu, hostIfName } = input;
  const interfaces: CniResult['interfaces'] = [];
  if (hostIfName) interfaces.push({ name: hostIfName, mac: port.mac_address });
  const idx = interfaces.length;
  interfaces.push({ name: ifName, mac: port.mac_address, sandbox: netns, ...(mtu ? { mtu } : {}) });
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const ips: CniResult['ips'] = [];
  for (const fip of port.fixed_ips) {
    const s = byId.get(fip.subnet_id);
    if (!s) continue;
    ips.push({
      address: `${fip.ip_address}/${s.cidr.split('/')[1]}`,
      ...(s.gateway_ip ? { gateway: s.gateway_ip } : {}),
      interface: idx,
    });
  }
  const routes: CniRoute[] = containerL3(input).routes.map((r) =>
    r.gw ? { dst: r.dst, gw: r.gw } : { dst: r.dst },
  );
  const nameservers = [...new Set(subnets.flatMap((s) => s.dns_nameservers ?? []))];
  return { interfaces, ips, routes, dns: nameservers.length > 0 ? { nameservers } : {} };
}

/** CHECK: how a `prevResult` disagrees with the port (addresses of our interface, MAC). */
export function prevResultProblems(
  prev: CniResult | undefined,
  port: Pick<Port, 'fixed_ips' | 'mac_address'>,
  subnets: readonly Subnet[],
  ifName: string,
): string[] {
  if (!prev) return [];
  const problems: string[] = [];
  const have = new Set(containerL3({ port, subnets, ifName }).addresses.map((a) => a.cidr));
  const idx = prev.interfaces.findIndex((i) => i.name === ifName && i.sandbox !== undefined);
  for (const ip of prev.ips) {
    if (ip.interface === idx && !have.has(ip.address)) {
      problems.push(`address ${ip.address} is not on the port`);
    }
  }
  const mine = prev.interfaces[idx];
  if (mine?.mac && mine.mac.toLowerCase() !== port.mac_address.toLowerCase()) {
    problems.push(`MAC ${mine.mac} differs from the port's ${port.mac_address}`);
  }
  return problems;
}
