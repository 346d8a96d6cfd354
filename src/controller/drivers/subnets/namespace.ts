/**
 * @module `namespace` subnets driver: one Neutron network + subnet per Kubernetes namespace, allocated
 * from `[namespace_subnet] pod_subnet_pool`, attached to `pod_router`, both named `<ns uid>/<ns name>`
 * (COMPATIBILITY.md §6). `ensureNamespaceNetwork` is idempotent (finds by name first) and rolls back
 * what it created when a later step fails; `deleteNamespaceNetwork` treats NotFound as success.
 */
import type { Logger } from 'pino';
import {
  ConfigurationError,
  isConflictError,
  isNotFoundError,
  NotReadyError,
} from '../../../common/errors/index.js';
import type { Network, NeutronClient, Subnet } from '../../../openstack/neutron/index.js';
import type { DriverDeps } from '../deps.js';
import type { PodSubnet } from '../pod-vif/types.js';
import { DEVICE_OWNER_KURYR } from '../pod-vif/types.js';
import { SubnetCache } from './subnet-cache.js';
import type { SubnetsDriver, SubnetsTarget } from './types.js';

/** The namespace a network is for. */
export interface NamespaceRef {
  uid: string;
  name: string;
}

/** What KuryrNetwork `status` records. */
export interface NamespaceNetwork {
  netId: string;
  subnetId: string;
  subnetCIDR: string;
  routerId: string;
}

/** Finds the subnet id of a namespace (the controller wires KuryrNetwork `status.subnetId`). */
export type NamespaceSubnetLookup = (namespace: string) => Promise<string | undefined>;

/** Options of {@link NamespaceSubnetsDriver}. */
export interface NamespaceSubnetsOptions {
  /** `[namespace_subnet] pod_router`. */
  routerId?: string;
  /** `[namespace_subnet] pod_subnet_pool`. */
  subnetPoolId?: string;
  /** `[neutron_defaults] network_device_mtu` (0 = Neutron's). */
  mtu?: number;
  /** `[neutron_defaults] resource_tags`. */
  resourceTags?: readonly string[];
  /** @default a Neutron lookup by the `/<ns name>` name suffix */
  lookup?: NamespaceSubnetLookup;
}

/** Neutron name of a namespace's network and subnet. */
export function namespaceResourceName(ns: NamespaceRef): string {
  return `${ns.uid}/${ns.name}`.slice(0, 255);
}

/** The `namespace` subnets driver. */
export class NamespaceSubnetsDriver implements SubnetsDriver {
  readonly alias = 'namespace';
  private readonly cache: SubnetCache;
  private readonly routerId: string;
  private readonly poolId: string;

  /** @throws ConfigurationError when pod_router or pod_subnet_pool is unset. */
  constructor(
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    private readonly o: NamespaceSubnetsOptions,
  ) {
    if (!o.routerId) throw new ConfigurationError('[namespace_subnet] pod_router is not set');
    if (!o.subnetPoolId) {
      throw new ConfigurationError('[namespace_subnet] pod_subnet_pool is not set');
    }
    this.routerId = o.routerId;
    this.poolId = o.subnetPoolId;
    this.cache = new SubnetCache(neutron);
  }

  /** Builds the driver from kuryr.conf. */
  static fromDeps(d: DriverDeps, lookup?: NamespaceSubnetLookup): NamespaceSubnetsDriver {
    return new NamespaceSubnetsDriver(d.neutron, d.log, {
      routerId: d.config.namespaceSubnet.podRouter,
      subnetPoolId: d.config.namespaceSubnet.podSubnetPool,
      mtu: d.config.neutronDefaults.networkDeviceMtu,
      resourceTags: d.config.neutronDefaults.resourceTags,
      ...(lookup ? { lookup } : {}),
    });
  }

  /** @throws NotReadyError while the namespace has no network yet (its handler creates it). */
  async getSubnets(t: SubnetsTarget, opts: { signal?: AbortSignal } = {}): Promise<PodSubnet[]> {
    const subnetId = await (this.o.lookup ?? ((ns) => this.findSubnetId(ns, opts.signal)))(
      t.namespace,
    );
    if (subnetId === undefined) {
      throw new NotReadyError(`namespace ${t.namespace} has no Neutron subnet yet`);
    }
    return [await this.cache.get(subnetId, opts.signal)];
  }

