/** @module Octavia pools (`/v2/lbaas/pools`). */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from '../neutron/resource.js';
import type { Pool, PoolCreate, PoolUpdate } from './types.js';

/** Client of `/v2/lbaas/pools`. Deleting a pool deletes its members. */
export class PoolsClient extends NeutronResource<Pool, PoolCreate, PoolUpdate> {
  constructor(http: ServiceClient) {
    super(http, { path: '/v2/lbaas/pools', singular: 'pool', plural: 'pools', tagsInBody: true });
  }
}
