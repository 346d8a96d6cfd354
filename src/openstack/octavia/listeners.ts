/** @module Octavia listeners (`/v2/lbaas/listeners`). */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from '../neutron/resource.js';
import type { Listener, ListenerCreate, ListenerUpdate } from './types.js';

/**
 * Client of `/v2/lbaas/listeners`. Creating one puts its load balancer in `PENDING_UPDATE`; wait for
 * ACTIVE before the next change on the same load balancer.
 */
export class ListenersClient extends NeutronResource<Listener, ListenerCreate, ListenerUpdate> {
  constructor(http: ServiceClient) {
    super(http, {
      path: '/v2/lbaas/listeners',
      singular: 'listener',
      plural: 'listeners',
      tagsInBody: true,
    });
  }
}
