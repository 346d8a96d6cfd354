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

  /** Creates several ports in ONE atomic request, in input order (see `createMany`). */
  createBulk(bodies: readonly PortCreate[], opts: RequestOptions = {}): Promise<Port[]> {
    return this.createMany(bodies, opts);
  }
}
