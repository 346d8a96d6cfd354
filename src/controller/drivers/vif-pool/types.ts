/**
 * @module The VIF pool plug-in point (`[kubernetes] vif_pool_driver`): hands pod VIFs out of pools of
 * pre-created ports, so the per-pod path costs no port create.
 */
import type { Vif } from '../../../models/vif.js';
import type { CallOptions, VifRequest } from '../pod-vif/types.js';

/** Size of one pool, for status output and tests. */
export interface PoolInfo {
  key: string;
  node: string;
  projectId: string;
  subnetIds: string[];
  securityGroups: string[];
  free: number;
}

/**
 * Contract:
 * - `requestVif` never hands the same port to two callers, also under concurrent calls (per-pool lock).
 *   A port taken from a pool whose security groups differ gets its SGs updated (one PUT) — the only
 *   Neutron call on the per-pod path once a pool is filled.
 * - `releaseVif` returns the port to the pool of `req` (or deletes it above `ports_pool_max`); releasing
 *   a port already in a pool is a no-op.
 * - `sync` rebuilds the pools from Neutron after a restart: kuryr pool ports not referenced by any
 *   KuryrPort (`referencedPortIds`) go back into their pools.
 * Errors are those of the Pod VIF driver underneath.
 */
export interface VifPoolDriver {
  readonly alias: string;
  requestVif(req: VifRequest, opts?: CallOptions): Promise<Vif>;
  releaseVif(vif: Vif, req: VifRequest, opts?: CallOptions): Promise<void>;
  activateVif(vif: Vif, opts?: CallOptions): Promise<Vif>;
  updateVifSgs(vif: Vif, securityGroups: readonly string[], opts?: CallOptions): Promise<void>;
  /**
   * Pre-populates the pool of `req`: `count` ports, or up to `ports_pool_min` free when omitted, in
   * bulk requests of `ports_pool_batch`. @returns the number of ports created.
   */
  populate(req: VifRequest, count?: number, opts?: CallOptions): Promise<number>;
  /** Recovers pool ports from Neutron. @returns the number of ports put back into pools. */
  sync(referencedPortIds: ReadonlySet<string>, opts?: CallOptions): Promise<number>;
  /** Deletes pooled ports that use `sgId` (so the group can be deleted). */
  removeSgFromPools(sgId: string, opts?: CallOptions): Promise<void>;
  /** Deletes pooled ports on `networkId` (before the network is deleted). */
  deleteNetworkPools(networkId: string, opts?: CallOptions): Promise<void>;
  /** Current pools. */
  pools(): PoolInfo[];
  /** False for a driver that keeps no pools (`noop`): the pool manager refuses populate/free then. */
  readonly keepsPools: boolean;
  /** Ids of the free ports of the pool `key` (a {@link PoolInfo.key}); [] for an unknown key. */
  poolPortIds(key: string): string[];
  /**
   * Deletes the free ports of every pool `match` selects and forgets those pools (no top-up until a
   * pod asks again). A port whose delete fails stays in its pool and the first error is thrown.
   * @returns the number of ports deleted.
   */
  freePools(match: (pool: PoolInfo) => boolean, opts?: CallOptions): Promise<number>;
}
