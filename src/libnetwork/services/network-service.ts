/**
 * @module NetworkDriver CreateNetwork / DeleteNetwork (PROTOCOLS.md A.3): a Neutron network tagged with the
 * Docker NetworkID (or an adopted one, marked existing) and one subnet per address family from the pool the
 * IPAM handed out. Rolls back what it created on failure.
 */
import type { Logger } from 'pino';
import {
  ConflictError,
  ValidationError,
  ignoreNotFound,
  isConflictError,
  isNotFoundError,
} from '../../common/errors/index.js';
import {
  TAG_COMPUTE_KURYR,
  existingNetworkTag,
  idTags,
  isKuryrIdentityTag,
  TAG_NET_EXISTING,
} from '../../common/tags.js';
import { allocationPools, containsCidr, formatCidr, parseCidr } from '../cidr.js';
import type { LibnetworkNeutron, Network, Subnet } from '../neutron-port.js';
import type { LibnetworkOptions } from '../options.js';
import type { PortPool } from '../port-pool.js';
import type { CreateNetworkRequest } from '../schemas/network-driver.js';
import type { IpamService } from './ipam-service.js';
import { findNetwork, findSubnet, findSubnetpool } from './neutron-objects.js';
import type { NeutronLookup } from './neutron-lookup.js';
import { parsePoolId, poolRef, sharedOption, subnetRef, networkRef } from './pool-options.js';

type IpData = NonNullable<CreateNetworkRequest['IPv4Data']>[number];
/** Address spaces of Docker's own IPAM: no RequestAddress reaches kuryr, so no pool either. */
const DOCKER_SPACES = ['LocalDefault', 'GlobalDefault'];

/** The CreateNetwork / DeleteNetwork service. */
export class NetworkService {
  constructor(
    private readonly neutron: LibnetworkNeutron,
    private readonly lookup: NeutronLookup,
    private readonly ipam: IpamService,
    private readonly options: LibnetworkOptions,
    private readonly log: Logger,
    /** `[vif_pool]`: warmed at CreateNetwork (in the background), drained at DeleteNetwork. */
    private readonly portPool?: PortPool,
  ) {}

  /** `NetworkDriver.CreateNetwork`. @throws ValidationError, ConflictError, NotFoundError */
  async createNetwork(req: CreateNetworkRequest): Promise<void> {
    const generic: Record<string, unknown> = req.Options?.['com.docker.network.generic'] ?? {};
    const v4 = req.IPv4Data ?? [];
    const v6 = req.IPv6Data ?? [];
    // NOTE: §9 #4 — the original silently used only the first pool of each family.
    if (v4.length > 1 || v6.length > 1) {
      throw new ValidationError(
        'kuryr supports one --subnet per address family; remove the extra ones',
      );
    }
    const shared = sharedOption(generic);
    const nref = networkRef(generic);
    let network: Network;
    let created = false;
    if (nref) {
      if (!this.options.tagMode) {
        // NOTE: §9 #3 — never rename a user's network to adopt it.
        throw new ValidationError(
          'adopting a Neutron network needs the tag extension (standard-attr-tag)',
        );
      }
      network = await findNetwork(this.neutron, nref);
      if (shared !== undefined && network.shared !== shared) {
        throw new ConflictError(
          `network ${network.id} has shared=${network.shared}, option asks ${shared}`,
        );
      }
      const tags = [...network.tags, ...idTags(req.NetworkID), existingNetworkTag(req.NetworkID)];
      await this.neutron.replaceTags('networks', network.id, tags);
      network = { ...network, tags };
    } else {
      network = await this.neutron.create('networks', {
        name: this.options.tagMode ? `kuryr-net-${req.NetworkID.slice(0, 8)}` : req.NetworkID,
        admin_state_up: true,
        ...(shared === undefined ? {} : { shared }),
      });
      created = true;
    }
    try {
      const tagging =
        created && this.options.tagMode
          ? this.neutron.replaceTags('networks', network.id, idTags(req.NetworkID))
          : Promise.resolve();
      const subnets = Promise.all([
        ...v4.map((d) => this.ensureSubnet(network, d, generic, false)),
        ...v6.map((d) => this.ensureSubnet(network, d, generic, true)),
      ]);
      const [, made] = await Promise.all([tagging, subnets]);
      if (created) network = { ...network, tags: idTags(req.NetworkID) };
      this.lookup.rememberNetwork(req.NetworkID, network);
      if (created) this.lookup.setSubnets(network.id, made);
      else this.lookup.forgetSubnets(network.id);
      // pre-warm: `network create` does not wait, the first `docker run` finds pre-bound ports
      const kuryrIpam = [...v4, ...v6].map((d) => !DOCKER_SPACES.includes(d.AddressSpace ?? ''));
      made.forEach((s, i) => kuryrIpam[i] && this.portPool?.refillInBackground(s));
    } catch (error) {
      if (created)
        await ignoreNotFound(() => this.neutron.delete('networks', network.id)).catch(() => false);
      else await this.untag(network).catch(() => undefined);
      throw error;
    }
  }

