/** @module Octavia load balancers (`/v2/lbaas/loadbalancers`). */
import type { ServiceClient } from '../http/types.js';
import { NeutronResource } from '../neutron/resource.js';
import type { RequestOptions } from '../neutron/request-options.js';
import type { LoadBalancer, LoadBalancerCreate, LoadBalancerUpdate } from './types.js';

/** Options of a load balancer delete. */
export interface LoadBalancerDeleteOptions extends RequestOptions {
  /** Also delete its listeners, pools and members (`?cascade=true`). @default false */
  cascade?: boolean;
}

/**
 * Client of `/v2/lbaas/loadbalancers`. The wire shape is Neutron's (`{loadbalancer: …}`, `*_links`
 * paging, the same tag filters), so the generic verbs are shared. Changes are asynchronous: after a
 * create/update/delete the object is `PENDING_*` and refuses further changes (409 `Immutable`, a
 * NotReadyError) until `OctaviaClient.waitActive` returns.
 */
export class LoadBalancersClient extends NeutronResource<
  LoadBalancer,
  LoadBalancerCreate,
  LoadBalancerUpdate
> {
  constructor(http: ServiceClient) {
    super(http, {
      path: '/v2/lbaas/loadbalancers',
      singular: 'loadbalancer',
      plural: 'loadbalancers',
      tagsInBody: true,
    });
  }

  /**
   * Starts deleting a load balancer (202; it goes `PENDING_DELETE`, then disappears: see `waitDeleted`).
   * Without `cascade` a load balancer that still has listeners or pools is refused (400).
   * @throws NotFoundError when it is already gone.
   */
  override async delete(id: string, opts: LoadBalancerDeleteOptions = {}): Promise<void> {
    const { cascade, ...rest } = opts;
    await this.http.request({
      method: 'DELETE',
      path: this.itemPath(id),
      ...(cascade === true ? { query: { cascade: true } } : {}),
      ...rest,
    });
  }

  /** Idempotent delete (NotFound = success). @returns false when it was already gone. */
  override deleteIfExists(id: string, opts: LoadBalancerDeleteOptions = {}): Promise<boolean> {
    return super.deleteIfExists(id, opts);
  }
}
