/**
 * @module `Netlink` over rtnetlink in process: the `netlink` package's socket and codec, with a socket
 * opened inside the target netns (netns.ts) for every call that addresses another namespace. ~20× faster
 * than one `ip` process per step (DEPENDENCIES.md §1). Why a socket per netns: README.md here. Links are
 * handled here; sockets in netns-sockets.ts, addresses/routes/neighbours in native-l3.ts.
 */
import { closeSync } from 'node:fs';
import { NotFoundError, UnsupportedError } from '../../common/errors/index.js';
import { assertIfName } from '../../common/naming.js';
import { openNetns } from '../netns.js';
import {
  bridgeLinkInfo,
  macToBuffer,
  macvlanLinkInfo,
  vethLinkInfo,
  vlanLinkInfo,
} from './codec.js';
import { NativeL3 } from './native-l3.js';
import { NetnsSockets } from './netns-sockets.js';
import {
  F_CREATE_EXCL,
  TIMEOUT_MS,
  linkAttrs,
  toLinkInfo,
  translate,
  upFlags,
} from './rt-messages.js';
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
  private readonly sockets = new NetnsSockets();
  private readonly l3 = new NativeL3(this.sockets);

  async createVeth(spec: VethSpec): Promise<void> {
    assertIfName(spec.name);
    assertIfName(spec.peer.name);
    const peerNs = spec.peer.netns === spec.netns ? undefined : spec.peer.netns;
    await this.sockets.withNetnsFd(peerNs, (fd) =>
      this.sockets.withSocket(spec.netns, async (s) => {
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
    await this.sockets.withNetnsFd(target, (fd) =>
      this.sockets.withSocket(spec.parentNetns, async (s) => {
        const parent = await this.sockets.index(s, spec.parent, spec.parentNetns);
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
    await this.sockets.withSocket(spec.netns, (s) =>
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
    return this.sockets.withSocket(netns, (s) => this.sockets.readLink(s, name));
  }

  listLinks(netns?: NetnsPath): Promise<LinkInfo[]> {
    return this.sockets.withSocket(netns, async (s) => (await s.getLinks()).map(toLinkInfo));
  }

  async setLink(name: string, change: LinkChange, netns?: NetnsPath): Promise<void> {
    await this.sockets.withSocket(netns, async (s) => {
      const early = change.up === false || change.name !== undefined || change.mac !== undefined;
      // Without rename/MAC change the link is addressed by name (ifindex 0 + IFLA_IFNAME) and every
      // change goes in ONE request: the kernel applies MTU, master, netns, then flags, in that order.
      const index = early ? await this.sockets.index(s, name, netns) : 0;
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
        late['master'] =
          change.master === null ? 0 : await this.sockets.index(s, change.master, netns);
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
      return await this.sockets.withSocket(netns, async (s) => {
        const link = await this.sockets.readLink(s, name);
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

  addAddress(dev: string, cidr: string, netns?: NetnsPath): Promise<void> {
    return this.l3.addAddress(dev, cidr, netns);
  }

  configureIp(
    dev: string,
    cidrs: string[],
    routes: Omit<RouteSpec, 'dev'>[],
    netns?: NetnsPath,
  ): Promise<void> {
    return this.l3.configureIp(dev, cidrs, routes, netns);
  }

  listAddresses(dev: string, netns?: NetnsPath): Promise<string[]> {
    return this.l3.listAddresses(dev, netns);
  }

  addRoute(route: RouteSpec, netns?: NetnsPath): Promise<void> {
    return this.l3.addRoute(route, netns);
  }

  listRoutes(netns?: NetnsPath): Promise<RouteInfo[]> {
    return this.l3.listRoutes(netns);
  }

  addNeighbour(n: NeighbourSpec, netns?: NetnsPath): Promise<void> {
    return this.l3.addNeighbour(n, netns);
  }

  enableIpv6(netns?: NetnsPath): Promise<void> {
    return this.l3.enableIpv6(netns);
  }

  close(): void {
    this.sockets.close();
  }
}
