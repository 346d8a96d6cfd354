/**
 * @module `Netlink` through iproute2: every call runs one `ip -batch -` process (through `nsenter` for a
 * netns given by path), reads back with `ip -json`. The fallback when the native addon cannot load, the
 * test oracle, and the peer of the benchmark (bench/binding.bench.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ConflictError, NotFoundError, UnsupportedError } from '../../common/errors/index.js';
import { assertIfName } from '../../common/naming.js';
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

interface Run {
  code: number;
  out: string;
  err: string;
}

function exec(cmd: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.stdin.on('error', () => undefined); // ip may exit before reading everything; its stderr says why
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    p.stdin.end(stdin ?? '');
  });
}

/** `netns` argument of `ip link … netns X`: a PID for /proc/PID/ns/net, a name for /var/run/netns/X. */
function netnsArg(path: string): string {
  const pid = /^\/proc\/(\d+)\/ns\/net$/.exec(path)?.[1];
  if (pid) return pid;
  const name = /^\/(?:var\/)?run\/netns\/([^/]+)$/.exec(path)?.[1];
  if (name) return name;
  throw new UnsupportedError(
    `ip-batch cannot target netns ${path} by name or PID; use the native netlink`,
  );
}

/** iproute2 implementation of `Netlink`. */
export class IpBatchNetlink implements Netlink {
  readonly name = 'ip-batch';

  private async ip(netns: NetnsPath, lines: string[], what: string): Promise<string> {
    if (netns !== undefined && !existsSync(netns))
      throw new NotFoundError(`network namespace ${netns} does not exist`);
    const r =
      netns === undefined
        ? await exec('ip', ['-batch', '-'], lines.join('\n'))
        : await exec('nsenter', [`--net=${netns}`, 'ip', '-batch', '-'], lines.join('\n'));
    if (r.code === 0) return r.out;
    if (/File exists/.test(r.err)) throw new ConflictError(`${what}: already exists`);
    if (/Cannot find device|does not exist|No such device/.test(r.err))
      throw new NotFoundError(`${what}: not found`);
    if (/Unknown device type|not supported/i.test(r.err))
      throw new UnsupportedError(`${what}: not supported by this kernel`);
    throw new Error(`${what}: ip failed: ${r.err.trim()}`);
  }

  private async json<T>(netns: NetnsPath, args: string[]): Promise<T> {
    const r =
      netns === undefined
        ? await exec('ip', ['-json', ...args])
        : await exec('nsenter', [`--net=${netns}`, 'ip', '-json', ...args]);
    if (r.code !== 0) {
      if (/does not exist|Cannot find/.test(r.err)) throw new NotFoundError(r.err.trim());
      throw new Error(`ip ${args.join(' ')}: ${r.err.trim()}`);
    }
    return JSON.parse(r.out || '[]') as T;
  }

  private static attrs(s: LinkSpec): string {
    return `${s.mac ? ` address ${s.mac}` : ''}${s.mtu ? ` mtu ${s.mtu}` : ''}`;
  }

  async createVeth(spec: VethSpec): Promise<void> {
    assertIfName(spec.name);
    assertIfName(spec.peer.name);
    const apart = spec.peer.netns !== undefined && spec.peer.netns !== spec.netns;
    const where = apart ? ` netns ${netnsArg(spec.peer.netns as string)}` : '';
    const a = (x: LinkSpec): string => IpBatchNetlink.attrs(x);
    const lines = [
      `link add ${spec.name}${a(spec)} type veth peer name ${spec.peer.name}${a(spec.peer)}${where}`,
    ];
    if (spec.up === true) lines.push(`link set ${spec.name} up`);
    await this.ip(spec.netns, lines, `create veth ${spec.name}`);
  }

  private async child(spec: MacvlanSpec, type: string): Promise<void> {
    assertIfName(spec.name);
    const apart = spec.netns !== undefined && spec.netns !== spec.parentNetns;
    const where = apart ? ` netns ${netnsArg(spec.netns as string)}` : '';
    const lines = [
      `link add link ${spec.parent} name ${spec.name}${IpBatchNetlink.attrs(spec)}${where} type ${type}`,
    ];
    if (spec.up === true && !apart) lines.push(`link set ${spec.name} up`);
    await this.ip(spec.parentNetns, lines, `create ${type} ${spec.name}`);
    if (spec.up === true && apart)
      await this.ip(spec.netns, [`link set ${spec.name} up`], `set up`);
  }

  createMacvlan(spec: MacvlanSpec): Promise<void> {
    return this.child(spec, 'macvlan mode bridge');
  }

  createVlan(spec: VlanSpec): Promise<void> {
    return this.child(spec, `vlan id ${spec.vlanId}`);
  }

  async createBridge(spec: LinkSpec): Promise<void> {
    assertIfName(spec.name);
    await this.ip(
      spec.netns,
      [`link add ${spec.name}${IpBatchNetlink.attrs(spec)} type bridge`],
      `create bridge ${spec.name}`,
    );
  }

