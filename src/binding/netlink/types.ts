/**
 * @module The `Netlink` plug-in point: links, addresses, routes and neighbours inside a given network
 * namespace. Implementations: `native` (rtnetlink socket opened inside the netns) and `ip-batch`
 * (`ip` commands; fallback and test oracle). Drivers only ever see this interface.
 */

/** A network namespace given by path (`/proc/PID/ns/net`, `/var/run/netns/X`); undefined = current. */
export type NetnsPath = string | undefined;

/** A link as read back from the kernel. */
export interface LinkInfo {
  index: number;
  name: string;
  /** `aa:bb:cc:dd:ee:ff`, lower case. */
  mac: string;
  mtu: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** `veth`, `bridge`, `macvlan`, `vlan`, `openvswitch`, … (undefined for plain devices such as lo). */
  kind?: string;
  /** ifindex of the master (bridge) in the same netns. */
  masterIndex?: number;
}

/** Common attributes of a link being created. */
export interface LinkSpec {
  name: string;
  mac?: string;
  mtu?: number;
  /** Netns the link is created in. */
  netns?: NetnsPath;
  /** Created administratively up (saves a request). @default false */
  up?: boolean;
}

export interface VethSpec extends LinkSpec {
  /**
   * The peer; `peer.netns` may differ from `netns`: the kernel creates it directly there. `peer.up` is
   * ignored (the kernel cannot create a veth peer up): bring it up with `setLink`.
   */
  peer: Omit<LinkSpec, 'up'>;
}

export interface MacvlanSpec extends LinkSpec {
  /** Parent link (in `parentNetns`). */
  parent: string;
  parentNetns?: NetnsPath;
}

export interface VlanSpec extends MacvlanSpec {
  vlanId: number;
}

/** Changes applied by `setLink`, in a safe order: down → rename → mac → mtu → master → move → up. */
export interface LinkChange {
  up?: boolean;
  mtu?: number;
  mac?: string;
  /** New name (the link is brought down first if needed). */
  name?: string;
  /** Bridge to enslave to (same netns); `null` releases it. */
  master?: string | null;
  /** Move the link into this netns (path). Later changes in the same call are not applied. */
  moveTo?: string;
}

export interface RouteSpec {
  /** CIDR, or `default` / `::/0` / `0.0.0.0/0`. */
  dst: string;
  gw?: string;
  /** Output device name. */
  dev: string;
}

export interface RouteInfo {
  /** `a.b.c.d/len` or `default`/`::/0` normalised to `0.0.0.0/0` / `::/0`. */
  dst: string;
  gw?: string;
  dev?: string;
  family: 4 | 6;
}

export interface NeighbourSpec {
  ip: string;
  mac: string;
  dev: string;
}

/**
 * Linux networking in a given netns. Contract:
 * - creates fail with ConflictError when the name exists, NotFoundError when the netns/parent is missing,
 *   UnsupportedError when the kernel lacks the link type;
 * - `addAddress`, `addRoute`, `addNeighbour` are idempotent (already present = success);
 * - `deleteLink` returns false when the link (or the netns) is already gone — never throws NotFound;
 * - `getLink` returns undefined when missing.
 */
export interface Netlink {
  /** `native` or `ip-batch` (or a fake's name). */
  readonly name: string;
  createVeth(spec: VethSpec): Promise<void>;
  createMacvlan(spec: MacvlanSpec): Promise<void>;
  createVlan(spec: VlanSpec): Promise<void>;
  createBridge(spec: LinkSpec): Promise<void>;
  getLink(name: string, netns?: NetnsPath): Promise<LinkInfo | undefined>;
  listLinks(netns?: NetnsPath): Promise<LinkInfo[]>;
  setLink(name: string, change: LinkChange, netns?: NetnsPath): Promise<void>;
  deleteLink(name: string, netns?: NetnsPath): Promise<boolean>;
  addAddress(dev: string, cidr: string, netns?: NetnsPath): Promise<void>;
  /**
   * Adds all `cidrs` to `dev`, then all `routes` via `dev` (idempotent); the native implementation
   * pipelines them over one socket.
   */
  configureIp(
    dev: string,
    cidrs: string[],
    routes: Omit<RouteSpec, 'dev'>[],
    netns?: NetnsPath,
  ): Promise<void>;
  listAddresses(dev: string, netns?: NetnsPath): Promise<string[]>;
  addRoute(route: RouteSpec, netns?: NetnsPath): Promise<void>;
  listRoutes(netns?: NetnsPath): Promise<RouteInfo[]>;
  addNeighbour(neigh: NeighbourSpec, netns?: NetnsPath): Promise<void>;
  /** Turns IPv6 on for the netns (`net.ipv6.conf.{all,default}.disable_ipv6 = 0`). */
  enableIpv6(netns?: NetnsPath): Promise<void>;
  /** Releases cached sockets. */
  close(): void;
}
