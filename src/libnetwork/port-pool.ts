/**
 * @module Port pool of the libnetwork driver (`[vif_pool]` min/batch/max): pre-created, pre-bound Neutron ports
 * per subnet of this host: the IP is allocated ahead, so the hand-out is one PUT (bind + dockerd's MAC).
 * Pooled ports are named `kuryr-pool-port`, owned by `compute:kuryr`, described `kuryr-pool host=<host>` and
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

/** `description` of a free pooled port: which host's pool it is in (the port is not bound yet). */
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

  /** Refills without blocking the caller; failures are logged, the next take retries. */
  refillInBackground(subnet: Subnet): void {
    if (this.closed) return;
    this.fill(subnet).catch((err: unknown) =>
      this.log.warn({ err, subnetId: subnet.id }, 'port pool refill failed'),
    );
  }

  /** Creates ports (batches of `batch`, ≤ max) until the subnet's pool holds at least `min`. */
  async fill(subnet: Subnet): Promise<void> {
    this.subnets.set(subnet.id, subnet);
    await this.locks.run(subnet.id, async () => {
      const { min, batch, max } = this.options;
      while (!this.closed && this.size(subnet.id) < min) {
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

  // Created bound in one POST, then tagged (Neutron ignores tags in POST bodies — COMPATIBILITY.md §1).
  private async createPorts(subnet: Subnet, n: number): Promise<Port[]> {
    const body = {
      network_id: subnet.network_id,
      name: POOL_PORT_NAME,
      admin_state_up: true,
      fixed_ips: [{ subnet_id: subnet.id }],
      device_owner: TAG_COMPUTE_KURYR,
      // NOTE: not bound yet — Neutron refuses a MAC change on a bound port and dockerd always sends its own
      // MAC (RequiresMACAddress); the hand-out binds and sets the MAC in one PUT.
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

  /** Stops refilling and deletes every free port (SIGTERM). */
  async close(): Promise<void> {
    this.closed = true;
    await this.trim(0);
  }
}
