/**
 * @module Container-side steps shared by every driver: bring the interface to the requested MAC/MTU,
 * configure L3 inside the netns (IPv6 switched on first), read it back for CHECK.
 */
import { ValidationError } from '../../common/errors/index.js';
import type { Netlink } from '../netlink/types.js';
import type { BindTarget, CheckReport } from '../types.js';

/** Default MTU when the Neutron network carries none. */
export const DEFAULT_MTU = 1500;

/** MTU of a target, validated. @throws ValidationError */
export function targetMtu(t: BindTarget): number {
  const mtu = t.mtu ?? DEFAULT_MTU;
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535)
    throw new ValidationError(`bad MTU ${mtu}`);
  return mtu;
}

const isV6 = (cidr: string): boolean => cidr.includes(':');

/**
 * With `t.netns`: IPv6 on when a v6 address/route is requested, link up (unless `createdUp`), then
 * addresses and routes (idempotent). Loopback is left to the runtime (CNI `loopback`, Docker, podman).
 * Without a netns (Docker) nothing happens: libnetwork moves and configures the interface.
 */
export async function configureContainerSide(
  nl: Netlink,
  t: BindTarget,
  createdUp = false,
): Promise<void> {
  if (t.netns === undefined) return;
  const ip = t.ip ?? { addresses: [], routes: [] };
  const wantsV6 = ip.addresses.some((a) => isV6(a.cidr)) || ip.routes.some((r) => isV6(r.dst));
  if (wantsV6) await nl.enableIpv6(t.netns);
  // NOTE: up before routes: the kernel only installs connected routes (needed for gateways) on up links.
  if (!createdUp) await nl.setLink(t.ifName, { up: true }, t.netns);
  await nl.configureIp(
    t.ifName,
    ip.addresses.map((a) => a.cidr),
    ip.routes.map((r) => ({ dst: r.dst, ...(r.gw ? { gw: r.gw } : {}) })),
    t.netns,
  );
}

/** Compares the container interface against the target (exists, MAC, MTU, addresses, routes). */
export async function checkContainerSide(nl: Netlink, t: BindTarget): Promise<CheckReport> {
  const problems: string[] = [];
  const link = await nl.getLink(t.ifName, t.netns);
  if (link === undefined) return { ok: false, problems: [`${t.ifName} missing`] };
  if (link.mac !== t.port.mac_address.toLowerCase()) {
    problems.push(`${t.ifName} MAC ${link.mac} != ${t.port.mac_address}`);
  }
  if (link.mtu !== targetMtu(t)) problems.push(`${t.ifName} MTU ${link.mtu} != ${targetMtu(t)}`);
  if (t.netns !== undefined && t.ip !== undefined) {
    const have = await nl.listAddresses(t.ifName, t.netns);
    for (const a of t.ip.addresses)
      if (!have.includes(a.cidr)) problems.push(`address ${a.cidr} missing`);
    const routes = await nl.listRoutes(t.netns);
    for (const r of t.ip.routes) {
      const dst = r.dst === 'default' ? '0.0.0.0/0' : r.dst;
      if (!routes.some((x) => x.dst === dst && (r.gw === undefined || x.gw === r.gw))) {
        problems.push(`route ${r.dst} via ${r.gw ?? t.ifName} missing`);
      }
    }
    if (!link.up) problems.push(`${t.ifName} is down`);
  }
  return { ok: problems.length === 0, problems };
}
