/**
 * @module The typed Octavia v2 client: load balancers, listeners, pools, members and bounded waits on
 * provisioning_status, over one `ServiceClient` (service type `load-balancer`).
 */
import type { ServiceClient } from '../http/types.js';
import { ListenersClient } from './listeners.js';
import { LoadBalancersClient } from './load-balancers.js';
import { MembersClient } from './members.js';
import { PoolsClient } from './pools.js';
import { systemClock, waitActive, waitDeleted, type WaitClock, type WaitOptions } from './wait.js';
import type { LoadBalancer } from './types.js';

export type * from './types.js';
export type { WaitClock, WaitOptions } from './wait.js';
export type { LoadBalancerDeleteOptions } from './load-balancers.js';
export { ProvisioningError } from './provisioning-error.js';

/** Constructor options of `OctaviaClient`. */
export interface OctaviaClientOptions {
  /** Clock for the waits (tests inject a fake one). @default the real clock */
  clock?: WaitClock;
}

/**
 * Octavia client. Errors are the transport's typed errors; a change on a load balancer in `PENDING_*`
 * is 409 `Immutable` (NotReadyError): wait with `waitActive` between changes.
 *
 * @example
 * const lb = await octavia.loadBalancers.create({ name, vip_subnet_id });
 * await octavia.waitActive(lb.id, { deadlineMs: 120_000, signal });
 */
export class OctaviaClient {
  readonly loadBalancers: LoadBalancersClient;
  readonly listeners: ListenersClient;
  readonly pools: PoolsClient;
  readonly members: MembersClient;
  private readonly clock: WaitClock;

  constructor(
    readonly http: ServiceClient,
    options: OctaviaClientOptions = {},
  ) {
    this.loadBalancers = new LoadBalancersClient(http);
    this.listeners = new ListenersClient(http);
    this.pools = new PoolsClient(http);
    this.members = new MembersClient(http);
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Polls the load balancer until `provisioning_status` is ACTIVE (backoff 0.5 s doubling to 5 s).
   * @returns the ACTIVE load balancer.
   * @throws ProvisioningError (a ConflictError) on ERROR, NotFoundError when it disappeared,
   *   TimeoutError at the deadline (default 5 min), the abort reason when `signal` fires.
   */
  waitActive(lbId: string, opts: WaitOptions = {}): Promise<LoadBalancer> {
    return waitActive((signal) => this.loadBalancers.get(lbId, { signal }), lbId, this.clock, opts);
  }

  /**
   * Polls until the load balancer is gone (404 or DELETED); fine if it was gone already.
   * @throws ProvisioningError on ERROR, TimeoutError at the deadline.
   */
  waitDeleted(lbId: string, opts: WaitOptions = {}): Promise<void> {
    return waitDeleted(
      (signal) => this.loadBalancers.get(lbId, { signal }),
      lbId,
      this.clock,
      opts,
    );
  }
}
