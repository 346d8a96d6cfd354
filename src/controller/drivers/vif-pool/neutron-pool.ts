/**
 * @module `neutron` VIF pool: per (node, project, subnets, SG set) a list of free pre-created ports
 * (`kuryr-pool-port`, bound to the node), filled by bulk creates and recovered from Neutron on restart.
 *
 * Guarantees:
 * - a port is handed out at most once: every take/put of one base key runs under one KeyedMutex key;
 *   different nodes/projects/subnets never wait for each other;
 * - hand-out from a filled pool makes no Neutron call, except one SG update when the port comes from a
 *   sibling pool with other security groups;
 * - an empty pool is refilled with ONE bulk request of `ports_pool_batch` ports, then served; concurrent
 *   requests that find it empty share that bulk request (RequestBatcher), each getting its own port;
 * - above `ports_pool_max` a released port is deleted instead of pooled.
 */
import type { Logger } from 'pino';
import { KeyedMutex } from '../../../common/keyed-mutex.js';
import type { Vif } from '../../../models/vif.js';
import type { NeutronClient, Port } from '../../../openstack/neutron/index.js';
import type { DriverDeps } from '../deps.js';
import type { CallOptions, PodSubnet, PodVifDriver, VifRequest } from '../pod-vif/types.js';
import { DEVICE_OWNER_KURYR, POOL_PORT_NAME } from '../pod-vif/types.js';
import { vifFromBoundPort } from '../pod-vif/vif-from-port.js';
import { SubnetCache } from '../subnets/subnet-cache.js';
import { baseKey, keyParts, normalise, poolKey, type PoolKeyParts } from './pool-key.js';
import { PoolStore, poolInfo, type Pool } from './pool-store.js';
import { RequestBatcher } from './request-batcher.js';
import type { PoolInfo, VifPoolDriver } from './types.js';

/** Pool sizes (`[vif_pool]`). */
export interface PortPoolOptions {
  /** `ports_pool_min`. @default 5 */
  min?: number;
  /** `ports_pool_batch`. @default 10 */
  batch?: number;
  /** `ports_pool_max` (0 = unbounded). @default 0 */
  max?: number;
  /** `[neutron_defaults] resource_tags` (recovery filter). @default [] */
  resourceTags?: readonly string[];
  /** `[neutron_defaults] ovs_bridge`. @default 'br-int' */
  ovsBridge?: string;
  /** How long a request on an empty pool waits for others to share its refill. @default 20 */
  batchWindowMs?: number;
}

/** The `neutron` VIF pool driver (over `neutron-vif`). */
export class NeutronVifPool implements VifPoolDriver {
  readonly alias = 'neutron';
  readonly keepsPools = true;
  private readonly store = new PoolStore();
  private readonly locks = new KeyedMutex();
  private readonly subnets: SubnetCache;
  private readonly min: number;
  private readonly batch: number;
  private readonly max: number;
  private timer: NodeJS.Timeout | undefined;
  /** Coalesces the requests that found their pool empty. */
  private readonly refills: RequestBatcher<VifRequest, Vif>;

  constructor(
    private readonly driver: PodVifDriver,
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    private readonly o: PortPoolOptions = {},
  ) {
    this.min = o.min ?? 5;
    this.batch = Math.max(1, o.batch ?? 10);
    this.max = o.max ?? 0;
    this.subnets = new SubnetCache(neutron);
    this.refills = new RequestBatcher<VifRequest, Vif>({
      keyOf: (req) => poolKey(keyParts(req)),
      run: (reqs) => this.refill(reqs),
      // The requester went away: the port is a free pool port again.
      discard: (vif, req) => this.releaseVif(vif, req),
      maxBatch: this.batch,
      windowMs: o.batchWindowMs ?? 20,
      log,
    });
  }

  /** Builds the pool from kuryr.conf around `driver`. */
  static fromDeps(d: DriverDeps, driver: PodVifDriver): NeutronVifPool {
    const v = d.config.vifPool;
    return new NeutronVifPool(driver, d.neutron, d.log, {
      min: v.portsPoolMin,
      batch: v.portsPoolBatch,
      max: v.portsPoolMax,
      resourceTags: d.config.neutronDefaults.resourceTags,
      ovsBridge: d.config.neutronDefaults.ovsBridge ?? 'br-int',
    });
  }

