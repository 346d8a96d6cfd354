/**
 * @module The node IP a KuryrPort's nested VIFs hang on, for their release: the `nested-macvlan` driver
 * removes the pod's pair from the VM port it finds by that IP, and `nested-vlan` finds the trunk by it
 * (instead of scanning every trunk). The KuryrPort itself does not record the IP, so it is read from
 * the pod (still there, Terminating, while its finalizer waits for the KuryrPort) or, when the pod is
 * gone, from the pod's Node.
 */
import { isNotFoundError } from '../../common/errors/index.js';
import type { KubeApi } from '../../k8s/client.js';
import type { KuryrPort } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import { hostIpOf } from './pod-info.js';

/**
 * The pod's `status.hostIP` while the pod with the KuryrPort's UID exists, else the first `InternalIP`
 * of the Node `spec.podNodeName`; undefined when neither exists. Other API errors are thrown (the
 * handler retries rather than release half-way).
 */
export async function hostIpForRelease(
  api: KubeApi,
  kp: KuryrPort,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const m = kp.metadata ?? {};
  const pod = await api.get(KINDS.pod, m.name ?? '', m.namespace, { signal }).catch(gone);
  if (pod?.metadata?.uid === kp.spec.podUid) {
    const ip = hostIpOf(pod);
    if (ip) return ip;
  }
  if (!kp.spec.podNodeName) return undefined;
  const node = await api.get(KINDS.node, kp.spec.podNodeName, undefined, { signal }).catch(gone);
  const addresses = (
    node?.status as { addresses?: { type?: string; address?: string }[] } | undefined
  )?.addresses;
  return addresses?.find((a) => a.type === 'InternalIP' && a.address)?.address;
}

function gone(error: unknown): undefined {
  if (isNotFoundError(error)) return undefined;
  throw error;
}
