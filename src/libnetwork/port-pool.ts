/**
 * @module Port pool of the libnetwork driver (`[vif_pool]` min/batch/max): pre-created, pre-bound Neutron ports
 * per subnet of this host: IP, MAC and binding are done ahead, so the hand-out itself makes no Neutron call and
 * the attach's only request is CreateEndpoint's tags PUT (the driver answers RequiresMACAddress=false so dockerd
 * uses the port's MAC). Pooled ports are named `kuryr-pool-port`, owned by `compute:kuryr`, described `kuryr-pool host=<host>` and
 * tagged `kuryr.port.pool`; they are recovered from Neutron at start (list by tag + host) and trimmed to 0 on
 * shutdown and by `kuryr gc`.
 */
import type { Logger } from 'pino';
import { ignoreNotFound } from '../common/errors/index.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { TAG_COMPUTE_KURYR } from '../common/tags.js';
import type { LibnetworkNeutron, Port, Subnet } from './neutron-port.js';

/** Tag that marks a free pooled port (removed by CreateEndpoint's replace-all tags). */
export const TAG_PORT_POOL = 'kuryr.port.pool';
/** Name of pooled ports (kept after hand-out, so gc can find untagged leftovers of a crash). */
export const POOL_PORT_NAME = 'kuryr-pool-port';

/** `description` of a free pooled port: which host's pool it is in (also bound there). */
export const poolDescription = (host: string): string => `kuryr-pool host=${host}`;

/** `[vif_pool]` sizes. */
export interface PortPoolOptions {
  /** `ports_pool_min`: refill (in the background) when fewer free ports remain. */
  min: number;
  /** `ports_pool_batch`: ports created per refill, in ONE bulk POST. */
  batch: number;
  /** `ports_pool_max`: never more free ports than this (0 = unbounded). */
  max: number;
  /** `binding:host_id` of the pooled ports. */
  host: string;
}

/** Creates many ports in one request (Neutron bulk POST); default: one create per port in parallel. */
export type BulkCreatePorts = (bodies: Record<string, unknown>[]) => Promise<Port[]>;

/** Per-subnet pools of free ports of one host. */
export class PortPool {
  /** subnet id → free ports (hand-out is a synchronous `shift()`: never twice). */
  private readonly free = new Map<string, Port[]>();
  private readonly subnets = new Map<string, Subnet>();
  private readonly locks = new KeyedMutex();
  /** Subnets being deleted: no more refills (a refill racing DeleteNetwork would block it with 409). */
  private readonly retired = new Set<string>();
  private closed = false;

  constructor(
    private readonly neutron: LibnetworkNeutron,
    private readonly options: PortPoolOptions,
    private readonly log: Logger,
    private readonly bulkCreate?: BulkCreatePorts,
  ) {}

  /** Free ports of a subnet's pool (for tests and status). */
  size(subnetId: string): number {
    return this.free.get(subnetId)?.length ?? 0;
  }

  /** Ids of every free pooled port. */
  portIds(): string[] {
    return [...this.free.values()].flat().map((p) => p.id);
  }

  /**
   * Hands out a free port of the subnet without any Neutron call, or `undefined` when the pool is empty
   * (the caller creates a port as usual). Starts a background refill when the pool falls below min.
   */
  take(subnet: Subnet): Port | undefined {
    this.subnets.set(subnet.id, subnet);
    const port = this.free.get(subnet.id)?.shift();
    if (this.size(subnet.id) < this.options.min) this.refillInBackground(subnet);
    return port;
  }

  /** True when a used port may come back (`putBack`): pool open, subnet not retired, below max. */
  hasRoom(subnetId: string): boolean {
    const { max } = this.options;
    return !this.closed && !this.retired.has(subnetId) && (max <= 0 || this.size(subnetId) < max);
  }

  /**
   * Returns a released, unplugged, re-tagged (`kuryr.port.pool`) port to the free list. False when there is no
   * room (the caller deletes the port).
   */
  putBack(subnet: Subnet, port: Port): boolean {
    if (!this.hasRoom(subnet.id)) return false;
    this.subnets.set(subnet.id, subnet);
    const list = this.free.get(subnet.id) ?? [];
    list.push(port);
    this.free.set(subnet.id, list);
    return true;
  }

  /** Refills without blocking the caller; failures are logged, the next take retries. */
  refillInBackground(subnet: Subnet): void {
    if (this.closed || this.retired.has(subnet.id)) return;
    this.fill(subnet).catch((err: unknown) =>
      this.log.warn({ err, subnetId: subnet.id }, 'port pool refill failed'),
    );
  }

