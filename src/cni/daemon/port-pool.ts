/**
 * @module Warm pool of pre-created Neutron ports per (network, subnets, security groups, project) for
 * standalone ADD: a pooled port is already bound to this host, so taking it costs one request (re-tagging
 * it with the attachment's identity) instead of create + tag. Pool ports live in Neutron, tagged
 * `kuryr.cni.pool` + the network tag, so a restarted daemon adopts them; they carry no attachment tags,
 * so GC never deletes them. Enabled per network by the conflist key `pool_size` (default 0 = off).
 */
import type { Logger } from 'pino';
import type { Port, PortCreate } from '../../openstack/neutron/types.js';
import { CNI_DEVICE_OWNER } from './identity.js';
import type { CniPortStore } from './types.js';

/** Marks a pooled, unclaimed port. */
export const TAG_CNI_POOL = 'kuryr.cni.pool';

/** Everything that makes two pool ports interchangeable. */
export interface PoolKey {
  networkId: string;
  /** Network-scope tag of the CNI network (identity.networkTag). */
  networkTag: string;
  subnetIds: string[];
  securityGroups: string[];
  project?: string;
}

function keyString(k: PoolKey): string {
  return JSON.stringify([
    k.networkId,
    k.networkTag,
    [...k.subnetIds].sort(),
    [...k.securityGroups].sort(),
    k.project ?? '',
  ]);
}

interface Bucket {
  ports: Port[];
  adopted: boolean;
  filling: Promise<void> | undefined;
}

/** The pool; all state besides Neutron is a rebuildable cache. */
export class PortPool {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly store: CniPortStore,
    private readonly host: string,
    private readonly log: Logger,
  ) {}

  private bucket(k: PoolKey): Bucket {
    const s = keyString(k);
    let b = this.buckets.get(s);
    if (!b) {
      b = { ports: [], adopted: false, filling: undefined };
      this.buckets.set(s, b);
    }
    return b;
  }

  private body(k: PoolKey): PortCreate {
    return {
      network_id: k.networkId,
      name: 'kuryr-pool-port',
      admin_state_up: true,
      device_owner: CNI_DEVICE_OWNER,
      'binding:host_id': this.host,
      ...(k.subnetIds.length ? { fixed_ips: k.subnetIds.map((subnet_id) => ({ subnet_id })) } : {}),
      ...(k.securityGroups.length ? { security_groups: k.securityGroups } : {}),
      ...(k.project ? { project_id: k.project } : {}),
    };
  }

  /** Adopts pool ports left by an earlier daemon, then creates ports until `size` are ready. */
  private async fill(k: PoolKey, b: Bucket, size: number): Promise<void> {
    if (!b.adopted) {
      const found = await this.store.findPorts([TAG_CNI_POOL, k.networkTag], this.host);
      const mine = found.filter((p) => p.network_id === k.networkId);
      b.ports.push(...mine.filter((p) => !b.ports.some((q) => q.id === p.id)));
      b.adopted = true;
    }
    while (b.ports.length < size) {
      b.ports.push(await this.store.createPort(this.body(k), [TAG_CNI_POOL, k.networkTag]));
    }
  }

  /** Starts a background refill unless one runs; errors are logged (the next ADD falls back to create). */
  refill(k: PoolKey, size: number): Promise<void> {
    const b = this.bucket(k);
    b.filling ??= this.fill(k, b, size)
      .catch((err: unknown) =>
        this.log.warn({ err, network: k.networkId }, 'CNI port pool refill failed'),
      )
      .finally(() => {
        b.filling = undefined;
      });
    return b.filling;
  }

  /**
   * Takes a warm port and claims it for `tags` (one Neutron request), or returns undefined when the pool
   * is empty. Always schedules a refill to `size`.
   */
  async take(
    k: PoolKey,
    size: number,
    tags: readonly string[],
    signal?: AbortSignal,
  ): Promise<Port | undefined> {
    const b = this.bucket(k);
    const port = b.ports.shift();
    if (!port) {
      void this.refill(k, size);
      return undefined;
    }
    try {
      return await this.store.claimPort(port, {}, tags, signal, [TAG_CNI_POOL]);
    } finally {
      // Refill after the claim: on a small control plane a concurrent create slows the claim down.
      void this.refill(k, size);
    }
  }

  /** Number of warm ports for `k` (tests, metrics). */
  size(k: PoolKey): number {
    return this.bucket(k).ports.length;
  }
}
