/**
 * @module Neutron floating IP port forwardings (`/v2.0/floatingips/{fip}/port_forwardings`, extension
 * `floating-ip-port-forwarding`), a sub-resource of a floating IP.
 */
import type { ServiceClient } from '../http/types.js';
import { NestedResource } from './nested-resource.js';
import type { PortForwarding, PortForwardingCreate, PortForwardingUpdate } from './types.js';

/**
 * Client of the port forwardings of one floating IP; every verb takes the floating IP id first. A clash
 * on (floating IP, protocol, external port) is a ConflictError; a floating IP with port forwardings
 * cannot also be associated with a port (409).
 */
export class PortForwardingsClient extends NestedResource<
  PortForwarding,
  PortForwardingCreate,
  PortForwardingUpdate
> {
  constructor(http: ServiceClient) {
    super(http, {
      parentPath: '/v2.0/floatingips',
      collection: 'port_forwardings',
      singular: 'port_forwarding',
      plural: 'port_forwardings',
    });
  }
}
