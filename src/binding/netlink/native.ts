/**
 * @module `Netlink` over rtnetlink in process: the `netlink` package's socket and codec, with a socket
 * opened inside the target netns (netns.ts) for every call that addresses another namespace. ~20× faster
 * than one `ip` process per step (DEPENDENCIES.md §1). Why a socket per netns: README.md here.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  writeSync,
  constants as fsConstants,
} from 'node:fs';
import { createRtNetlink, type RtNetlinkSocket } from 'netlink';
import { inNetns, openNetns } from '../netns.js';
import { NotFoundError, UnsupportedError } from '../../common/errors/index.js';
import {
  AF_INET,
  AF_INET6,
  F_CREATE_EXCL,
  F_CREATE_REPLACE,
  RT_TABLE_MAIN,
  TIMEOUT_MS,
  linkAttrs,
  newAddress,
  newRoute,
  toLinkInfo,
  translate,
  upFlags,
} from './rt-messages.js';
import { assertIfName } from '../../common/naming.js';
import {
  bridgeLinkInfo,
  bufferToIp,
  ipToBuffer,
  macToBuffer,
  macvlanLinkInfo,
  vethLinkInfo,
  vlanLinkInfo,
} from './codec.js';
import type {
  LinkChange,
  LinkInfo,
  LinkSpec,
  MacvlanSpec,
  Netlink,
  NetnsPath,
  NeighbourSpec,
  RouteInfo,
  RouteSpec,
  VethSpec,
  VlanSpec,
} from './types.js';

/** In-process rtnetlink implementation of `Netlink`. One instance per process; call `close()` at exit. */
export class NativeNetlink implements Netlink {
  readonly name = 'native';
  private own: RtNetlinkSocket | undefined;

  /** Runs `fn` with a socket in `netns`; foreign-netns sockets are closed after use so that the
   * socket never keeps a deleted namespace alive. */
  private async withSocket<T>(
    netns: NetnsPath,
    fn: (s: RtNetlinkSocket) => Promise<T>,
  ): Promise<T> {
    if (netns === undefined) {
      this.own ??= createRtNetlink();
      return fn(this.own);
    }
    const socket = inNetns(netns, () => createRtNetlink());
    try {
      return await fn(socket);
    } finally {
      socket.socket.close();
    }
  }

  /** Runs `fn` with an fd of `netns` (for IFLA_NET_NS_FD), closed afterwards. */
  private async withNetnsFd<T>(netns: NetnsPath, fn: (fd?: number) => Promise<T>): Promise<T> {
    if (netns === undefined) return fn(undefined);
    const fd = openNetns(netns);
    try {
      return await fn(fd);
    } finally {
      closeSync(fd);
    }
  }

  private async index(s: RtNetlinkSocket, name: string, netns: NetnsPath): Promise<number> {
    const link = await this.readLink(s, name);
    if (link === undefined)
      throw new NotFoundError(`link ${name} not found in ${netns ?? 'current netns'}`);
    return link.index;
  }

  private async readLink(s: RtNetlinkSocket, name: string): Promise<LinkInfo | undefined> {
    try {
      const [msg] = await s.getLink({}, { ifname: name }, { timeout: TIMEOUT_MS });
      return msg === undefined ? undefined : toLinkInfo(msg);
    } catch (err) {
      if (/ENODEV/.test(String(err))) return undefined;
      throw err;
    }
  }

  async createVeth(spec: VethSpec): Promise<void> {
    assertIfName(spec.name);
    assertIfName(spec.peer.name);
    const peerNs = spec.peer.netns === spec.netns ? undefined : spec.peer.netns;
    await this.withNetnsFd(peerNs, (fd) =>
      this.withSocket(spec.netns, async (s) => {
        const linkinfo = vethLinkInfo({
          ...spec.peer,
          ...(fd === undefined ? {} : { netnsFd: fd }),
        });
        await s
          .newLink(
            upFlags(spec),
            { ...linkAttrs(spec), linkinfo },
            { flags: F_CREATE_EXCL, timeout: TIMEOUT_MS },
          )
          .catch((e) => translate(e, `create veth ${spec.name}/${spec.peer.name}`));
      }),
    );
  }

  createMacvlan(spec: MacvlanSpec): Promise<void> {
    return this.createChild(spec, macvlanLinkInfo(), 'macvlan');
  }

  createVlan(spec: VlanSpec): Promise<void> {
    // NOTE: without the 8021q module the kernel answers EOPNOTSUPP ("Unknown device type").
    return this.createChild(spec, vlanLinkInfo(spec.vlanId), `vlan ${spec.vlanId}`).catch(
      (err: unknown) => {
        if (err instanceof UnsupportedError) {
          throw new UnsupportedError(
            `${err.message}: load the 8021q kernel module for nested VLAN`,
            {
              cause: err,
            },
          );
        }
        throw err;
      },
    );
  }