  private async ensureSubnet(
    network: Network,
    d: IpData,
    generic: Record<string, unknown>,
    v6: boolean,
  ) {
    const cidr = formatCidr(parseCidr(d.Pool));
    const sref = subnetRef(generic, v6);
    if (sref) {
      const subnet = await findSubnet(this.neutron, sref);
      if (subnet.network_id !== network.id) {
        throw new ValidationError(`subnet ${subnet.id} is not in network ${network.id}`);
      }
      return subnet;
    }
    if (network.subnets.length) {
      // adopted network that already has this CIDR: use it
      const existing = await this.neutron.list('subnets', { network_id: network.id, cidr });
      if (existing[0]) return existing[0];
    }
    const poolId = await this.poolIdFor(cidr, generic, v6, d.AddressSpace);
    const gateway = d.Gateway ? d.Gateway.split('/')[0] : undefined;
    const reserved = [
      gateway,
      ...Object.values(d.AuxAddresses ?? {}).map((a) => a.split('/')[0]),
    ].filter((x): x is string => !!x);
    const subPool = poolId ? this.ipam.subPoolOf(poolId) : undefined;
    const c = parseCidr(cidr);
    const body: Record<string, unknown> = {
      network_id: network.id,
      name: `kuryr-subnet-${cidr}`,
      ip_version: v6 ? 6 : 4,
      cidr,
      enable_dhcp: this.options.enableDhcp,
      gateway_ip: gateway ?? null,
    };
    if (poolId) body.subnetpool_id = parsePoolId(poolId).subnetpoolId;
    // NOTE: §9 #4 — aux addresses are kept out of the allocation pools so no container gets them.
    if (subPool || reserved.length > (gateway ? 1 : 0)) {
      body.allocation_pools = allocationPools(
        c,
        reserved,
        subPool ? parseCidr(subPool) : undefined,
      );
    }
    const subnet = await this.neutron.create('subnets', body);
    if (poolId && this.options.tagMode) {
      await this.neutron.replaceTags('subnets', subnet.id, [parsePoolId(poolId).subnetpoolId]);
    }
    if (poolId) this.ipam.subnetCreated(poolId, subnet);
    return subnet;
  }

  // The pool the IPAM handed out for this CIDR: this process's hint, else the options, names, default pools.
  private async poolIdFor(
    cidr: string,
    generic: Record<string, unknown>,
    v6: boolean,
    space?: string,
  ) {
    const hinted = this.ipam.poolIdForCidr(cidr);
    if (hinted) return hinted;
    if (space === 'LocalDefault' || space === 'GlobalDefault') return undefined; // Docker's own IPAM
    const pref = poolRef(generic, v6);
    const c = parseCidr(cidr);
    if (pref) {
      const sp = await findSubnetpool(this.neutron, pref);
      if (sp.prefixes.some((p) => containsCidr(parseCidr(p), c))) return sp.id;
    }
    const named = await this.neutron.list('subnetpools', {
      name: `${this.options.subnetpoolNamePrefix}-${cidr}`,
    });
    if (named[0]) return named[0].id;
    const defName = v6 ? this.options.defaultSubnetpoolV6 : this.options.defaultSubnetpoolV4;
    const defaults = await this.neutron.list('subnetpools', { name: defName });
    const def = defaults.find((sp) => sp.prefixes.some((p) => containsCidr(parseCidr(p), c)));
    if (def) return `${def.id}:${cidr}`;
    return undefined;
  }

  /** `NetworkDriver.DeleteNetwork`. Unknown network ⇒ success; adopted network ⇒ untagged and kept. */
  async deleteNetwork(networkId: string): Promise<void> {
    let network: Network;
    try {
      network = await this.lookup.network(networkId);
    } catch (error) {
      if (isNotFoundError(error)) return;
      throw error;
    }
    this.lookup.forgetNetwork(networkId, network.id);
    // free pooled ports would make Neutron refuse the delete (409): remove them first, stop refills
    await this.portPool?.drainNetwork(network.id);
    if (network.tags.some((t) => t.startsWith(`${TAG_NET_EXISTING}:`))) {
      const subnets = await this.neutron.list('subnets', { network_id: network.id });
      await Promise.all(
        subnets
          .filter((s: Subnet) => s.name.startsWith('kuryr-subnet-'))
          .map((s) => ignoreNotFound(() => this.neutron.delete('subnets', s.id))),
      );
      await this.untag(network);
      return;
    }
    try {
      await ignoreNotFound(() => this.neutron.delete('networks', network.id));
    } catch (error) {
      if (!isConflictError(error)) throw error;
      // leftover kuryr ports (a crash between RequestAddress and ReleaseAddress): remove them, retry once
      const ports = await this.neutron.list('ports', {
        network_id: network.id,
        device_owner: TAG_COMPUTE_KURYR,
      });
      this.log.info(
        { networkId: network.id, ports: ports.length },
        'deleting leftover kuryr ports',
      );
      await Promise.all(ports.map((p) => ignoreNotFound(() => this.neutron.delete('ports', p.id))));
      await ignoreNotFound(() => this.neutron.delete('networks', network.id));
    }
  }

  private async untag(network: Network): Promise<void> {
    await ignoreNotFound(() =>
      this.neutron.replaceTags(
        'networks',
        network.id,
        network.tags.filter((t) => !isKuryrIdentityTag(t)),
      ),
    );
  }
}
