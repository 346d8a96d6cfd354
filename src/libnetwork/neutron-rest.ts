/**
 * @module `LibnetworkNeutron` over an OpenStack `ServiceClient` for the `network` service. The client maps
 * non-2xx replies to the kuryr error categories; this file only builds paths and bodies.
 */
import type { ServiceClient } from '../openstack/http/types.js';
import type { Filters, LibnetworkNeutron, NeutronResources, ResourceKind } from './neutron-port.js';

const SINGULAR: Record<ResourceKind, string> = {
  networks: 'network',
  subnets: 'subnet',
  subnetpools: 'subnetpool',
  ports: 'port',
  'security-groups': 'security_group',
  'security-group-rules': 'security_group_rule',
};

const plural = (kind: ResourceKind): string => `${SINGULAR[kind]}s`;

/** REST implementation of `LibnetworkNeutron`. */
export class RestLibnetworkNeutron implements LibnetworkNeutron {
  constructor(private readonly client: ServiceClient) {}

  async list<K extends ResourceKind>(
    kind: K,
    filters: Filters = {},
  ): Promise<NeutronResources[K][]> {
    const query: Record<string, string | number | boolean | readonly string[]> = {};
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) query[k] = v;
    const res = await this.client.request<Record<string, NeutronResources[K][]>>({
      method: 'GET',
      path: `/v2.0/${kind}`,
      query,
    });
    return res.body[plural(kind)] ?? [];
  }

  async get<K extends ResourceKind>(kind: K, id: string): Promise<NeutronResources[K]> {
    const res = await this.client.request<Record<string, NeutronResources[K]>>({
      method: 'GET',
      path: `/v2.0/${kind}/${encodeURIComponent(id)}`,
    });
    return res.body[SINGULAR[kind]] as NeutronResources[K];
  }

  async create<K extends ResourceKind>(
    kind: K,
    body: Record<string, unknown>,
  ): Promise<NeutronResources[K]> {
    const res = await this.client.request<Record<string, NeutronResources[K]>>({
      method: 'POST',
      path: `/v2.0/${kind}`,
      body: { [SINGULAR[kind]]: body },
    });
    return res.body[SINGULAR[kind]] as NeutronResources[K];
  }

  async update<K extends ResourceKind>(
    kind: K,
    id: string,
    body: Record<string, unknown>,
  ): Promise<NeutronResources[K]> {
    const res = await this.client.request<Record<string, NeutronResources[K]>>({
      method: 'PUT',
      path: `/v2.0/${kind}/${encodeURIComponent(id)}`,
      body: { [SINGULAR[kind]]: body },
    });
    return res.body[SINGULAR[kind]] as NeutronResources[K];
  }

  async delete(kind: ResourceKind, id: string): Promise<void> {
    await this.client.request({
      method: 'DELETE',
      path: `/v2.0/${kind}/${encodeURIComponent(id)}`,
    });
  }

  async replaceTags(kind: ResourceKind, id: string, tags: readonly string[]): Promise<void> {
    // NOTE: Neutron Zed ignores `tags` in POST bodies — COMPATIBILITY.md §1; replace all in one call.
    await this.client.request({
      method: 'PUT',
      path: `/v2.0/${kind}/${encodeURIComponent(id)}/tags`,
      body: { tags: [...new Set(tags)] },
    });
  }

  async extensions(): Promise<string[]> {
    const res = await this.client.request<{ extensions: { alias: string }[] }>({
      method: 'GET',
      path: '/v2.0/extensions',
    });
    return res.body.extensions.map((e) => e.alias);
  }
}