  /** Creates ports (batches of `batch`, ≤ max) until the subnet's pool holds at least `min`. */
  async fill(subnet: Subnet): Promise<void> {
    this.subnets.set(subnet.id, subnet);
    await this.locks.run(subnet.id, async () => {
      const { min, batch, max } = this.options;
      while (!this.closed && !this.retired.has(subnet.id) && this.size(subnet.id) < min) {
        const room = max > 0 ? max - this.size(subnet.id) : batch;
        const n = Math.min(Math.max(batch, 1), room);
        if (n <= 0) return;
        const ports = await this.createPorts(subnet, n);
        const list = this.free.get(subnet.id) ?? [];
        list.push(...ports);
        this.free.set(subnet.id, list);
        this.log.debug({ subnetId: subnet.id, created: n, free: list.length }, 'port pool filled');
      }
    });
  }

  // Created bound in one bulk POST, then tagged: Zed refuses `tags` in POST and PUT bodies (tested on the bed:
  // "Attribute 'tags' not allowed in POST" / "Cannot update read-only attribute tags"; a bulk POST drops them).
  private async createPorts(subnet: Subnet, n: number): Promise<Port[]> {
    const body = {
      network_id: subnet.network_id,
      name: POOL_PORT_NAME,
      admin_state_up: true,
      fixed_ips: [{ subnet_id: subnet.id }],
      device_owner: TAG_COMPUTE_KURYR,
      // bound now: dockerd sends no MAC when the pool is on (RequiresMACAddress=false), so the hand-out needs
      // no binding PUT; a request that carries a MAC gets a fresh port instead (Neutron refuses a MAC change
      // on a bound port).
      'binding:host_id': this.options.host,
      description: poolDescription(this.options.host),
    };
    const bodies = Array.from({ length: n }, () => ({ ...body }));
    const created = this.bulkCreate
      ? await this.bulkCreate(bodies)
      : await Promise.all(bodies.map((b) => this.neutron.create('ports', b)));
    const tags = [TAG_PORT_POOL];
    await Promise.all(created.map((p) => this.neutron.replaceTags('ports', p.id, tags)));
    return created.map((p) => ({ ...p, tags }));
  }

  /** Loads the free pooled ports of this host from Neutron (after a restart). Returns how many. */
  async recover(): Promise<number> {
    const ports = await this.neutron.list('ports', {
      tags: TAG_PORT_POOL,
      description: poolDescription(this.options.host),
    });
    const known = new Set(this.portIds());
    let n = 0;
    for (const port of ports) {
      const subnetId = port.fixed_ips[0]?.subnet_id;
      if (!subnetId || known.has(port.id)) continue;
      const list = this.free.get(subnetId) ?? [];
      list.push(port);
      this.free.set(subnetId, list);
      n++;
    }
    this.log.info({ recovered: n }, 'port pool recovered from Neutron');
    return n;
  }

  /**
   * Stops refilling the given subnets and deletes their free ports (DeleteNetwork: Neutron refuses to delete a
   * network that still has ports). NotFound is success. Returns how many ports were deleted.
   */
  async drain(subnetIds: readonly string[]): Promise<number> {
    let n = 0;
    await Promise.all(
      subnetIds.map((subnetId) => {
        this.retired.add(subnetId);
        return this.locks.run(subnetId, async () => {
          const list = this.free.get(subnetId) ?? [];
          this.free.delete(subnetId);
          this.subnets.delete(subnetId);
          n += list.length;
          await Promise.all(
            list.map((p) => ignoreNotFound(() => this.neutron.delete('ports', p.id))),
          );
        });
      }),
    );
    return n;
  }

  /** `drain` of every subnet of a Neutron network this pool knows (no Neutron call to find them). */
  async drainNetwork(networkId: string): Promise<number> {
    const ids = new Set<string>();
    for (const [id, s] of this.subnets) if (s.network_id === networkId) ids.add(id);
    for (const [id, list] of this.free) {
      if (list.some((p) => p.network_id === networkId)) ids.add(id);
    }
    return ids.size ? this.drain([...ids]) : 0;
  }

  /** Deletes free ports above `keep` per pool (max trim; 0 on shutdown). NotFound is success. */
  async trim(keep = this.options.max > 0 ? this.options.max : Number.POSITIVE_INFINITY) {
    await Promise.all(
      [...this.free.keys()].map((subnetId) =>
        this.locks.run(subnetId, async () => {
          const list = this.free.get(subnetId) ?? [];
          const extra = list.splice(Math.min(keep, list.length));
          await Promise.all(
            extra.map((p) => ignoreNotFound(() => this.neutron.delete('ports', p.id))),
          );
        }),
      ),
    );
  }

  /** Stops refilling and deletes every free port (SIGTERM); `trim=false` keeps them for the next start. */
  async close(trim = true): Promise<void> {
    this.closed = true;
    if (trim) await this.trim(0);
  }
}
