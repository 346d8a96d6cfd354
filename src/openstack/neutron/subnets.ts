/** @module Neutron subnets (`/v2.0/subnets`). */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from './resource.js';
import type { Subnet, SubnetCreate, SubnetUpdate } from './types.js';

/**
 * Client of `/v2.0/subnets`. To allocate from a subnetpool pass `subnetpool_id` (and optionally
 * `prefixlen`, or a `cidr` inside the pool) instead of a free `cidr`.
 */
export class SubnetsClient extends NeutronResource<Subnet, SubnetCreate, SubnetUpdate> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2.0/subnets', singular: 'subnet', plural: 'subnets' });
  }
}
