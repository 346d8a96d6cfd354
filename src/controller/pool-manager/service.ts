/**
 * @module What the pool manager socket does (`[kubernetes] enable_manager`), independent of HTTP:
 * populate / free the pools of nodes, list the pools, show one pool's ports — through the configured
 * {@link VifPoolDriver} and the pod drivers (project, subnets, security groups), so a populated port is
 * exactly one a pod of that node would get.
 *
 * Only the active replica holds pools: every operation first checks `active()` (the leader, after its
 * pools were recovered from Neutron) and a running one is aborted when that stops being true. Every
 * operation has a deadline; each Neutron/Kubernetes call below it has its client's deadline too.
 */
import type { Logger } from 'pino';
import { NotReadyError, TimeoutError, UnsupportedError } from '../../common/errors/index.js';
import type { KubeApi } from '../../k8s/client.js';
import type { VifPoolDriver, PoolInfo } from '../drivers/vif-pool/types.js';
import { buildVifRequest, type PodNetworkDrivers } from '../handlers/pod-info.js';
import { resolveTrunks } from './nodes.js';

/** What the service is built from. */
export interface PoolManagerDeps {
  pool: VifPoolDriver;
  /** The pod drivers: the populated ports are keyed like the pods of `namespace` on that node. */
  drivers: PodNetworkDrivers;
  /** Node lookups (trunk IP → node). */
  api: KubeApi;
  /** True while this replica is the leader and its pools are recovered. */
  active: () => boolean;
  log: Logger;
  /** Deadline of one operation (ms). @default 300000 */
  deadlineMs?: number;
  /** How often a running operation re-checks `active()` (ms). @default 1000 */
  activeCheckMs?: number;
}

/** Outcome of a populate: nodes done, ports created, and the node that failed (if any). */
export interface PopulateResult {
  populated: string[];
  created: number;
  failed?: { trunk: string; error: unknown };
}

/** Why a standby answers nothing. */
export const NOT_ACTIVE =
  'this kuryr controller is not the active replica (HA standby, or its pools are not recovered yet); ask the leader';
const NO_POOLS =
  '[kubernetes] vif_pool_driver = noop keeps no pools; use vif_pool_driver = neutron';

/** The pool manager's operations. */
export class PoolManagerService {
  private readonly closing = new AbortController();

  constructor(private readonly d: PoolManagerDeps) {}

  /**
   * Adds `numPorts` ports to the pool of each trunk's node (pods of `namespace`). Unknown trunks:
   * ValidationError before anything is created.
   */
  populate(
    trunks: readonly string[],
    numPorts: number,
    namespace: string,
  ): Promise<PopulateResult> {
    if (!this.d.pool.keepsPools) return Promise.reject(new UnsupportedError(NO_POOLS));
    return this.run('populate', async (signal) => {
      const nodes = await resolveTrunks(this.d.api, trunks, signal);
      const result: PopulateResult = { populated: [], created: 0 };
      for (const [trunk, node] of nodes) {
        try {
          const req = await buildVifRequest(
            this.d.drivers,
            { uid: '', namespace, name: '', nodeName: node.name, ...hostIp(node.hostIp) },
            undefined,
            signal,
          );
          result.created += await this.d.pool.populate(req, numPorts, { signal });
          result.populated.push(trunk);
        } catch (error) {
          // Ports of the nodes done so far stay in their pools: they are not leaked.
          result.failed = { trunk, error: this.abortReason(signal) ?? error };
          break;
        }
      }
      this.d.log.info(
        { trunks, numPorts, namespace, created: result.created, failed: result.failed?.trunk },
        'pool manager: populate',
      );
      return result;
    });
  }

  /** Deletes the free ports of the pools of `trunks`' nodes (every pool when empty). @returns ports deleted. */
  free(trunks: readonly string[]): Promise<number> {
    if (!this.d.pool.keepsPools) return Promise.reject(new UnsupportedError(NO_POOLS));
    return this.run('free', async (signal) => {
      const nodes =
        trunks.length === 0
          ? undefined
          : new Set(
              [...(await resolveTrunks(this.d.api, trunks, signal)).values()].map((n) => n.name),
            );
      const deleted = await this.d.pool.freePools((p) => nodes === undefined || nodes.has(p.node), {
        signal,
      });
      this.d.log.info({ trunks, deleted }, 'pool manager: free');
      return deleted;
    });
  }

  /** The pools of this replica. */
  list(): PoolInfo[] {
    this.requireActive();
    return this.d.pool.pools();
  }

  /**
   * Free port ids of every pool of (`trunk`'s node, `projectId`, `securityGroups` as a set) — any
   * subnets.
   */
  show(trunk: string, projectId: string, securityGroups: readonly string[]): Promise<string[]> {
    return this.run('show', async (signal) => {
      const node = (await resolveTrunks(this.d.api, [trunk], signal)).get(trunk);
      const sgs = [...new Set(securityGroups)].sort().join(',');
      return this.d.pool
        .pools()
        .filter(
          (p) =>
            p.node === node?.name &&
            p.projectId === projectId &&
            [...p.securityGroups].sort().join(',') === sgs,
        )
        .flatMap((p) => this.d.pool.poolPortIds(p.key));
    });
  }

  /** Aborts running operations (controller stopping). */
  close(): void {
    this.closing.abort(new NotReadyError('the kuryr controller is stopping'));
  }

  private requireActive(): void {
    if (this.closing.signal.aborted) throw this.closing.signal.reason as Error;
    if (!this.d.active()) throw new NotReadyError(NOT_ACTIVE);
  }

  /** Runs `op` with a deadline, aborted when the controller stops or loses the lead. */
  private async run<T>(what: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.requireActive();
    const lost = new AbortController();
    const timer = setInterval(() => {
      if (!this.d.active()) lost.abort(new NotReadyError(`${what} aborted: ${NOT_ACTIVE}`));
    }, this.d.activeCheckMs ?? 1000);
    timer.unref();
    const ms = this.d.deadlineMs ?? 300_000;
    const deadline = new AbortController();
    const deadlineTimer = setTimeout(
      () => deadline.abort(new TimeoutError(`${what} did not finish within ${ms / 1000} s`)),
      ms,
    );
    deadlineTimer.unref();
    const signal = AbortSignal.any([lost.signal, deadline.signal, this.closing.signal]);
    try {
      return await op(signal);
    } catch (error) {
      throw this.abortReason(signal) ?? error;
    } finally {
      clearInterval(timer);
      clearTimeout(deadlineTimer);
    }
  }

  /** The kuryr error that aborted `signal`, if it is aborted. */
  private abortReason(signal: AbortSignal): Error | undefined {
    return signal.aborted ? (signal.reason as Error) : undefined;
  }
}

function hostIp(ip: string | undefined): { hostIp?: string } {
  return ip === undefined ? {} : { hostIp: ip };
}
