/**
 * @module `vif` handler: Pod → KuryrPort. For every scheduled, non-hostNetwork pod it keeps one KuryrPort
 * (name = pod name, label `kuryr.openstack.org/nodeName`, ownerRef → Pod, KuryrPort finalizer); the
 * `kuryrport` handler then creates the Neutron side. Pod deletion deletes the KuryrPort and keeps the pod
 * finalizer until the KuryrPort is gone, so the port is always released before the pod disappears.
 */
import { ignoreNotFound, NotReadyError } from '../../common/errors/index.js';
import { isNotFoundError } from '../../common/errors/index.js';
import {
  CRD_API_VERSION,
  FINALIZER_KURYRPORT,
  FINALIZER_POD,
  LABEL_KURYRPORT_NODE,
} from '../../k8s/constants.js';
import type { KuryrPort } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';
import { isHostNetwork, nodeNameOf } from './pod-info.js';

/** The `vif` handler. */
export class VifHandler implements ResourceHandler {
  readonly alias = 'vif';
  readonly kind = KINDS.pod;
  readonly finalizer = FINALIZER_POD;

  async onPresent(pod: KubeObject, ctx: HandlerContext): Promise<void> {
    const m = pod.metadata ?? {};
    const node = nodeNameOf(pod);
    // hostNetwork pods use the node's network; unscheduled pods come back when nodeName is set.
    if (isHostNetwork(pod) || node === '' || !m.name || !m.namespace || !m.uid) return;
    const existing = await ctx.api
      .get(KINDS.kuryrPort, m.name, m.namespace, { signal: ctx.signal })
      .catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
    if (existing !== undefined) {
      if (existing.spec.podUid === m.uid) return;
      // A KuryrPort of an older pod with the same name: release it first (ARCHITECTURE.md §2).
      await ignoreNotFound(() =>
        ctx.api.delete(KINDS.kuryrPort, m.name ?? '', m.namespace, undefined, {
          signal: ctx.signal,
        }),
      );
      throw new NotReadyError(
        `KuryrPort ${m.namespace}/${m.name} of a previous pod is being released`,
      );
    }
    const kp: KuryrPort = {
      apiVersion: CRD_API_VERSION,
      kind: 'KuryrPort',
      metadata: {
        name: m.name,
        namespace: m.namespace,
        labels: { [LABEL_KURYRPORT_NODE]: node },
        finalizers: [FINALIZER_KURYRPORT],
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Pod', name: m.name, uid: m.uid, blockOwnerDeletion: true },
        ],
      },
      spec: { podUid: m.uid, podNodeName: node },
    };
    await ctx.api.create(KINDS.kuryrPort, kp, { signal: ctx.signal });
    ctx.log.info({ pod: `${m.namespace}/${m.name}` }, 'KuryrPort created');
  }

  /** @throws NotReadyError while the KuryrPort still exists (its port is being released). */
  async onFinalize(pod: KubeObject, ctx: HandlerContext): Promise<void> {
    const m = pod.metadata ?? {};
    if (!m.name || !m.namespace) return;
    const kp = await ctx.api
      .get(KINDS.kuryrPort, m.name, m.namespace, { signal: ctx.signal })
      .catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
    if (kp === undefined || kp.spec.podUid !== m.uid) return;
    if (!kp.metadata?.deletionTimestamp) {
      await ignoreNotFound(() =>
        ctx.api.delete(KINDS.kuryrPort, m.name ?? '', m.namespace, undefined, {
          signal: ctx.signal,
        }),
      );
    }
    throw new NotReadyError(`waiting for KuryrPort ${m.namespace}/${m.name} to release its port`);
  }
}
