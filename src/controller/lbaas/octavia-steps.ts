/**
 * @module The Octavia primitives the LBaaS driver is built from: a write followed by the wait for ACTIVE
 * (Octavia takes one change at a time per load balancer), create-or-find for objects a previous run may
 * have made, the bounded cascade delete, and the one-request status tree.
 */
import { isConflictError, isNotFoundError, isNotReadyError } from '../../common/errors/index.js';
import { Immutable } from '../../openstack/http/errors.js';
import type { LoadBalancer, OctaviaClient } from '../../openstack/octavia/index.js';
import { ProvisioningError } from '../../openstack/octavia/index.js';
import type { LbaasCallOptions, LoadBalancerInventory } from './types.js';

/** Deadlines of the waits. */
export interface StepTimings {
  /** Per wait. @default 300000 */
  activationTimeoutMs?: number;
  /** First poll delay. @default 250 */
  pollInitialMs?: number;
}

interface StatusTree {
  statuses?: {
    loadbalancer?: {
      provisioning_status?: string;
      listeners?: { id: string; pools?: { id: string; members?: { id: string }[] }[] }[];
      pools?: { id: string; members?: { id: string }[] }[];
    };
  };
}

/** Bounded Octavia steps on one client. */
export class OctaviaSteps {
  constructor(
    private readonly octavia: OctaviaClient,
    private readonly t: StepTimings = {},
  ) {}

  private waitOpts(o: LbaasCallOptions) {
    return {
      deadlineMs: this.t.activationTimeoutMs ?? 300_000,
      initialDelayMs: this.t.pollInitialMs ?? 250,
      ...(o.signal ? { signal: o.signal } : {}),
    };
  }

  /** Waits for ACTIVE (ProvisioningError on ERROR, NotFoundError when gone, TimeoutError). */
  waitActive(lbId: string, o: LbaasCallOptions): Promise<LoadBalancer> {
    return this.octavia.waitActive(lbId, this.waitOpts(o));
  }

  /** Runs one write: waits once more when the LB is still busy (409 Immutable), then waits for ACTIVE. */
  async mutate<T>(lbId: string, o: LbaasCallOptions, call: () => Promise<T>): Promise<T> {
    let out: T;
    try {
      out = await call();
    } catch (error) {
      if (!(error instanceof Immutable)) throw error;
      await this.waitActive(lbId, o);
      out = await call();
    }
    await this.waitActive(lbId, o);
    return out;
  }

  /** Create; on 409 (a previous run made it) find it; then wait for ACTIVE. */
  createOrFind<T>(
    lbId: string,
    o: LbaasCallOptions,
    create: () => Promise<T>,
    find: () => Promise<T | undefined>,
  ): Promise<T> {
    return this.mutate(lbId, o, async () => {
      try {
        return await create();
      } catch (error) {
        if (!isConflictError(error)) throw error;
        const found = await find();
        if (found === undefined) throw error;
        return found;
      }
    });
  }

  /** Cascade delete and wait until it is gone; a busy LB is awaited first. NotFound = done. */
  async deleteCascade(id: string, o: LbaasCallOptions): Promise<void> {
    let deleted: boolean;
    try {
      deleted = await this.octavia.loadBalancers.deleteIfExists(id, { ...o, cascade: true });
    } catch (error) {
      if (!isNotReadyError(error)) throw error;
      await this.waitActive(id, o).catch((e: unknown) => {
        if (!(e instanceof ProvisioningError) && !isNotFoundError(e)) throw e;
      });
      deleted = await this.octavia.loadBalancers.deleteIfExists(id, { ...o, cascade: true });
    }
    if (deleted) await this.octavia.waitDeleted(id, this.waitOpts(o));
  }

  /** The LB's tree in one request (`GET …/status`); undefined when Octavia no longer has it. */
  async inventory(lbId: string, o: LbaasCallOptions): Promise<LoadBalancerInventory | undefined> {
    try {
      const res = await this.octavia.http.request<StatusTree>({
        method: 'GET',
        path: `/v2/lbaas/loadbalancers/${encodeURIComponent(lbId)}/status`,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const tree = res.body?.statuses?.loadbalancer ?? {};
      const listeners = tree.listeners ?? [];
      const pools = [...(tree.pools ?? []), ...listeners.flatMap((l) => l.pools ?? [])];
      return {
        provisioningStatus: tree.provisioning_status ?? 'UNKNOWN',
        listenerIds: new Set(listeners.map((l) => l.id)),
        poolIds: new Set(pools.map((p) => p.id)),
        memberIds: new Set(pools.flatMap((p) => (p.members ?? []).map((m) => m.id))),
      };
    } catch (error) {
      if (isNotFoundError(error)) return undefined;
      throw error;
    }
  }
}
