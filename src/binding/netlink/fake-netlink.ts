/**
 * @module In-memory `Netlink` for unit tests of the drivers: links (with veth peers and masters),
 * addresses and routes per netns, plus fault injection (`failOn`) to exercise rollback.
 */
import { ConflictError, NotFoundError } from '../../common/errors/index.js';
import type {
  LinkChange,
  LinkInfo,
  LinkSpec,
  MacvlanSpec,
  Netlink,
  NetnsPath,
  RouteInfo,
  RouteSpec,
  VethSpec,
  VlanSpec,
} from './types.js';

interface FakeLink extends LinkInfo {
  ns: string;
  master?: string;
  peer?: { ns: string; name: string };
  addrs: string[];
}

const CURRENT = '';

/** Fake netlink. Netns paths must be registered with `addNetns` first (else NotFoundError). */
export class FakeNetlink implements Netlink {
  readonly name = 'fake';
  private readonly links = new Map<string, Map<string, FakeLink>>([[CURRENT, new Map()]]);
  private readonly routes = new Map<string, RouteInfo[]>([[CURRENT, []]]);
  private nextIndex = 2;
  /** Calls made, as `op:name` (for assertions). */
  readonly calls: string[] = [];
  /** Throw on the next call whose `op:name` matches (then clear). */
  failOn: RegExp | undefined;

  addNetns(path: string): void {
    this.links.set(path, new Map([['lo', this.mk('lo', path, {})]]));
    this.routes.set(path, []);
  }

  /** Every link in every netns as `ns|name`, for "nothing left behind" assertions. */
  snapshot(): string[] {
    return [...this.links].flatMap(([ns, m]) => [...m.keys()].map((n) => `${ns}|${n}`)).sort();
  }

  private ns(path: NetnsPath): Map<string, FakeLink> {
    const m = this.links.get(path ?? CURRENT);
    if (m === undefined) throw new NotFoundError(`network namespace ${path} does not exist`);
    return m;
  }

  private record(op: string, name: string): void {
    const key = `${op}:${name}`;
    this.calls.push(key);
    if (this.failOn?.test(key)) {
      this.failOn = undefined;
      throw new Error(`injected failure at ${key}`);
    }
  }

  private mk(name: string, ns: string, s: Partial<LinkSpec>, kind?: string): FakeLink {
    return {
      index: this.nextIndex++,
      name,
      ns,
      mac: s.mac ?? `02:00:00:00:00:${(this.nextIndex % 256).toString(16).padStart(2, '0')}`,
      mtu: s.mtu ?? 1500,
      up: name === 'lo' || s.up === true,
      ...(kind ? { kind } : {}),
      addrs: [],
    };
  }

  private add(spec: LinkSpec, kind: string): FakeLink {
    const m = this.ns(spec.netns);
    if (m.has(spec.name)) throw new ConflictError(`${spec.name}: already exists`);
    const l = this.mk(spec.name, spec.netns ?? CURRENT, spec, kind);
    m.set(spec.name, l);
    return l;
  }

  createVeth(spec: VethSpec): Promise<void> {
    this.record('createVeth', spec.name);
    if (this.ns(spec.peer.netns).has(spec.peer.name)) throw new ConflictError('peer exists');
    const a = this.add(spec, 'veth');
    const b = this.add(spec.peer, 'veth');
    a.peer = { ns: b.ns, name: b.name };
    b.peer = { ns: a.ns, name: a.name };
    return Promise.resolve();
  }

  createMacvlan(spec: MacvlanSpec): Promise<void> {
    this.record('createMacvlan', spec.name);
    if (!this.ns(spec.parentNetns).has(spec.parent))
      throw new NotFoundError(`${spec.parent} missing`);
    this.add(spec, 'macvlan');
    return Promise.resolve();
  }

  createVlan(spec: VlanSpec): Promise<void> {
    this.record('createVlan', spec.name);
    if (!this.ns(spec.parentNetns).has(spec.parent))
      throw new NotFoundError(`${spec.parent} missing`);
    this.add(spec, 'vlan');
    return Promise.resolve();
  }

  createBridge(spec: LinkSpec): Promise<void> {
    this.record('createBridge', spec.name);
    this.add(spec, 'bridge');
    return Promise.resolve();
  }

