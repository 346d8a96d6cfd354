/** @module Neutron floating IPs (`/v2.0/floatingips`, extension `router`). */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions } from './request-options.js';
import { NeutronResource } from './resource.js';
import type { FloatingIp, FloatingIpCreate, FloatingIpUpdate } from './types.js';

/**
 * Client of `/v2.0/floatingips`. Associating a port needs a router between the port's subnet and the
 * floating network (else 404 `ExternalGatewayForFloatingIPNotFound`).
 */
export class FloatingIpsClient extends NeutronResource<
  FloatingIp,
  FloatingIpCreate,
  FloatingIpUpdate
> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2.0/floatingips', singular: 'floatingip', plural: 'floatingips' });
  }

  /** Associates the floating IP with a port (optionally one of its fixed IPs). */
  associate(
    id: string,
    portId: string,
    fixedIpAddress?: string,
    opts: RequestOptions = {},
  ): Promise<FloatingIp> {
    return this.update(
      id,
      fixedIpAddress === undefined
        ? { port_id: portId }
        : { port_id: portId, fixed_ip_address: fixedIpAddress },
      opts,
    );
  }

  /** Disassociates the floating IP from its port (`port_id: null`). */
  disassociate(id: string, opts: RequestOptions = {}): Promise<FloatingIp> {
    return this.update(id, { port_id: null }, opts);
  }
}
