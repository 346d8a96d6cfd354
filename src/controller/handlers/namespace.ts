/**
 * @module `namespace` handler: Namespace → KuryrNetwork (name = namespace name, inside that namespace,
 * spec `nsName`, `projectId`, `nsLabels`; COMPATIBILITY.md §6). The `kuryrnetwork` handler creates the
 * Neutron side. The KuryrNetwork goes away with its namespace; its finalizer makes sure the network is
 * deleted first.
 */
import { isNotFoundError } from '../../common/errors/index.js';
import { CRD_API_VERSION, FINALIZER_KURYRNETWORK } from '../../k8s/constants.js';
import type { KuryrNetwork } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import type { ProjectDriver } from '../drivers/project/types.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';

/** The `namespace` handler. */
export class NamespaceHandler implements ResourceHandler {
  readonly alias = 'namespace';
  readonly kind = KINDS.namespace;

  /**
   * @param project `[kubernetes] namespace_project_driver`
   * @param onLabelsChanged run before `nsLabels` is updated (policies with namespaceSelectors re-sync)
   */
  constructor(
    private readonly project: ProjectDriver,
    private readonly onLabelsChanged?: (namespace: string, ctx: HandlerContext) => Promise<void>,
  ) {}

  async onPresent(ns: KubeObject, ctx: HandlerContext): Promise<void> {
    const m = ns.metadata ?? {};
    const name = m.name;
    if (!name || m.deletionTimestamp) return;
    const labels = m.labels ?? {};
    const existing = await ctx.api
      .get(KINDS.kuryrNetwork, name, name, { signal: ctx.signal })
      .catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
    if (existing !== undefined) {
      if (JSON.stringify(existing.spec.nsLabels) !== JSON.stringify(labels)) {
        await this.onLabelsChanged?.(name, ctx);
        await ctx.api.patchMerge(KINDS.kuryrNetwork, name, name, { spec: { nsLabels: labels } });
      }
      return;
    }
    const projectId = await this.project.getProjectId(
      { namespace: name, ...(m.annotations ? { namespaceAnnotations: m.annotations } : {}) },
      { signal: ctx.signal },
    );
    const kn: KuryrNetwork = {
      apiVersion: CRD_API_VERSION,
      kind: 'KuryrNetwork',
      metadata: {
        name,
        namespace: name,
        finalizers: [FINALIZER_KURYRNETWORK],
        // Lets the finalize path find the network by `<uid>/<name>` when status was never written.
        ownerReferences: m.uid ? [{ apiVersion: 'v1', kind: 'Namespace', name, uid: m.uid }] : [],
      },
      spec: { nsName: name, projectId, nsLabels: labels },
    };
    await ctx.api.create(KINDS.kuryrNetwork, kn, { signal: ctx.signal });
    ctx.log.info({ namespace: name }, 'KuryrNetwork created');
  }
}
