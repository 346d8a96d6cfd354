/**
 * @module The in-memory free lists of the `neutron` VIF pool: which free ports each pool (node, project,
 * subnets, SG set) holds. Pure bookkeeping, no Neutron call and no locking: the pool driver calls it
 * under its per-base-key lock. A port id is in at most one pool at a time.
 */
import type { Vif } from '../../../models/vif.js';
import type { VifRequest } from '../pod-vif/types.js';
import { baseKey, poolKey, type PoolKeyParts } from './pool-key.js';
import type { PoolInfo } from './types.js';

/** One pool's free ports. */
export interface Pool {
  parts: PoolKeyParts;
  free: Vif[];
  /** The last request served by this pool: how the periodic top-up refills it. */
  template?: VifRequest;
}

/** Free ports by pool key. */
export class PoolStore {
  private readonly byKey = new Map<string, Pool>();
  /** Port ids currently free in some pool: a second put of the same port is ignored. */
  private readonly pooled = new Set<string>();

  /** Free ports of the pool `key`. */
  size(key: string): number {
    return this.byKey.get(key)?.free.length ?? 0;
  }

  /** True when `portId` is free in some pool. */
  has(portId: string): boolean {
    return this.pooled.has(portId);
  }

  /** Records `req` as the template of its pool (creating the pool when new). */
  remember(parts: PoolKeyParts, req: VifRequest): void {
    const key = poolKey(parts);
    const pool = this.byKey.get(key) ?? { parts, free: [] };
    pool.template = req;
    this.byKey.set(key, pool);
  }

  /** Takes the oldest free port of pool `key`. */
  take(key: string): Vif | undefined {
    const vif = this.byKey.get(key)?.free.shift();
    if (vif !== undefined) this.pooled.delete(vif.id);
    return vif;
  }

  /** Takes a free port of another pool with the same base key (other SGs), if any. */
  takeSibling(parts: PoolKeyParts): { vif: Vif; from: PoolKeyParts } | undefined {
    const base = baseKey(parts);
    for (const [key, pool] of this.byKey) {
      if (baseKey(pool.parts) !== base || pool.free.length === 0) continue;
      const vif = this.take(key);
      if (vif !== undefined) return { vif, from: pool.parts };
    }
    return undefined;
  }

  /** Adds `vif` to the pool of `parts`; a port already free somewhere is ignored. */
  put(parts: PoolKeyParts, vif: Vif): void {
    if (this.pooled.has(vif.id)) return;
    const key = poolKey(parts);
    let pool = this.byKey.get(key);
    if (pool === undefined) {
      pool = { parts, free: [] };
      this.byKey.set(key, pool);
    }
    pool.free.push(vif);
    this.pooled.add(vif.id);
  }

  /** Removes and returns every free port of `pool` (the pool itself stays until {@link forgetIfEmpty}). */
  takeAll(pool: Pool): Vif[] {
    const vifs = pool.free.splice(0);
    for (const v of vifs) this.pooled.delete(v.id);
    return vifs;
  }

  /** Forgets the pool `key` when it is still `pool` and holds no port. */
  forgetIfEmpty(key: string, pool: Pool): void {
    if (pool.free.length === 0 && this.byKey.get(key) === pool) this.byKey.delete(key);
  }

  /** A snapshot of the pools with their keys. */
  entries(): [string, Pool][] {
    return [...this.byKey];
  }

  /** Status view of every pool. */
  infos(): PoolInfo[] {
    return this.entries().map(([key, p]) => poolInfo(key, p));
  }

  /** Free port ids of pool `key`. */
  portIds(key: string): string[] {
    return this.byKey.get(key)?.free.map((v) => v.id) ?? [];
  }
}

/** The status view of one pool. */
export function poolInfo(key: string, p: Pool): PoolInfo {
  return { key, ...p.parts, free: p.free.length };
}
