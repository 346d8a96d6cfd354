/**
 * @module rtnetlink message helpers for native.ts: request flags and constants, error translation,
 * address/route requests on an open socket, and the LinkInfo view of a link message.
 */
import type { RtNetlinkSocket } from 'netlink';
import { ConflictError, NotFoundError, UnsupportedError } from '../../common/errors/index.js';
import { bufferToMac, ipToBuffer, macToBuffer, parseCidr, parseLinkKind } from './codec.js';
import type { LinkInfo, LinkSpec, RouteSpec } from './types.js';

export const F_CREATE_EXCL = 0x400 | 0x200;
export const F_CREATE_REPLACE = 0x400 | 0x100;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const RT_TABLE_MAIN = 254;
export const TIMEOUT_MS = 5000;

/** Maps the package's `Request rejected: EXXX` errors to the kuryr error categories. */
export function translate(err: unknown, what: string): never {
  const msg = err instanceof Error ? err.message : String(err);
  const code = /Request rejected: (\w+)/.exec(msg)?.[1];
  if (code === 'EEXIST') throw new ConflictError(`${what}: already exists`, { cause: err });
  if (code === 'EBUSY')
    throw new ConflictError(`${what}: device busy (enslaved or in use)`, { cause: err });
  if (code === 'ENODEV' || code === 'ENOENT' || code === 'ESRCH') {
    throw new NotFoundError(`${what}: not found`, { cause: err });
  }
  if (code === 'EOPNOTSUPP' || code === 'ENOTSUP' || code === 'EAFNOSUPPORT') {
    throw new UnsupportedError(`${what}: not supported by this kernel (${code})`, { cause: err });
  }
  throw err instanceof Error ? err : new Error(msg);
}

/** @internal */
export async function newAddress(s: RtNetlinkSocket, index: number, cidr: string): Promise<void> {
  const c = parseCidr(cidr);
  await s
    .newAddress(
      {
        family: c.family === 4 ? AF_INET : AF_INET6,
        prefixlen: c.prefixLen,
        index,
        // NOTE: Neutron guarantees the address is unique; skipping DAD makes v6 usable at once.
        ...(c.family === 6 ? { flags: { nodad: true } } : {}),
      },
      { local: c.ip, address: c.ip },
      { flags: F_CREATE_EXCL, timeout: TIMEOUT_MS },
    )
    .catch((e) => {
      if (!/EEXIST/.test(String(e))) translate(e, `add address ${cidr}`);
    });
}

/** @internal */
export async function newRoute(
  s: RtNetlinkSocket,
  oif: number,
  route: Omit<RouteSpec, 'dev'>,
): Promise<void> {
  const dst = parseCidr(route.dst);
  const gw = route.gw === undefined ? undefined : ipToBuffer(route.gw);
  await s
    .newRoute(
      {
        family: dst.family === 4 ? AF_INET : AF_INET6,
        dstLen: dst.prefixLen,
        table: RT_TABLE_MAIN,
        protocol: 'BOOT',
        scope: gw === undefined ? 'LINK' : 'UNIVERSE',
        type: 'UNICAST',
      },
      { ...(dst.prefixLen > 0 ? { dst: dst.ip } : {}), ...(gw ? { gateway: gw.bytes } : {}), oif },
      { flags: F_CREATE_EXCL, timeout: TIMEOUT_MS },
    )
    .catch((e) => {
      if (!/EEXIST/.test(String(e))) translate(e, `add route ${route.dst} via ${route.gw ?? oif}`);
    });
}

/** @internal */
export function upFlags(spec: LinkSpec): { flags?: { up: true }; change?: { up: true } } {
  return spec.up === true ? { flags: { up: true }, change: { up: true } } : {};
}

/** @internal */
export function linkAttrs(spec: LinkSpec): { ifname: string; mtu?: number; address?: Buffer } {
  return {
    ifname: spec.name,
    ...(spec.mtu === undefined ? {} : { mtu: spec.mtu }),
    ...(spec.mac === undefined ? {} : { address: macToBuffer(spec.mac) }),
  };
}

/** @internal */
export function toLinkInfo(m: {
  data: { index?: number; flags?: { up?: true } };
  attrs: { ifname?: string; address?: Buffer; mtu?: number; linkinfo?: Buffer; master?: number };
}): LinkInfo {
  const kind = parseLinkKind(m.attrs.linkinfo);
  return {
    index: m.data.index ?? 0,
    name: m.attrs.ifname ?? '',
    mac: bufferToMac(m.attrs.address),
    mtu: m.attrs.mtu ?? 0,
    up: m.data.flags?.up === true,
    ...(kind === undefined ? {} : { kind }),
    ...(m.attrs.master ? { masterIndex: m.attrs.master } : {}),
  };
}
