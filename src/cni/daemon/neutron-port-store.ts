/**
 * @module The standalone service's Neutron operations over the typed NeutronClient. Networks and subnets
 * are cached briefly (they rarely change and ADD is on the container start path); ports never are.
 */
import {
  ConflictError,
  ignoreNotFound,
  isNotFoundError,
  NotFoundError,
} from '../../common/errors/index.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import type { Network, Port, PortCreate, Subnet } from '../../openstack/neutron/types.js';
import type { CniPortStore } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Cached<T> {
  value: T;
  until: number;
}

/** {@link CniPortStore} backed by Neutron. */
export class NeutronPortStore implements CniPortStore {
  private readonly networks = new Map<string, Cached<Network>>();
  private readonly subnetCache = new Map<string, Cached<Subnet>>();

  constructor(
    private readonly neutron: NeutronClient,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async resolveNetwork(idOrName: string, signal?: AbortSignal): Promise<Network> {
    const hit = this.networks.get(idOrName);
    if (hit && hit.until > this.now()) return hit.value;
    let net: Network | undefined;
    if (UUID.test(idOrName)) {
      try {
        net = await this.neutron.networks.get(idOrName, { signal });
      } catch (err) {
        if (!isNotFoundError(err)) throw err;
      }
    }
    if (net === undefined) {
      const byName = await this.neutron.networks.listAll({ name: idOrName }, { signal });
      if (byName.length > 1) {
        throw new ConflictError(
          `${byName.length} Neutron networks are named "${idOrName}"; use the id`,
        );
      }
      net = byName[0];
    }
    if (net === undefined) throw new NotFoundError(`Neutron network "${idOrName}" not found`);
    this.networks.set(idOrName, { value: net, until: this.now() + this.ttlMs });
    return net;
  }

  async subnets(ids: readonly string[], signal?: AbortSignal): Promise<Subnet[]> {
    const missing = ids.filter((id) => !((this.subnetCache.get(id)?.until ?? 0) > this.now()));
    if (missing.length > 0) {
      const fetched = await this.neutron.subnets.listAll({ id: missing }, { signal });
      for (const s of fetched)
        this.subnetCache.set(s.id, { value: s, until: this.now() + this.ttlMs });
    }
    return ids
      .map((id) => this.subnetCache.get(id)?.value)
      .filter((s): s is Subnet => s !== undefined);
  }

  async resolveSecurityGroups(
    idsOrNames: readonly string[],
    projectId?: string,
    signal?: AbortSignal,
  ): Promise<string[]> {
    const out: string[] = [];
    for (const want of idsOrNames) {
      if (UUID.test(want)) {
        out.push(want);
        continue;
      }
      const found = await this.neutron.securityGroups.listAll(
        { name: want, ...(projectId ? { project_id: projectId } : {}), fields: ['id'] },
        { signal },
      );
      if (found.length !== 1) {
        throw new (found.length ? ConflictError : NotFoundError)(
          `security group "${want}": ${found.length} matches; use its id`,
        );
      }
      out.push(found[0]!.id);
    }
    return out;
  }

  findPorts(tags: readonly string[], hostId?: string, signal?: AbortSignal): Promise<Port[]> {
    return this.neutron.ports.listAll(
      { tags, ...(hostId ? { 'binding:host_id': hostId } : {}) },
      { signal },
    );
  }

  createPort(body: PortCreate, tags: readonly string[], signal?: AbortSignal): Promise<Port> {
    return this.neutron.ports.createTagged(body, tags, { signal });
  }

  async claimPort(
    port: Port,
    update: Partial<PortCreate>,
    tags: readonly string[],
    signal?: AbortSignal,
    removeTags: readonly string[] = [],
  ): Promise<Port> {
    const updated =
      Object.keys(update).length > 0
        ? await this.neutron.ports.update(port.id, update, { signal })
        : port;
    const merged = [
      ...new Set([...(updated.tags ?? []).filter((t) => !removeTags.includes(t)), ...tags]),
    ];
    await this.neutron.tags.replace('ports', port.id, merged, { signal });
    return { ...updated, tags: merged };
  }

  getPort(id: string, signal?: AbortSignal): Promise<Port> {
    return this.neutron.ports.get(id, { signal });
  }

  async deletePort(id: string, signal?: AbortSignal): Promise<void> {
    await ignoreNotFound(() => this.neutron.ports.delete(id, { signal }));
  }

  async ping(signal?: AbortSignal): Promise<void> {
    // One page of one network is enough to prove Keystone + Neutron answer; stop before paging on.
    for await (const _ of this.neutron.networks.list({ fields: ['id'] }, { signal, pageSize: 1 }))
      break;
  }
}
