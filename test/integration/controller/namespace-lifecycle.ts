/**
 * An emulation of kube-controller-manager's namespace lifecycle controller, which the test bed does not
 * run: Terminating, emptied by plain DELETEs that honour finalizers (kuryr's included), then finalized.
 * Used by the controller robustness suites (restart, namespace deletion).
 *
 * @module test/integration/controller/namespace-lifecycle
 */
import { execFileSync } from 'node:child_process';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS, type ResourceKind } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import type { ControllerProcess } from '../../helpers/controller-process.js';
import { waitUntil } from './restart-harness.js';

/** Namespaced kinds the emulated namespace controller empties (everything the suites create). */
const NAMESPACED: ResourceKind[] = [
  KINDS.pod,
  KINDS.kuryrPort,
  KINDS.kuryrNetwork,
  KINDS.lease,
  KINDS.event,
  KINDS.configMap,
];

/**
 * Deletes a namespace the way Kubernetes does, without kube-controller-manager: the DELETE marks it
 * Terminating (API server); then, like the namespace lifecycle controller, every object in it is deleted
 * with plain DELETEs — finalizers are NOT stripped, so kuryr's finalizers must be honoured by the
 * controller under test; pods get grace 0 because no kubelet confirms their termination — re-listed until
 * nothing is left; finally the `kubernetes` spec finalizer is removed through the `/finalize`
 * subresource, and the namespace must disappear.
 */
export async function terminateNamespace(
  kube: KubeClient,
  namespace: string,
  controllers: readonly (ControllerProcess | undefined)[],
  ms = 180_000,
): Promise<void> {
  await kube.delete(KINDS.namespace, namespace).catch((e: unknown) => {
    if (!isNotFoundError(e)) throw e;
  });
  await waitUntil(
    `namespace ${namespace} to be emptied (kuryr finalizers released)`,
    ms,
    async () => {
      let left = 0;
      for (const kind of NAMESPACED) {
        const items: KubeObject[] = (await kube.list(kind, { namespace })).items;
        left += items.length;
        for (const obj of items) {
          if (obj.metadata?.deletionTimestamp) continue;
          await kube
            .delete(kind, obj.metadata?.name ?? '', namespace, {
              ...(kind === KINDS.pod ? { gracePeriodSeconds: 0 } : {}),
            })
            .catch((e: unknown) => {
              if (!isNotFoundError(e)) throw e;
            });
        }
      }
      return left === 0 ? true : undefined;
    },
    controllers,
  );
  finalizeNamespace(namespace);
  await waitUntil(
    `namespace ${namespace} to be gone`,
    30_000,
    async () => {
      try {
        await kube.get(KINDS.namespace, namespace);
        return undefined;
      } catch (e) {
        if (isNotFoundError(e)) return true;
        throw e;
      }
    },
    controllers,
  );
}

/** `PUT /api/v1/namespaces/<ns>/finalize` with no spec finalizers (what the namespace controller does). */
function finalizeNamespace(namespace: string): void {
  const kubeconfig = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
    spec: { finalizers: [] },
  });
  execFileSync(
    'kubectl',
    [
      '--kubeconfig',
      kubeconfig,
      'replace',
      '--raw',
      `/api/v1/namespaces/${namespace}/finalize`,
      '-f',
      '-',
    ],
    { input: body, stdio: ['pipe', 'ignore', 'pipe'] },
  );
}
