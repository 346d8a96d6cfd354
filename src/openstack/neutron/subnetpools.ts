/** @module Neutron subnet pools (`/v2.0/subnetpools`, extension `subnet_allocation`). */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from './resource.js';
import type { SubnetPool, SubnetPoolCreate, SubnetPoolUpdate } from './types.js';

/** Client of `/v2.0/subnetpools`. */
export class SubnetPoolsClient extends NeutronResource<
  SubnetPool,
  SubnetPoolCreate,
  SubnetPoolUpdate
> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2.0/subnetpools', singular: 'subnetpool', plural: 'subnetpools' });
  }
}
