/**
 * Tiny Neutron client for the binding e2e tests (Keystone password auth + JSON over undici), with
 * Kuryr error categories and the `NestedNeutron` calls the nested drivers use. Deliberately minimal:
 * production code uses src/openstack/neutron.
 *
 * @module test/helpers/neutron-lite
 */
import { request } from 'undici';
import { ConflictError, NotFoundError } from '../../src/common/errors/index.js';
import type { BindingPort, NestedNeutron } from '../../src/binding/types.js';
import type {
  AllowedAddressPair,
  Network,
  Port,
  SubPort,
  Subnet,
  Trunk,
} from '../../src/openstack/neutron/types.js';
import type { OpenStackEnv } from './openstack-env.js';

/** Minimal Neutron client bound to one project (the env's admin user). */
export class NeutronLite implements NestedNeutron {
  private token: string | undefined;

  constructor(private readonly env: OpenStackEnv) {}

  private async auth(): Promise<string> {
    if (this.token) return this.token;
    const { adminUser: u, userDomainName, projectDomainName } = this.env;
    const res = await request(`${this.env.authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: u.username, password: u.password, domain: { name: userDomainName } },
            },
          },
          scope: { project: { name: u.projectName, domain: { name: projectDomainName } } },
        },
      }),
    });
    await res.body.text();
    if (res.statusCode !== 201) throw new Error(`Keystone auth failed: HTTP ${res.statusCode}`);
    this.token = String(res.headers['x-subject-token']);
    return this.token;
  }

  /** One JSON call; 404 → NotFoundError, 409/412 → ConflictError. */
  async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await request(`${this.env.neutronUrl}/v2.0${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-auth-token': await this.auth(),
        ...headers,
      },
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    const what = `${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`;
    if (res.statusCode === 404) throw new NotFoundError(what);
    if (res.statusCode === 409 || res.statusCode === 412) throw new ConflictError(what);
    if (res.statusCode >= 300) throw new Error(what);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async createNetwork(name: string): Promise<Network> {
    return (await this.call<{ network: Network }>('POST', '/networks', { network: { name } }))
      .network;
  }
  async createSubnet(
    body: Partial<Subnet> & { network_id: string; cidr: string; ip_version: 4 | 6 },
  ): Promise<Subnet> {
    return (
      await this.call<{ subnet: Subnet }>('POST', '/subnets', {
        subnet: { enable_dhcp: false, ...body },
      })
    ).subnet;
  }
  async createPort(body: Record<string, unknown>): Promise<Port> {
    return (await this.call<{ port: Port }>('POST', '/ports', { port: body })).port;
  }
  async getPortFull(id: string): Promise<Port> {
    return (await this.call<{ port: Port }>('GET', `/ports/${id}`)).port;
  }
  async getSubnet(id: string): Promise<Subnet> {
    return (await this.call<{ subnet: Subnet }>('GET', `/subnets/${id}`)).subnet;
  }
  async createTrunk(name: string, portId: string): Promise<Trunk> {
    return (
      await this.call<{ trunk: Trunk }>('POST', '/trunks', { trunk: { name, port_id: portId } })
    ).trunk;
  }
  /** Deletes, NotFound = success. */
  async delete(kind: 'ports' | 'networks' | 'subnets' | 'trunks', id: string): Promise<void> {
    try {
      await this.call('DELETE', `/${kind}/${id}`);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /** Polls until the port is ACTIVE (or `timeoutMs` passes); returns the last status seen. */
  async waitActive(id: string, timeoutMs = 60_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let status = '';
    while (Date.now() < end) {
      status = (await this.getPortFull(id)).status;
      if (status === 'ACTIVE') return status;
      await new Promise((r) => setTimeout(r, 500));
    }
    return status;
  }

  // NestedNeutron
  async getPort(id: string): Promise<BindingPort & { revision_number: number }> {
    return this.getPortFull(id);
  }
  async updatePortPairs(id: string, pairs: AllowedAddressPair[], rev: number): Promise<void> {
    await this.call(
      'PUT',
      `/ports/${id}`,
      { port: { allowed_address_pairs: pairs } },
      { 'if-match': `revision_number=${rev}` },
    );
  }
  async getTrunk(id: string): Promise<Trunk> {
    return (await this.call<{ trunk: Trunk }>('GET', `/trunks/${id}`)).trunk;
  }
  async addSubports(id: string, subports: SubPort[]): Promise<void> {
    await this.call('PUT', `/trunks/${id}/add_subports`, { sub_ports: subports });
  }
  async removeSubports(id: string, portIds: string[]): Promise<void> {
    await this.call('PUT', `/trunks/${id}/remove_subports`, {
      sub_ports: portIds.map((port_id) => ({ port_id })),
    });
  }
}
