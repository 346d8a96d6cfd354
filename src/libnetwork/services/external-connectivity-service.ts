/**
 * @module Program/RevokeExternalConnectivity: `--expose` ⇒ a per-port security group `<port id>-exposed_ports`
 * with one ingress rule per protocol and contiguous ports merged into ranges. Ports are found by EndpointID
 * tags — the original looked them up by a name that tag mode never sets, so it silently did nothing
 * (COMPATIBILITY.md §9 #1).
 */
import type { Logger } from 'pino';
import { ignoreNotFound, isNotFoundError } from '../../common/errors/index.js';
import type { LibnetworkNeutron, Port } from '../neutron-port.js';
import type { LibnetworkOptions } from '../options.js';
import type { NeutronLookup } from './neutron-lookup.js';

const PROTOCOLS: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** Port ranges per protocol name, sorted and merged: 80,81,82,443 ⇒ [80-82],[443-443]. */
export function collapsePorts(
  exposed: readonly { Proto: number; Port: number }[],
): Map<string, [number, number][]> {
  const byProto = new Map<string, number[]>();
  for (const e of exposed) {
    const proto = PROTOCOLS[e.Proto] ?? String(e.Proto);
    byProto.set(proto, [...(byProto.get(proto) ?? []), e.Port]);
  }
  const result = new Map<string, [number, number][]>();
  for (const [proto, ports] of byProto) {
    const sorted = [...new Set(ports)].sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const p of sorted) {
      const last = ranges.at(-1);
      if (last && p === last[1] + 1) last[1] = p;
      else ranges.push([p, p]);
    }
    result.set(proto, ranges);
  }
  return result;
}

/** Name of the per-port `--expose` security group. */
export const exposedGroupName = (portId: string): string => `${portId}-exposed_ports`;

/** External connectivity service. */
export class ExternalConnectivityService {
  constructor(
    private readonly neutron: LibnetworkNeutron,
    private readonly lookup: NeutronLookup,
    private readonly options: LibnetworkOptions,
    private readonly log: Logger,
  ) {}

  /** `NetworkDriver.ProgramExternalConnectivity`. */
  async program(
    endpointId: string,
    exposed: readonly { Proto: number; Port: number }[],
  ): Promise<void> {
    if (!this.options.processExternalConnectivity || exposed.length === 0) return;
    const port = await this.lookup.endpointPort(endpointId);
    // idempotent: a repeated call replaces the group
    if (this.lookup.hasExposedGroup(endpointId) !== false) await this.removeGroups(port);
    const sg = await this.neutron.create('security-groups', {
      name: exposedGroupName(port.id),
      description: `kuryr --expose for endpoint ${endpointId.slice(0, 12)}`,
    });
    try {
      const rules = [...collapsePorts(exposed)].flatMap(([protocol, ranges]) =>
        protocol === 'icmp'
          ? [{ protocol }]
          : ranges.map(([min, max]) => ({ protocol, port_range_min: min, port_range_max: max })),
      );
      const ethertypes = new Set(
        port.fixed_ips.map((f) => (f.ip_address.includes(':') ? 'IPv6' : 'IPv4')),
      );
      await Promise.all(
        rules.flatMap((r) =>
          [...ethertypes].map((ethertype) =>
            this.neutron.create('security-group-rules', {
              security_group_id: sg.id,
              direction: 'ingress',
              ethertype,
              ...r,
            }),
          ),
        ),
      );
      const groups = [...port.security_groups, sg.id];
      await this.neutron.update('ports', port.id, { security_groups: groups });
      this.lookup.rememberEndpoint(endpointId, { ...port, security_groups: groups });
      this.lookup.setExposedGroup(endpointId, true);
    } catch (error) {
      await ignoreNotFound(() => this.neutron.delete('security-groups', sg.id)).catch(() => false);
      throw error;
    }
  }

  /** `NetworkDriver.RevokeExternalConnectivity`. Missing port or group ⇒ success. */
  async revoke(endpointId: string): Promise<void> {
    if (!this.options.processExternalConnectivity) return;
    if (this.lookup.hasExposedGroup(endpointId) === false) return; // created here, never exposed
    let port: Port;
    try {
      port = await this.lookup.endpointPort(endpointId);
    } catch (error) {
      if (isNotFoundError(error)) return;
      throw error;
    }
    await this.removeGroups(port);
    this.lookup.setExposedGroup(endpointId, false);
  }

  private async removeGroups(port: Port): Promise<void> {
    const groups = await this.neutron.list('security-groups', { name: exposedGroupName(port.id) });
    if (groups.length === 0) return;
    const ids = new Set(groups.map((g) => g.id));
    const current = await this.neutron.get('ports', port.id).catch((e: unknown) => {
      if (isNotFoundError(e)) return undefined;
      throw e;
    });
    if (current && current.security_groups.some((g) => ids.has(g))) {
      await ignoreNotFound(() =>
        this.neutron.update('ports', port.id, {
          security_groups: current.security_groups.filter((g) => !ids.has(g)),
        }),
      );
    }
    for (const g of groups)
      await ignoreNotFound(() => this.neutron.delete('security-groups', g.id));
    this.log.debug({ portId: port.id, groups: groups.length }, 'exposed-ports groups removed');
  }
}
