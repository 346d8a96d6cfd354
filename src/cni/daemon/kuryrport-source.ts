/**
 * @module {@link KuryrPortSource} over the Kubernetes API client (GET
 * `/apis/openstack.org/v1/namespaces/<ns>/kuryrports/<name>`; 404 = not there yet).
 */
import { isNotFoundError } from '../../common/errors/index.js';
import type { KubeApi } from '../../k8s/client.js';
import type { ResourceKind } from '../../k8s/kinds.js';
import type { KubeObject } from '../../k8s/object.js';
import type { KuryrPortSource, KuryrPortView } from './kubernetes-service.js';

const KURYRPORT: ResourceKind = {
  kind: 'KuryrPort',
  group: 'openstack.org',
  version: 'v1',
  plural: 'kuryrports',
  namespaced: true,
};

/** Reads KuryrPorts through `api`. */
export class KubeKuryrPortSource implements KuryrPortSource {
  constructor(private readonly api: KubeApi) {}

  async get(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<KuryrPortView | undefined> {
    let obj: KubeObject;
    try {
      obj = await this.api.get(KURYRPORT, name, namespace, { signal });
    } catch (err) {
      if (isNotFoundError(err)) return undefined;
      throw err;
    }
    const spec = (obj.spec ?? {}) as { podUid?: string };
    const status = (obj.status ?? {}) as { vifs?: Record<string, { vif?: unknown }> };
    const vifs: Record<string, unknown> = {};
    for (const [ifName, entry] of Object.entries(status.vifs ?? {}))
      if (entry?.vif) vifs[ifName] = entry.vif;
    return { podUid: spec.podUid ?? '', vifs };
  }
}
