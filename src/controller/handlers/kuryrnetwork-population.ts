/**
 * @module `kuryrnetwork_population` handler (Python Kuryr alias): once a namespace's KuryrNetwork carries
 * its subnet (`status.subnetId`) and is not `populated` yet, it pre-populates the VIF pools of that
 * network on every node (`ports_pool_min` ports per pool, in bulk requests of `ports_pool_batch`,
 * VifPoolDriver.populate), then sets `status.populated = true` so it runs once.
 *
 * Differences from the original (COMPATIBILITY.md §9): Python marks `populated` first and populates
 * after, so a crash in between leaves the namespace unpopulated for good; here the mark comes last and
 * populate only tops pools up to `ports_pool_min`, so a rerun after a crash creates nothing twice. The
 * pool request uses the pod drivers (project, security groups) — the same key pods of the namespace
 * ask for — so the pre-created ports are the ones their pods actually get. A node whose population
 * fails is logged and skipped (its pool fills on demand); only when every node fails is it retried.
 */
import { NotReadyError } from '../../common/errors/index.js';
import type { KuryrNetwork } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import type { VifRequest } from '../drivers/pod-vif/types.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';
import type { PodNetworkDrivers } from './pod-info.js';

/** What the handler is built from. */
export interface PopulationHandlerDeps extends PodNetworkDrivers {
  pool: VifPoolDriver;
}

/** The `kuryrnetwork_population` handler. */
export class KuryrNetworkPopulationHandler implements ResourceHandler<KuryrNetwork> {
  readonly alias = 'kuryrnetwork_population';
  readonly kind = KINDS.kuryrNetwork;

  constructor(private readonly d: PopulationHandlerDeps) {}

  async onPresent(kn: KuryrNetwork, ctx: HandlerContext): Promise<void> {
    const subnetId = kn.status?.subnetId;
    if (!subnetId || kn.status?.populated === true) return;
    const namespace = kn.spec.nsName;
    const signal = ctx.signal;
    const [projectId, subnets, securityGroups] = await Promise.all([
      this.d.project.getProjectId({ namespace }, { signal }),
      this.d.subnets.getSubnets({ namespace }, { signal }),
      this.d.securityGroups.getSecurityGroups({ namespace, name: '' }, { signal }),
    ]);
    if (!subnets.some((s) => s.subnet.id === subnetId)) {
      // The subnets driver still sees an older subnet (cache, lookup lag): try again shortly.
      throw new NotReadyError(`namespace ${namespace}: subnet ${subnetId} not visible to pods yet`);
    }
    const nodes = (await ctx.api.list(KINDS.node, {}, { signal })).items
      .map((n) => n.metadata?.name ?? '')
      .filter((name) => name !== '');
    let created = 0;
    const failed: string[] = [];
    let lastError: unknown;
    for (const nodeName of nodes) {
      const req: VifRequest = {
        pod: { uid: '', namespace, name: '', nodeName },
        projectId,
        subnets,
        securityGroups,
      };
      try {
        created += await this.d.pool.populate(req, undefined, { signal });
      } catch (error) {
        // One broken node (no L2 agent: binding fails) must not keep the others unpopulated; its
        // pool is filled on demand by the first pod there.
        ctx.log.warn({ err: error, namespace, node: nodeName }, 'pool pre-population failed');
        failed.push(nodeName);
        lastError = error;
      }
    }
    if (nodes.length > 0 && failed.length === nodes.length) throw lastError;
    await ctx.api.patchJson(
      KINDS.kuryrNetwork,
      kn.metadata?.name ?? '',
      kn.metadata?.namespace,
      [
        // Only if the network is still the one the pools were filled for.
        { op: 'test', path: '/status/subnetId', value: subnetId },
        { op: 'add', path: '/status/populated', value: true },
      ],
      { signal },
    );
    ctx.log.info(
      { namespace, subnetId, nodes: nodes.length, created },
      'namespace pools populated',
    );
  }
}
