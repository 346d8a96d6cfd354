/**
 * @module `kuryrnetworkpolicy` handler: KuryrNetworkPolicy → ONE Neutron SG per policy
 * (`sg/<ns>-<policy>`, converged without churn by PolicySgSync), `status.securityGroupId` /
 * `status.securityGroupRules`, then the SGs of every pod the policy selects (or selected: a changed
 * podSelector must also release the pods it no longer selects; `status.podSelector` remembers the last
 * applied one). On deletion the SG is taken off the pods' ports and out of the port pools before it is
 * deleted; the finalizer goes last.
 *
 * Crash safety: the SG is found by name when the status never got written; the status is written before
 * pods are updated (the `policy` driver only counts policies with a `securityGroupId`) and
 * `status.podSelector` only after, so a crash in between re-applies on the next run.
 */
import { NotReadyError, isConflictError } from '../../common/errors/index.js';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import { FINALIZER_NETWORKPOLICY } from '../../k8s/constants.js';
import type { KuryrNetworkPolicy } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import type { NeutronClient } from '../../openstack/neutron/index.js';
import type { ProjectDriver } from '../drivers/project/types.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { PodSgApplier } from '../policy/pod-sgs.js';
import { PolicySgSync } from '../policy/sg-sync.js';
import type { LabelSelector } from '../policy/types.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';

/** What the handler is built from. */
export interface KuryrNetworkPolicyHandlerDeps {
  neutron: NeutronClient;
  /** Project owning the policy SGs (the namespace's). */
  project: ProjectDriver;
  pool: VifPoolDriver;
  podSgs: PodSgApplier;
}

/** The `kuryrnetworkpolicy` handler. */
export class KuryrNetworkPolicyHandler implements ResourceHandler<KuryrNetworkPolicy> {
  readonly alias = 'kuryrnetworkpolicy';
  readonly kind = KINDS.kuryrNetworkPolicy;
  readonly finalizer = FINALIZER_NETWORKPOLICY;
  private readonly mutex = new KeyedMutex();

  constructor(private readonly d: KuryrNetworkPolicyHandlerDeps) {}

  async onPresent(knp: KuryrNetworkPolicy, ctx: HandlerContext): Promise<void> {
    const { namespace, name } = names(knp);
    const sync = await this.sync(namespace, ctx);
    const rules = [...knp.spec.ingressSgRules, ...knp.spec.egressSgRules].map((r) => r.sgRule);
    const status = await sync.ensure(namespace, name, rules, ctx.signal);
    const old = knp.status ?? { securityGroupRules: [] };
    if (
      old.securityGroupId !== status.securityGroupId ||
      JSON.stringify(old.securityGroupRules) !== JSON.stringify(status.securityGroupRules)
    ) {
      await this.patchStatus(knp, { ...old, ...status }, ctx);
    }
    const selector = knp.spec.podSelector as LabelSelector;
    const previous = old.podSelector as LabelSelector | undefined;
    const selectors = [selector, ...(previous === undefined ? [] : [previous])];
    const updated = await this.d.podSgs.applySelected(ctx.api, namespace, selectors, ctx.signal);
    if (JSON.stringify(previous) !== JSON.stringify(selector)) {
      await this.patchStatus(knp, { ...old, ...status, podSelector: { ...selector } }, ctx);
    }
    if (updated > 0) ctx.log.info({ policy: `${namespace}/${name}`, updated }, 'pod ports updated');
  }

  async onFinalize(knp: KuryrNetworkPolicy, ctx: HandlerContext): Promise<void> {
    const { namespace, name } = names(knp);
    // The driver ignores policies being deleted: these pods fall back to their other policies/defaults.
    const selectors = [knp.spec.podSelector, knp.status?.podSelector]
      .filter((s) => s !== undefined)
      .map((s) => s as LabelSelector);
    await this.d.podSgs.applySelected(ctx.api, namespace, selectors, ctx.signal);
    const sync = await this.sync(namespace, ctx);
    const sgId = knp.status?.securityGroupId;
    try {
      if (sgId !== undefined && sgId !== '') {
        await this.d.pool.removeSgFromPools(sgId, { signal: ctx.signal });
        await sync.removeById(sgId, ctx.signal);
      }
      await sync.remove(namespace, name, ctx.signal); // the SG of a run that crashed before the status
    } catch (error) {
      if (!isConflictError(error)) throw error;
      // A port the selectors did not reach still uses the SG (e.g. a pod relabelled while the
      // controller was down): take the SG off it directly, then retry the delete (backoff).
      const stripped = sgId ? await this.stripFromPorts(sgId, ctx) : 0;
      ctx.log.info({ policy: `${namespace}/${name}`, sg: sgId, stripped }, 'policy SG in use');
      throw new NotReadyError(`security group ${sgId ?? name} of policy still in use`, {
        cause: error,
      });
    }
    ctx.log.info({ policy: `${namespace}/${name}`, sg: sgId }, 'policy security group deleted');
  }

  /**
   * Removes `sgId` from every port still carrying it (Neutron `security_groups` filter). A port left
   * with no SG at all is skipped: an empty list would drop all its traffic, so it waits for its pod's
   * own update instead. @returns the number of ports updated.
   */
  private async stripFromPorts(sgId: string, ctx: HandlerContext): Promise<number> {
    const req = { signal: ctx.signal };
    const ports = await this.d.neutron.ports.listAll({ security_groups: [sgId] }, req);
    let n = 0;
    for (const port of ports) {
      const rest = port.security_groups.filter((g) => g !== sgId);
      if (rest.length === 0 || rest.length === port.security_groups.length) continue;
      await this.d.neutron.ports.update(port.id, { security_groups: rest }, req);
      n++;
    }
    return n;
  }

  private async sync(namespace: string, ctx: HandlerContext): Promise<PolicySgSync> {
    const projectId = await this.d.project.getProjectId({ namespace }, { signal: ctx.signal });
    return new PolicySgSync(this.d.neutron, ctx.log, { projectId, mutex: this.mutex });
  }

  private async patchStatus(
    knp: KuryrNetworkPolicy,
    status: KuryrNetworkPolicy['status'],
    ctx: HandlerContext,
  ): Promise<void> {
    const { namespace, name } = names(knp);
    // No status subresource on kuryr CRDs (COMPATIBILITY.md §6): the main resource carries it.
    await ctx.api.patchJson(
      KINDS.kuryrNetworkPolicy,
      name,
      namespace,
      [{ op: 'add', path: '/status', value: status }],
      { signal: ctx.signal },
    );
  }
}

function names(knp: KuryrNetworkPolicy): { namespace: string; name: string } {
  return { namespace: knp.metadata?.namespace ?? '', name: knp.metadata?.name ?? '' };
}