  /** A child of `parent` created in the parent's netns and placed straight into `spec.netns`. */
  private async createChild(spec: MacvlanSpec, linkinfo: Buffer, what: string): Promise<void> {
    assertIfName(spec.name);
    const target = spec.netns === spec.parentNetns ? undefined : spec.netns;
    await this.withNetnsFd(target, (fd) =>
      this.withSocket(spec.parentNetns, async (s) => {
        const parent = await this.index(s, spec.parent, spec.parentNetns);
        const link = Buffer.alloc(4);
        link.writeUInt32LE(parent, 0);
        await s
          .newLink(
            upFlags(spec),
            { ...linkAttrs(spec), link, linkinfo, ...(fd === undefined ? {} : { netNsFd: fd }) },
            { flags: F_CREATE_EXCL, timeout: TIMEOUT_MS },
          )
          .catch((e) => translate(e, `create ${what} ${spec.name} on ${spec.parent}`));
      }),
    );
  }

  async createBridge(spec: LinkSpec): Promise<void> {
    assertIfName(spec.name);
    await this.withSocket(spec.netns, (s) =>
      s
        .newLink(
          upFlags(spec),
          { ...linkAttrs(spec), linkinfo: bridgeLinkInfo() },
          { flags: F_CREATE_EXCL },
        )
        .catch((e) => translate(e, `create bridge ${spec.name}`)),
    );
  }

  getLink(name: string, netns?: NetnsPath): Promise<LinkInfo | undefined> {
    return this.withSocket(netns, (s) => this.readLink(s, name));
  }

  listLinks(netns?: NetnsPath): Promise<LinkInfo[]> {
    return this.withSocket(netns, async (s) => (await s.getLinks()).map(toLinkInfo));
  }

  async setLink(name: string, change: LinkChange, netns?: NetnsPath): Promise<void> {
    await this.withSocket(netns, async (s) => {
      const early = change.up === false || change.name !== undefined || change.mac !== undefined;
      // Without rename/MAC change the link is addressed by name (ifindex 0 + IFLA_IFNAME) and every
      // change goes in ONE request: the kernel applies MTU, master, netns, then flags, in that order.
      const index = early ? await this.index(s, name, netns) : 0;
      const set = (attrs: object, flags?: object): Promise<unknown> =>
        s
          .setLink({ index, ...(flags ?? {}) }, index === 0 ? { ifname: name, ...attrs } : attrs, {
            timeout: TIMEOUT_MS,
          })
          .catch((e) => translate(e, `set link ${name}`));
      if (early) await set({}, { flags: {}, change: { up: true } });
      if (change.name !== undefined) {
        assertIfName(change.name);
        await set({ ifname: change.name });
      }
      if (change.mac !== undefined) await set({ address: macToBuffer(change.mac) });
      const late: Record<string, unknown> = {};
      if (change.mtu !== undefined) late['mtu'] = change.mtu;
      if (change.master !== undefined) {
        late['master'] = change.master === null ? 0 : await this.index(s, change.master, netns);
      }
      const fd = change.moveTo === undefined ? undefined : openNetns(change.moveTo);
      try {
        if (fd !== undefined) late['netNsFd'] = fd;
        const up = change.up === true && fd === undefined;
        if (Object.keys(late).length > 0 || up) {
          await set(late, up ? { flags: { up: true }, change: { up: true } } : undefined);
        }
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    });
  }

  async deleteLink(name: string, netns?: NetnsPath): Promise<boolean> {
    try {
      return await this.withSocket(netns, async (s) => {
        const link = await this.readLink(s, name);
        if (link === undefined) return false;
        await s.delLink({ index: link.index }, {}, { timeout: TIMEOUT_MS }).catch((e) => {
          if (!/ENODEV/.test(String(e))) translate(e, `delete link ${name}`);
        });
        return true;
      });
    } catch (err) {
      if (err instanceof NotFoundError) return false; // the netns itself is gone
      throw err;
    }
  }

  async addAddress(dev: string, cidr: string, netns?: NetnsPath): Promise<void> {
    await this.configureIp(dev, [cidr], [], netns);
  }

  async configureIp(
    dev: string,
    cidrs: string[],
    routes: Omit<RouteSpec, 'dev'>[],
    netns?: NetnsPath,
  ): Promise<void> {
    await this.withSocket(netns, async (s) => {
      const index = await this.index(s, dev, netns);
      // Pipelined: every request has its own sequence number; routes wait for the addresses because a
      // gateway must be reachable through a connected route first.
      await Promise.all(cidrs.map((c) => newAddress(s, index, c)));
      await Promise.all(routes.map((r) => newRoute(s, index, r)));
    });
  }

  listAddresses(dev: string, netns?: NetnsPath): Promise<string[]> {
    return this.withSocket(netns, async (s) => {
      const index = await this.index(s, dev, netns);
      return (await s.getAddresses())
        .filter((a) => a.data.index === index && a.attrs.address !== undefined)
        .map((a) => `${bufferToIp(a.attrs.address as Buffer)}/${a.data.prefixlen ?? 0}`);
    });
  }

  async addRoute(route: RouteSpec, netns?: NetnsPath): Promise<void> {
    await this.withSocket(netns, async (s) =>
      newRoute(s, await this.index(s, route.dev, netns), route),
    );
  }

  listRoutes(netns?: NetnsPath): Promise<RouteInfo[]> {
    return this.withSocket(netns, async (s) => {
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
    await this.withSocket(netns, async (s) => {
      const ifindex = await this.index(s, n.dev, netns);
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

  close(): void {
    this.own?.socket.close();
    this.own = undefined;
  }
}
