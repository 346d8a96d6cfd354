/**
 * @module `--expose` ⇒ a per-port security group `<port id>-exposed_ports` with one ingress rule per protocol
 * and contiguous ports merged into ranges. Ports are found by EndpointID tags — the original looked them up by
 * a name that tag mode never sets, so it silently did nothing (COMPATIBILITY.md §9 #1).
 *
 * Ordering (why the group is not simply added in Program and removed in Revoke): dockerd already sends the
 * exposed ports in CreateEndpoint, so the group is attached **before** the host interface is plugged, and
 * detached only **after** it is unplugged. A port update while the L2 agent manages the device makes the
 * linuxbridge agent re-apply its ARP/MAC protection, which on ebtables-nft hosts fails for Docker's
 * `02:42:…` MACs and stalls the agent in a retry loop. Revoke removes the rules (exposure ends there).
 */
import type { Logger } from 'pino';
import { ignoreNotFound, isNotFoundError } from '../../common/errors/index.js';
import type { LibnetworkNeutron, Port } from '../neutron-port.js';
import type { LibnetworkOptions } from '../options.js';
import type { NeutronLookup } from './neutron-lookup.js';

const PROTOCOLS: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** An exposed port as dockerd sends it. */
export interface ExposedPort {
  Proto: number;
  Port: number;
}

/** Port ranges per protocol name, sorted and merged: 80,81,82,443 ⇒ [80-82],[443-443]. */
export function collapsePorts(exposed: readonly ExposedPort[]): Map<string, [number, number][]> {
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

  /**
   * Attaches the exposed-ports group to a port not plugged yet (CreateEndpoint). Returns the updated port.
   * Rolls the group back on failure.
   */
  async expose(endpointId: string, port: Port, exposed: readonly ExposedPort[]): Promise<Port> {
    if (!this.options.processExternalConnectivity || exposed.length === 0) return port;
    if (this.lookup.exposedGroup(endpointId) === undefined) await this.detachGroups(port);
    const sg = await this.neutron.create('security-groups', {
      name: exposedGroupName(port.id),
      description: `kuryr --expose for endpoint ${endpointId.slice(0, 12)}`,
    });
    try {
      await this.createRules(sg.id, port, exposed);
      const groups = [...port.security_groups.filter((g) => g !== sg.id), sg.id];
      await this.neutron.update('ports', port.id, { security_groups: groups });
      this.lookup.setExposedGroup(endpointId, sg.id);
      return { ...port, security_groups: groups };
    } catch (error) {
      await ignoreNotFound(() => this.neutron.delete('security-groups', sg.id)).catch(() => false);
      throw error;
    }
  }

  private async createRules(sgId: string, port: Port, exposed: readonly ExposedPort[]) {
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
            security_group_id: sgId,
            direction: 'ingress',
            ethertype,
            ...r,
          }),
        ),
      ),
    );
  }

  /**
   * `NetworkDriver.ProgramExternalConnectivity`: the group normally exists since CreateEndpoint; if not
   * (an endpoint from before a restart, or ports only sent here), its rules are (re)created on a group.
   */
  async program(endpointId: string, exposed: readonly ExposedPort[]): Promise<void> {
    if (!this.options.processExternalConnectivity || exposed.length === 0) return;
    if (this.lookup.exposedGroup(endpointId)) return;
    const port = await this.lookup.endpointPort(endpointId);
    const [existing] = await this.neutron.list('security-groups', {
      name: exposedGroupName(port.id),
    });
    if (existing && port.security_groups.includes(existing.id)) {
      const rules = await this.neutron.list('security-group-rules', {
        security_group_id: existing.id,
      });
      if (!rules.some((r) => r.direction === 'ingress'))
        await this.createRules(existing.id, port, exposed);
      this.lookup.setExposedGroup(endpointId, existing.id);
      return;
    }
    const updated = await this.expose(endpointId, port, exposed);
    this.lookup.rememberEndpoint(endpointId, updated);
  }

  /** `NetworkDriver.RevokeExternalConnectivity`: removes the group's ingress rules. Missing ⇒ success. */
  async revoke(endpointId: string): Promise<void> {
    if (!this.options.processExternalConnectivity) return;
    const known = this.lookup.exposedGroup(endpointId);
    if (known === false) return; // created here, never exposed
    let groupIds: string[];
    if (known) {
      groupIds = [known];
    } else {
      let port: Port;
      try {
        port = await this.lookup.endpointPort(endpointId);
      } catch (error) {
        if (isNotFoundError(error)) return;
        throw error;
      }
      const groups = await this.neutron.list('security-groups', {
        name: exposedGroupName(port.id),
      });
      groupIds = groups.map((g) => g.id);
      // DeleteEndpoint follows: it now knows whether there is a group to detach
      this.lookup.setExposedGroup(endpointId, groupIds[0] ?? false);
    }
    for (const id of groupIds) {
      const rules = await this.neutron.list('security-group-rules', { security_group_id: id });
      await Promise.all(
        rules
          .filter((r) => r.direction === 'ingress')
          .map((r) => ignoreNotFound(() => this.neutron.delete('security-group-rules', r.id))),
      );
    }
  }

  /** After unplug (DeleteEndpoint): detaches and deletes the group. Missing ⇒ success. */
  async removeAfterUnplug(endpointId: string, port: Port): Promise<void> {
    if (this.lookup.exposedGroup(endpointId) === false) return;
    await this.detachGroups(port);
  }

  private async detachGroups(port: Port): Promise<void> {
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