  async getLink(name: string, netns?: NetnsPath): Promise<LinkInfo | undefined> {
    return (await this.listLinks(netns)).find((l) => l.name === name);
  }

  async listLinks(netns?: NetnsPath): Promise<LinkInfo[]> {
    if (netns !== undefined && !existsSync(netns))
      throw new NotFoundError(`network namespace ${netns} does not exist`);
    type J = {
      ifindex: number;
      ifname: string;
      address?: string;
      mtu: number;
      flags: string[];
      master?: string;
      linkinfo?: { info_kind?: string };
    };
    const links = await this.json<J[]>(netns, ['-d', 'link', 'show']);
    const index = new Map(links.map((l) => [l.ifname, l.ifindex]));
    return links.map((l) => ({
      index: l.ifindex,
      name: l.ifname,
      mac: l.address ?? '',
      mtu: l.mtu,
      up: l.flags.includes('UP'),
      ...(l.linkinfo?.info_kind ? { kind: l.linkinfo.info_kind } : {}),
      ...(l.master ? { masterIndex: index.get(l.master) ?? 0 } : {}),
    }));
  }

  async setLink(name: string, c: LinkChange, netns?: NetnsPath): Promise<void> {
    const lines: string[] = [];
    if (c.up === false || c.name !== undefined || c.mac !== undefined)
      lines.push(`link set ${name} down`);
    let dev = name;
    if (c.name !== undefined) {
      assertIfName(c.name);
      lines.push(`link set ${dev} name ${c.name}`);
      dev = c.name;
    }
    if (c.mac !== undefined) lines.push(`link set ${dev} address ${c.mac}`);
    if (c.mtu !== undefined) lines.push(`link set ${dev} mtu ${c.mtu}`);
    if (c.master !== undefined)
      lines.push(
        c.master === null ? `link set ${dev} nomaster` : `link set ${dev} master ${c.master}`,
      );
    if (c.moveTo !== undefined) lines.push(`link set ${dev} netns ${netnsArg(c.moveTo)}`);
    else if (c.up === true) lines.push(`link set ${dev} up`);
    if (lines.length > 0) await this.ip(netns, lines, `set link ${name}`);
  }

  async deleteLink(name: string, netns?: NetnsPath): Promise<boolean> {
    try {
      await this.ip(netns, [`link del ${name}`], `delete link ${name}`);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async addAddress(dev: string, cidr: string, netns?: NetnsPath): Promise<void> {
    const nodad = cidr.includes(':') ? ' nodad' : '';
    await this.ip(netns, [`addr replace ${cidr} dev ${dev}${nodad}`], `add address ${cidr}`);
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

  async listAddresses(dev: string, netns?: NetnsPath): Promise<string[]> {
    const j = await this.json<{ addr_info: { local: string; prefixlen: number }[] }[]>(netns, [
      'addr',
      'show',
      'dev',
      dev,
    ]);
    return (j[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
  }

  async addRoute(r: RouteSpec, netns?: NetnsPath): Promise<void> {
    await this.ip(
      netns,
      [`route replace ${r.dst}${r.gw ? ` via ${r.gw}` : ''} dev ${r.dev}`],
      `add route ${r.dst}`,
    );
  }

  async listRoutes(netns?: NetnsPath): Promise<RouteInfo[]> {
    type J = { dst: string; gateway?: string; dev?: string };
    const conv =
      (family: 4 | 6) =>
      (r: J): RouteInfo => ({
        dst:
          r.dst === 'default'
            ? family === 4
              ? '0.0.0.0/0'
              : '::/0'
            : r.dst.includes('/')
              ? r.dst
              : `${r.dst}/${family === 4 ? 32 : 128}`,
        family,
        ...(r.gateway ? { gw: r.gateway } : {}),
        ...(r.dev ? { dev: r.dev } : {}),
      });
    const v4 = await this.json<J[]>(netns, ['route', 'show', 'table', 'main']);
    const v6 = await this.json<J[]>(netns, ['-6', 'route', 'show', 'table', 'main']);
    return [...v4.map(conv(4)), ...v6.map(conv(6))];
  }

  async addNeighbour(n: NeighbourSpec, netns?: NetnsPath): Promise<void> {
    await this.ip(
      netns,
      [`neigh replace ${n.ip} lladdr ${n.mac} dev ${n.dev} nud permanent`],
      `add neighbour ${n.ip}`,
    );
  }

  async enableIpv6(netns?: NetnsPath): Promise<void> {
    const args = ['-w', 'net.ipv6.conf.all.disable_ipv6=0', 'net.ipv6.conf.default.disable_ipv6=0'];
    const r =
      netns === undefined
        ? await exec('sysctl', args)
        : await exec('nsenter', [`--net=${netns}`, 'sysctl', ...args]);
    if (r.code !== 0)
      throw new Error(`enable IPv6 in ${netns ?? 'current netns'}: ${r.err.trim()}`);
  }

  close(): void {}
}
