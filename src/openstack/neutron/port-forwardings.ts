/**
 * @module Neutron floating IP port forwardings (`/v2.0/floatingips/{fip}/port_forwardings`, extension
 * `floating-ip-port-forwarding`), a sub-resource of a floating IP.
 */
import type { ServiceClient } from '../http/types.js';
import type { RequestOptions, UpdateOptions } from './request-options.js';
import { NeutronResource } from './resource.js';
import type {
  ListFilters,
  ListOptions,
  PortForwarding,
  PortForwardingCreate,
  PortForwardingUpdate,
} from './types.js';

type Inner = NeutronResource<PortForwarding, PortForwardingCreate, PortForwardingUpdate>;

/**
 * Client of the port forwardings of one floating IP; every method takes the floating IP id first.
 * A floating IP with port forwardings cannot also be associated with a port (409).
 */
export class PortForwardingsClient {
  constructor(private readonly http: ServiceClient) {}

  /** The generic verbs bound to one floating IP (cheap: no request). */
  of(floatingIpId: string): Inner {
    return new NeutronResource(this.http, {
      path: `/v2.0/floatingips/${encodeURIComponent(floatingIpId)}/port_forwardings`,
      singular: 'port_forwarding',
      plural: 'port_forwardings',
    });
  }

  /** Creates a port forwarding. A clash on (floating IP, protocol, external port) is a ConflictError. */
  create(
    fipId: string,
    body: PortForwardingCreate,
    opts?: RequestOptions,
  ): Promise<PortForwarding> {
    return this.of(fipId).create(body, opts);
  }

  /** Reads one. @throws NotFoundError */
  get(fipId: string, id: string, opts?: RequestOptions): Promise<PortForwarding> {
    return this.of(fipId).get(id, opts);
  }

  /** Updates one. @throws NotFoundError */
  update(
    fipId: string,
    id: string,
    body: PortForwardingUpdate,
    opts?: UpdateOptions,
  ): Promise<PortForwarding> {
    return this.of(fipId).update(id, body, opts);
  }

  /** Deletes one. @throws NotFoundError */
  delete(fipId: string, id: string, opts?: RequestOptions): Promise<void> {
    return this.of(fipId).delete(id, opts);
  }

  /** Idempotent delete. @returns false when it was already gone. */
  deleteIfExists(fipId: string, id: string, opts?: RequestOptions): Promise<boolean> {
    return this.of(fipId).deleteIfExists(id, opts);
  }

  /** Lists the port forwardings of a floating IP, paging lazily. */
  list(
    fipId: string,
    filters?: ListFilters,
    opts?: ListOptions & RequestOptions,
  ): AsyncGenerator<PortForwarding> {
    return this.of(fipId).list(filters, opts);
  }

  /** All port forwardings of a floating IP matching `filters`. */
  listAll(
    fipId: string,
    filters?: ListFilters,
    opts?: ListOptions & RequestOptions,
  ): Promise<PortForwarding[]> {
    return this.of(fipId).listAll(filters, opts);
  }
}