  /**
   * Creates (or finds) the namespace's network and subnet and attaches the subnet to the router.
   * @throws NotReadyError (pool exhausted, quota), ConflictError (duplicates with the same name).
   */
  async ensureNamespaceNetwork(
    ns: NamespaceRef,
    projectId: string,
    signal?: AbortSignal,
  ): Promise<NamespaceNetwork> {
    const name = namespaceResourceName(ns);
    const tags = this.o.resourceTags ?? [];
    const undo: (() => Promise<unknown>)[] = [];
    try {
      let net = await this.neutron.networks.findOne({ name }, { signal });
      if (net === undefined) {
        net = await this.neutron.networks.createTagged(
          {
            name,
            project_id: projectId,
            admin_state_up: true,
            description: tags.join(','),
            ...(this.o.mtu ? { mtu: this.o.mtu } : {}),
          },
          tags,
          { signal },
        );
        const id = net.id;
        undo.push(() => this.neutron.networks.deleteIfExists(id));
      }
      const subnet = await this.ensureSubnet(net, name, projectId, tags, undo, signal);
      await this.ensureRouterInterface(subnet, signal);
      return {
        netId: net.id,
        subnetId: subnet.id,
        subnetCIDR: subnet.cidr,
        routerId: this.routerId,
      };
    } catch (error) {
      for (const step of undo.reverse()) await step().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Detaches the router, deletes leftover kuryr ports, the subnets and the network. Idempotent.
   * @param target the namespace (found by name) or the network id recorded in KuryrNetwork status
   * @throws NotReadyError when foreign ports still use the network (retry later)
   */
  async deleteNamespaceNetwork(
    target: NamespaceRef | { netId: string },
    signal?: AbortSignal,
  ): Promise<void> {
    const net =
      'netId' in target
        ? await this.neutron.networks.get(target.netId, { signal }).catch((e: unknown) => {
            if (isNotFoundError(e)) return undefined;
            throw e;
          })
        : await this.neutron.networks.findOne({ name: namespaceResourceName(target) }, { signal });
    if (net === undefined) return;
    for (const subnetId of net.subnets) {
      await this.neutron.routers
        .removeInterface(this.routerId, { subnet_id: subnetId }, { signal })
        .catch((e: unknown) => {
          if (!isNotFoundError(e)) throw e;
        });
    }
    const ports = await this.neutron.ports.listAll(
      { network_id: net.id, device_owner: DEVICE_OWNER_KURYR },
      { signal },
    );
    await Promise.all(ports.map((p) => this.neutron.ports.deleteIfExists(p.id, { signal })));
    for (const subnetId of net.subnets) {
      this.cache.forget(subnetId);
      await this.neutron.subnets.deleteIfExists(subnetId, { signal }).catch((e: unknown) => {
        throw isConflictError(e) ? busy(net, e) : e;
      });
    }
    await this.neutron.networks.deleteIfExists(net.id, { signal }).catch((e: unknown) => {
      throw isConflictError(e) ? busy(net, e) : e;
    });
    this.log.info({ networkId: net.id }, 'namespace network deleted');
  }

  private async ensureSubnet(
    net: Network,
    name: string,
    projectId: string,
    tags: readonly string[],
    undo: (() => Promise<unknown>)[],
    signal?: AbortSignal,
  ): Promise<Subnet> {
    const found = await this.neutron.subnets.findOne({ name, network_id: net.id }, { signal });
    if (found !== undefined) return found;
    const pool = await this.neutron.subnetpools.get(this.poolId, { signal });
    const subnet = await this.neutron.subnets.createTagged(
      {
        network_id: net.id,
        name,
        ip_version: pool.ip_version,
        subnetpool_id: pool.id,
        enable_dhcp: false,
        project_id: projectId,
      },
      tags,
      { signal },
    );
    undo.push(() => this.neutron.subnets.deleteIfExists(subnet.id));
    return subnet;
  }

  private async ensureRouterInterface(subnet: Subnet, signal?: AbortSignal): Promise<void> {
    const routerPorts = await this.neutron.ports.listAll(
      { device_id: this.routerId, network_id: subnet.network_id },
      { signal },
    );
    if (routerPorts.some((p) => p.fixed_ips.some((f) => f.subnet_id === subnet.id))) return;
    await this.neutron.routers.addInterface(this.routerId, { subnet_id: subnet.id }, { signal });
  }

  /** Default lookup: the network named `<uid>/<ns>`; one listing of kuryr-tagged networks. */
  private async findSubnetId(namespace: string, signal?: AbortSignal): Promise<string | undefined> {
    const tags = this.o.resourceTags ?? [];
    for await (const net of this.neutron.networks.list(
      { tags, fields: ['name', 'subnets'] },
      { signal },
    )) {
      if (
        net.name.endsWith(`/${namespace}`) &&
        net.name.indexOf('/') === net.name.length - namespace.length - 1
      ) {
        return net.subnets[0];
      }
    }
    return undefined;
  }
}

function busy(net: Network, cause: unknown): NotReadyError {
  return new NotReadyError(
    `namespace network ${net.id} is still in use by ports Kuryr does not own; retrying`,
    { cause, details: { networkId: net.id } },
  );
}