  async requestVif(req: VifRequest, opts: CallOptions = {}): Promise<Vif> {
    const parts = keyParts(req);
    const served = await this.locks.run(baseKey(parts), async () => {
      this.store.remember(parts, req);
      const exact = this.store.take(poolKey(parts));
      if (exact !== undefined) return exact;
      const sibling = this.store.takeSibling(parts);
      if (sibling === undefined) return undefined;
      try {
        await this.driver.updateVifSgs(sibling.vif, parts.securityGroups, opts);
      } catch (error) {
        this.store.put(sibling.from, sibling.vif);
        throw error;
      }
      return sibling.vif;
    });
    // Empty: outside the lock, so concurrent requests of this key join ONE bulk refill.
    return served ?? this.refills.request(req, opts.signal);
  }

  /** One refill for `reqs` (same pool key): a port each, plus up to a batch for the pool. */
  private async refill(reqs: readonly VifRequest[]): Promise<Vif[]> {
    const first = reqs[0] as VifRequest;
    const parts = keyParts(first);
    const created = await this.driver.requestVifs(first, Math.max(reqs.length, this.refillSize(0)));
    const extra = created.slice(reqs.length);
    if (extra.length > 0) {
      await this.locks.run(baseKey(parts), () => {
        for (const vif of extra) this.store.put(parts, vif);
        return Promise.resolve();
      });
    }
    this.log.info({ pool: poolKey(parts), created: created.length }, 'pool refilled');
    return created.slice(0, reqs.length);
  }

  /**
   * Tops every pool that served a request up to `ports_pool_min` (one bulk request per batch).
   * Errors are logged per pool and do not stop the others. @returns the number of ports created.
   */
  async maintain(opts: CallOptions = {}): Promise<number> {
    let created = 0;
    for (const [, pool] of this.store.entries()) {
      if (pool.template === undefined || pool.free.length >= this.min) continue;
      created += await this.populate(pool.template, undefined, opts).catch((error: unknown) => {
        this.log.warn({ err: error, pool: poolKey(pool.parts) }, 'pool top-up failed');
        return 0;
      });
    }
    return created;
  }

  /** Runs `maintain()` every `[vif_pool] ports_pool_update_frequency` seconds until `stop()`. */
  start(frequencySeconds: number): void {
    if (this.timer !== undefined || frequencySeconds <= 0) return;
    this.timer = setInterval(() => void this.maintain(), frequencySeconds * 1000);
    this.timer.unref();
  }

