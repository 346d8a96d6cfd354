/** @module In-memory fakes of the standalone service's collaborators (unit tests only). */
/* eslint-disable @typescript-eslint/require-await -- fakes implement async interfaces synchronously */
import { NotFoundError } from '../../../common/errors/index.js';
import type { BindingDriver, BindingRegistry, BindTarget } from '../../../binding/types.js';
import type { Network, Port, PortCreate, Subnet } from '../../../openstack/neutron/types.js';
import type { CniPortStore } from '../types.js';

export const network = { id: 'net-1', name: 'kx-net', subnets: ['sub-1'], mtu: 1450 } as Network;
export const subnet = {
  id: 'sub-1',
  name: 'kx-sub',
  cidr: '10.9.0.0/24',
  gateway_ip: '10.9.0.1',
  ip_version: 4,
  dns_nameservers: ['10.9.0.2'],
  host_routes: [],
} as unknown as Subnet;

/** Neutron ports in memory. */
export class FakeStore implements CniPortStore {
  ports: Port[] = [];
  created: PortCreate[] = [];
  seq = 0;
  async resolveNetwork(idOrName: string): Promise<Network> {
    if (idOrName !== 'kx-net' && idOrName !== 'net-1') throw new NotFoundError('no such network');
    return network;
  }
  async subnets(): Promise<Subnet[]> {
    return [subnet];
  }
  async resolveSecurityGroups(x: readonly string[]): Promise<string[]> {
    return [...x];
  }
  async findPorts(tags: readonly string[], hostId?: string): Promise<Port[]> {
    return this.ports.filter(
      (p) => tags.every((t) => p.tags.includes(t)) && (!hostId || p['binding:host_id'] === hostId),
    );
  }
  async createPort(body: PortCreate, tags: readonly string[]): Promise<Port> {
    this.created.push(body);
    const ip =
      body.fixed_ips?.[0] && 'ip_address' in body.fixed_ips[0]
        ? body.fixed_ips[0].ip_address
        : `10.9.0.${10 + this.seq}`;
    const port = {
      id: `port-${++this.seq}`,
      network_id: body.network_id,
      mac_address: body.mac_address ?? 'fa:16:3e:00:00:01',
      fixed_ips: [{ subnet_id: 'sub-1', ip_address: ip! }],
      tags: [...tags],
      status: 'DOWN',
      device_id: body.device_id,
      'binding:host_id': body['binding:host_id'],
      'binding:vif_type': 'bridge',
    } as Port;
    this.ports.push(port);
    return port;
  }
  claims = 0;
  async claimPort(
    port: Port,
    _u: Partial<PortCreate>,
    tags: readonly string[],
    _s?: AbortSignal,
    removeTags: readonly string[] = [],
  ): Promise<Port> {
    this.claims++;
    port.tags = [...new Set([...port.tags.filter((t) => !removeTags.includes(t)), ...tags])];
    return port;
  }
  async getPort(id: string): Promise<Port> {
    const p = this.ports.find((x) => x.id === id);
    if (!p) throw new NotFoundError(id);
    return p;
  }
  async deletePort(id: string): Promise<void> {
    this.ports = this.ports.filter((p) => p.id !== id);
  }
  async ping(): Promise<void> {}
}

/** A binding driver that records calls. */
export function fakeBindings(opts: { failBind?: boolean } = {}) {
  const calls: { op: string; target: BindTarget }[] = [];
  const driver: BindingDriver = {
    name: 'bridge',
    async bind(target) {
      calls.push({ op: 'bind', target });
      if (opts.failBind) throw new Error('netlink says no');
      return {
        driver: 'bridge',
        hostIfName: 'tapport-1',
        containerIfName: target.ifName,
        mac: target.port.mac_address,
        mtu: 1450,
      };
    },
    async unbind(target) {
      calls.push({ op: 'unbind', target });
    },
    async check() {
      return { ok: true, problems: [] };
    },
  };
  const registry: BindingRegistry = { driverFor: () => driver, driver: () => driver };
  return { registry, calls };
}
