/**
 * @module Quota gauges like Python Kuryr's controller exporter, computed when `/metrics` is scraped:
 * `kuryr_quota_free_count{resource}` (limit − used of `[neutron_defaults] project`, −1 = unlimited)
 * and `kuryr_port_quota_per_subnet{subnet_id,subnet_name}` (free pool addresses of the project's
 * namespace subnets). A scrape never waits longer than the deadline: when Neutron fails or is slow
 * the gauges keep their last values and the failure is logged once (and its end once).
 */
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { NeutronClient, Subnet } from '../../openstack/neutron/index.js';
import { freePoolAddresses } from './pool-addresses.js';

/** Label value (Python Kuryr's names, for its dashboards) → Neutron quota resource. */
export const QUOTA_RESOURCES: Readonly<Record<string, string>> = {
  ports: 'port',
  subnets: 'subnet',
  networks: 'network',
  security_groups: 'security_group',
  security_group_rules: 'security_group_rule',
};

/** Kuryr names namespace subnets `ns/<namespace>-subnet`. */
const NAMESPACE_SUBNET_MARK = 'ns/';
/** Subnets whose ports are listed at the same time (a scrape must not flood Neutron). */
const PORT_LIST_CONCURRENCY = 4;

/** What the quota gauges read and how long a scrape may wait for them. */
export interface QuotaMetricsDeps {
  neutron: Pick<NeutronClient, 'quotas' | 'subnets' | 'ports'>;
  /** `[neutron_defaults] project`. */
  projectId: string;
  log: Logger;
  /** Deadline of one refresh (all its Neutron calls). @default 5000 */
  timeoutMs?: number;
  /** Results younger than this are served again instead of asking Neutron. @default 1000 */
  minIntervalMs?: number;
  now?: () => number;
}

/** The two quota gauges and their scrape-time refresh. */
export class QuotaMetrics {
  readonly quotaFree: Gauge<'resource'>;
  readonly portsPerSubnet: Gauge<'subnet_id' | 'subnet_name'>;
  private inflight: Promise<void> | undefined;
  private lastRefresh = -Infinity;
  private failing = false;
  private readonly now: () => number;

  constructor(
    registry: Registry,
    private readonly d: QuotaMetricsDeps,
  ) {
    this.now = d.now ?? Date.now;
    // Both gauges' collect() share one refresh: prom-client collects the metrics of a scrape together.
    const refresh = () => this.refresh();
    this.quotaFree = new Gauge({
      name: 'kuryr_quota_free_count',
      help: 'Amount of quota available for the network resource (-1: unlimited)',
      labelNames: ['resource'] as const,
      registers: [registry],
      collect: refresh,
    });
    this.portsPerSubnet = new Gauge({
      name: 'kuryr_port_quota_per_subnet',
      help: 'Free addresses in the allocation pools of a namespace subnet',
      labelNames: ['subnet_id', 'subnet_name'] as const,
      registers: [registry],
      collect: refresh,
    });
  }

  /** Reads Neutron and sets the gauges; never rejects and never outlives the deadline. */
  refresh(): Promise<void> {
    if (this.now() - this.lastRefresh < (this.d.minIntervalMs ?? 1000)) return Promise.resolve();
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
      this.lastRefresh = this.now();
    });
    return this.inflight;
  }

  private async read(): Promise<void> {
    const ms = this.d.timeoutMs ?? 5000;
    const signal = AbortSignal.timeout(ms);
    let timer: NodeJS.Timeout | undefined;
    // NOTE: the race is a second guard: every Neutron call already has the signal as its deadline.
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms + 100);
    });
    try {
      await Promise.race([this.update(signal), late]);
      if (this.failing) this.d.log.info('quota metrics: Neutron answers again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        this.d.log.warn(
          { err },
          'quota metrics: Neutron read failed; gauges keep their last values',
        );
      }
      this.failing = true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads everything first, then sets the gauges: a failure half-way changes nothing. */
  private async update(signal: AbortSignal): Promise<void> {
    const { neutron, projectId } = this.d;
    const [details, subnets] = await Promise.all([
      neutron.quotas.getDetails(projectId, { signal }),
      neutron.subnets.listAll(
        { project_id: projectId, fields: ['id', 'name', 'allocation_pools'] },
        { signal },
      ),
    ]);
    const nsSubnets = subnets.filter((s) => (s.name ?? '').includes(NAMESPACE_SUBNET_MARK));
    const free = new Map<Subnet, number>();
    for (let i = 0; i < nsSubnets.length; i += PORT_LIST_CONCURRENCY) {
      await Promise.all(
        nsSubnets.slice(i, i + PORT_LIST_CONCURRENCY).map(async (s) => {
          // Every port holding an address there, whatever its project: they all use the pool.
          const ports = await neutron.ports.listAll(
            { fixed_ips: [`subnet_id=${s.id}`], fields: ['fixed_ips'] },
            { signal },
          );
          free.set(s, freePoolAddresses(s.id, s.allocation_pools ?? [], ports));
        }),
      );
    }
    for (const [label, resource] of Object.entries(QUOTA_RESOURCES)) {
      const q = details[resource];
      if (q === undefined) continue;
      // Unlimited is reported as −1 (Python Kuryr does the same); an over-used quota as 0, not < 0.
      this.quotaFree.set({ resource: label }, q.limit < 0 ? -1 : Math.max(0, q.limit - q.used));
    }
    // Subnets that are gone (namespace deleted) must not linger with a stale value.
    this.portsPerSubnet.reset();
    for (const [s, n] of free) this.portsPerSubnet.set({ subnet_id: s.id, subnet_name: s.name }, n);
  }
}