  /** Stops the periodic top-up. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async releaseVif(vif: Vif, req: VifRequest, opts: CallOptions = {}): Promise<void> {
    const parts = keyParts(req);
    await this.locks.run(baseKey(parts), async () => {
      if (this.store.has(vif.id)) return;
      if (this.max > 0 && this.store.size(poolKey(parts)) >= this.max) {
        await this.driver.releaseVif(vif, req.pod, opts);
        return;
      }
      this.store.put(parts, vif);
    });
  }

  activateVif(vif: Vif, opts?: CallOptions): Promise<Vif> {
    return this.driver.activateVif(vif, opts);
  }

  updateVifSgs(vif: Vif, sgs: readonly string[], opts?: CallOptions): Promise<void> {
    return this.driver.updateVifSgs(vif, sgs, opts);
  }

  async populate(req: VifRequest, count?: number, opts: CallOptions = {}): Promise<number> {
    const parts = keyParts(req);
    const base = baseKey(parts);
    const free = () => this.store.size(poolKey(parts));
    let wanted = count ?? Math.max(0, this.min - free());
    if (this.max > 0) wanted = Math.min(wanted, Math.max(0, this.max - free()));
    let created = 0;
    // The lock is held per batch, not for the whole fill: pods of this pool are served from the
    // ports already created while a large pre-population is still running.
    while (created < wanted) {
      const n = Math.min(this.batch, wanted - created);
      const vifs = await this.driver.requestVifs(req, n, opts);
      await this.locks.run(base, () => {
        for (const vif of vifs) this.store.put(parts, vif);
        return Promise.resolve();
      });
      created += vifs.length;
    }
    return created;
  }

  async sync(referenced: ReadonlySet<string>, opts: CallOptions = {}): Promise<number> {
    const signal = opts.signal;
    const ports = await this.neutron.ports.listAll(
      { device_owner: DEVICE_OWNER_KURYR, name: POOL_PORT_NAME, tags: this.o.resourceTags ?? [] },
      { signal },
    );
    let recovered = 0;
    for (const port of ports) {
      if (referenced.has(port.id) || port.device_id !== '') continue;
      const parts = partsOfPort(port);
      if (parts === undefined) continue;
      let subnets: PodSubnet[];
      let vif: Vif;
      try {
        subnets = await Promise.all(parts.subnetIds.map((id) => this.subnets.get(id, signal)));
        vif = vifFromBoundPort(port, subnets, this.o.ovsBridge);
      } catch (error) {
        this.log.warn({ err: error, portId: port.id }, 'pool port not recoverable; left for GC');
        continue;
      }
      await this.locks.run(baseKey(parts), () => {
        if (!this.store.has(port.id)) {
          this.store.put(parts, vif);
          recovered++;
        }
        return Promise.resolve();
      });
    }
    this.log.info({ recovered, seen: ports.length }, 'pools recovered from Neutron');
    return recovered;
  }

  async removeSgFromPools(sgId: string, opts: CallOptions = {}): Promise<void> {
    await this.drain((p) => p.parts.securityGroups.includes(sgId), opts);
  }

  async deleteNetworkPools(networkId: string, opts: CallOptions = {}): Promise<void> {
    await this.drain((p) => p.free.some((v) => v.network.id === networkId), opts);
  }

  pools(): PoolInfo[] {
    return this.store.infos();
  }

  poolPortIds(key: string): string[] {
    return this.store.portIds(key);
  }

  freePools(match: (pool: PoolInfo) => boolean, opts: CallOptions = {}): Promise<number> {
    return this.drain((p) => match(poolInfo(poolKey(p.parts), p)), opts);
  }

  /** How many ports an empty-pool refill creates. */
  private refillSize(free: number): number {
    const wanted = Math.max(this.batch, this.min - free, 1);
    return this.max > 0 ? Math.max(1, Math.min(wanted, this.max)) : wanted;
  }

  /**
   * Deletes every free port of the pools `match` selects (through the Pod VIF driver, a batch at a
   * time) and forgets the pools; a port whose delete failed goes back into its pool.
   */
  private async drain(match: (p: Pool) => boolean, opts: CallOptions): Promise<number> {
    let deleted = 0;
    let firstError: unknown;
    for (const [key, pool] of this.store.entries()) {
      if (!match(pool)) continue;
      await this.locks.run(baseKey(pool.parts), async () => {
        const vifs = this.store.takeAll(pool);
        for (let i = 0; i < vifs.length; i += this.batch) {
          const chunk = vifs.slice(i, i + this.batch);
          const results = await Promise.allSettled(
            chunk.map((v) => this.driver.releaseVif(v, undefined, opts)),
          );
          results.forEach((r, j) => {
            if (r.status === 'fulfilled') deleted++;
            else {
              firstError ??= r.reason;
              this.store.put(pool.parts, chunk[j] as Vif);
            }
          });
        }
        this.store.forgetIfEmpty(key, pool);
      });
    }
    if (firstError !== undefined) throw firstError as Error;
    return deleted;
  }
}

/** The pool a recovered port belongs to; undefined for a port with no node or address. */
function partsOfPort(port: Port): PoolKeyParts | undefined {
  const node = port['binding:host_id'];
  if (!node || port.fixed_ips.length === 0) return undefined;
  return normalise({
    node,
    projectId: port.project_id,
    subnetIds: port.fixed_ips.map((f) => f.subnet_id),
    securityGroups: [...port.security_groups],
  });
}
