/** @module Neutron ports (`/v2.0/ports`), single and bulk create. */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import { NeutronResource } from './resource.js';
import type { Port, PortCreate, PortUpdate } from './types.js';

/**
 * Client of `/v2.0/ports`. `binding:host_id` in a create/update needs an admin-role token
 * (COMPATIBILITY.md §1); a member gets 403 (AuthError).
 */
export class PortsClient extends NeutronResource<Port, PortCreate, PortUpdate> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2.0/ports', singular: 'port', plural: 'ports' });
  }

  /**
   * Creates several ports in ONE request (`POST /v2.0/ports` with `{ports: [...]}`). Neutron applies a
   * bulk create atomically: either every port exists afterwards or none does. Replies in input order.
   * NOTE: not retried by the transport (a POST); an ambiguous failure (timeout, reset) may have
   * created the ports — callers find them again by name/device_id.
   */
  async createBulk(bodies: readonly PortCreate[], opts: RequestOptions = {}): Promise<Port[]> {
    if (bodies.length === 0) return [];
    const res = await this.http.request<{ ports: Port[] }>({
      method: 'POST',
      path: this.spec.path,
      body: { ports: bodies },
      ...opts,
    });
    return res.body.ports;
  }
}
