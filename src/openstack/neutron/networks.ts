/** @module Neutron networks (`/v2.0/networks`). */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from './resource.js';
import type { Network, NetworkCreate, NetworkUpdate } from './types.js';

/** Client of `/v2.0/networks`: the generic verbs of `NeutronResource`. */
export class NetworksClient extends NeutronResource<Network, NetworkCreate, NetworkUpdate> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2.0/networks', singular: 'network', plural: 'networks' });
  }
}