  getLink(name: string, netns?: NetnsPath): Promise<LinkInfo | undefined> {
    const l = this.ns(netns).get(name);
    if (l === undefined) return Promise.resolve(undefined);
    const master = l.master === undefined ? undefined : this.ns(netns).get(l.master)?.index;
    const { index, mac, mtu, up, kind } = l;
    return Promise.resolve({
      index,
      name,
      mac,
      mtu,
      up,
      ...(kind ? { kind } : {}),
      ...(master ? { masterIndex: master } : {}),
    });
  }

  async listLinks(netns?: NetnsPath): Promise<LinkInfo[]> {
    const out: LinkInfo[] = [];
    for (const n of this.ns(netns).keys()) out.push((await this.getLink(n, netns)) as LinkInfo);
    return out;
  }

  setLink(name: string, change: LinkChange, netns?: NetnsPath): Promise<void> {
    this.record('setLink', name);
    const m = this.ns(netns);
    const l = m.get(name);
    if (l === undefined) throw new NotFoundError(`link ${name} not found`);
    if (change.mtu !== undefined) l.mtu = change.mtu;
    if (change.mac !== undefined) l.mac = change.mac;
    if (change.master !== undefined) {
      if (change.master !== null && !m.has(change.master)) throw new NotFoundError('no master');
      if (change.master === null) delete l.master;
      else l.master = change.master;
    }
    if (change.up !== undefined) l.up = change.up;
    if (change.name !== undefined) {
      m.delete(name);
      l.name = change.name;
      m.set(change.name, l);
    }
    if (change.moveTo !== undefined) {
      m.delete(l.name);
      l.ns = change.moveTo;
      this.ns(change.moveTo).set(l.name, l);
    }
    return Promise.resolve();
  }

  deleteLink(name: string, netns?: NetnsPath): Promise<boolean> {
    this.record('deleteLink', name);
    const m = this.links.get(netns ?? CURRENT);
    const l = m?.get(name);
    if (m === undefined || l === undefined) return Promise.resolve(false);
    m.delete(name);
    if (l.peer) this.links.get(l.peer.ns)?.delete(l.peer.name);
    for (const other of m.values()) if (other.master === name) delete other.master;
    return Promise.resolve(true);
  }

  addAddress(dev: string, cidr: string, netns?: NetnsPath): Promise<void> {
    this.record('addAddress', dev);
    const l = this.ns(netns).get(dev);
    if (l === undefined) throw new NotFoundError(`link ${dev} not found`);
    if (!l.addrs.includes(cidr)) l.addrs.push(cidr);
    return Promise.resolve();
  }

  async configureIp(
    dev: string,
    cidrs: string[],
    routes: Omit<RouteSpec, 'dev'>[],
    netns?: NetnsPath,
  ): Promise<void> {
    for (const c of cidrs) await this.addAddress(dev, c, netns);
    for (const r of routes) await this.addRoute({ ...r, dev }, netns);
  }

  listAddresses(dev: string, netns?: NetnsPath): Promise<string[]> {
    return Promise.resolve([...(this.ns(netns).get(dev)?.addrs ?? [])]);
  }

  addRoute(r: RouteSpec, netns?: NetnsPath): Promise<void> {
    this.record('addRoute', r.dst);
    const list = this.routes.get(netns ?? CURRENT) ?? [];
    const dst = r.dst === 'default' ? '0.0.0.0/0' : r.dst;
    if (!list.some((x) => x.dst === dst)) {
      list.push({
        dst,
        dev: r.dev,
        family: dst.includes(':') ? 6 : 4,
        ...(r.gw ? { gw: r.gw } : {}),
      });
    }
    return Promise.resolve();
  }

  listRoutes(netns?: NetnsPath): Promise<RouteInfo[]> {
    this.ns(netns);
    return Promise.resolve([...(this.routes.get(netns ?? CURRENT) ?? [])]);
  }

  addNeighbour(): Promise<void> {
    return Promise.resolve();
  }

  enableIpv6(netns?: NetnsPath): Promise<void> {
    this.record('enableIpv6', netns ?? '');
    return Promise.resolve();
  }

  close(): void {}
}
