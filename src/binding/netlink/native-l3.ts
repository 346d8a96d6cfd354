/**
 * @module Layer-3 operations of `NativeNetlink` over rtnetlink: addresses, routes, neighbours and the
 * IPv6 sysctls of a netns. The links themselves are in native.ts.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  writeSync,
  constants as fsConstants,
} from 'node:fs';
import { inNetns } from '../netns.js';
import {
  AF_INET,
  AF_INET6,
  F_CREATE_REPLACE,
  RT_TABLE_MAIN,
  TIMEOUT_MS,
  newAddress,
  newRoute,
  translate,
} from './rt-messages.js';
import { bufferToIp, ipToBuffer, macToBuffer } from './codec.js';
import type { NetnsSockets } from './netns-sockets.js';
import type { NeighbourSpec, NetnsPath, RouteInfo, RouteSpec } from './types.js';

/** The address, route and neighbour half of the in-process `Netlink`; `NativeNetlink` delegates here. */
export class NativeL3 {
  constructor(private readonly sockets: NetnsSockets) {}

  async addAddress(dev: string, cidr: string, netns?: NetnsPath): Promise<void> {
    await this.configureIp(dev, [cidr], [], netns);
  }

  async configureIp(
    dev: string,
    cidrs: string[],
    routes: Omit<RouteSpec, 'dev'>[],
    netns?: NetnsPath,
  ): Promise<void> {
    await this.sockets.withSocket(netns, async (s) => {
      const index = await this.sockets.index(s, dev, netns);
      // Pipelined: every request has its own sequence number; routes wait for the addresses because a
      // gateway must be reachable through a connected route first.
      await Promise.all(cidrs.map((c) => newAddress(s, index, c)));
      await Promise.all(routes.map((r) => newRoute(s, index, r)));
    });
  }

  listAddresses(dev: string, netns?: NetnsPath): Promise<string[]> {
    return this.sockets.withSocket(netns, async (s) => {
      const index = await this.sockets.index(s, dev, netns);
      return (await s.getAddresses())
        .filter((a) => a.data.index === index && a.attrs.address !== undefined)
        .map((a) => `${bufferToIp(a.attrs.address as Buffer)}/${a.data.prefixlen ?? 0}`);
    });
  }

  async addRoute(route: RouteSpec, netns?: NetnsPath): Promise<void> {
    await this.sockets.withSocket(netns, async (s) =>
      newRoute(s, await this.sockets.index(s, route.dev, netns), route),
    );
  }

  listRoutes(netns?: NetnsPath): Promise<RouteInfo[]> {
    return this.sockets.withSocket(netns, async (s) => {
      const names = new Map((await s.getLinks()).map((l) => [l.data.index, l.attrs.ifname]));
      return (await s.getRoutes())
        .filter((r) => r.attrs.table === RT_TABLE_MAIN && r.data.type === 'UNICAST')
        .map((r) => {
          const family = r.data.family === AF_INET6 ? 6 : 4;
          const dst =
            r.attrs.dst === undefined
              ? family === 4
                ? '0.0.0.0/0'
                : '::/0'
              : `${bufferToIp(r.attrs.dst)}/${r.data.dstLen ?? 0}`;
          const gw = r.attrs.gateway === undefined ? undefined : bufferToIp(r.attrs.gateway);
          const dev = r.attrs.oif === undefined ? undefined : names.get(r.attrs.oif);
          return { dst, family, ...(gw ? { gw } : {}), ...(dev ? { dev } : {}) };
        });
    });
  }

  async addNeighbour(n: NeighbourSpec, netns?: NetnsPath): Promise<void> {
    const ip = ipToBuffer(n.ip);
    await this.sockets.withSocket(netns, async (s) => {
      const ifindex = await this.sockets.index(s, n.dev, netns);
      await s
        .newNeighbor(
          { family: ip.family === 4 ? AF_INET : AF_INET6, ifindex, state: { permanent: true } },
          { dst: ip.bytes, lladdr: macToBuffer(n.mac) },
          { flags: F_CREATE_REPLACE, timeout: TIMEOUT_MS },
        )
        .catch((e) => translate(e, `add neighbour ${n.ip} on ${n.dev}`));
    });
  }

  enableIpv6(netns?: NetnsPath): Promise<void> {
    // NOTE: /proc/sys/net resolves to the netns of the opener, so the files are opened inside it.
    // Written only when set: a write takes the global RTNL lock (spinning via restart_syscall while
    // other processes hold it), and most namespaces already have IPv6 on.
    const paths = ['all', 'default', 'lo'].map((d) => `/proc/sys/net/ipv6/conf/${d}/disable_ipv6`);
    const open = (): number[] =>
      paths.filter(existsSync).map((p) => openSync(p, fsConstants.O_RDWR));
    const fds = netns === undefined ? open() : inNetns(netns, open);
    try {
      const buf = Buffer.alloc(4);
      for (const fd of fds) {
        const n = readSync(fd, buf, 0, 4, 0);
        if (buf.toString('utf8', 0, n).trim() !== '0') writeSync(fd, '0');
      }
    } finally {
      fds.forEach((fd) => closeSync(fd));
    }
    return Promise.resolve();
  }
}
