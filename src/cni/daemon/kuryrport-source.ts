/**
 * @module {@link KuryrPortSource} over the Kubernetes API client (GET
 * `/apis/openstack.org/v1/namespaces/<ns>/kuryrports/<name>`; 404 = not there yet).
 */
import { isNotFoundError } from '../../common/errors/index.js';
import type { KuryrPortSource, KuryrPortView } from './kubernetes-service.js';

/** The one call needed from the Kubernetes client (src/k8s/client.ts `KubeApi` satisfies it). */
export interface KubeGetter {
  get(
    kind: { kind: string; group: string; version: string; plural: string; namespaced: boolean },
    name: string,
    namespace?: string,
    o?: { signal?: AbortSignal },
  ): Promise<{ spec?: unknown; status?: unknown }>;
}

const KURYRPORT = {
  kind: 'KuryrPort',
  group: 'openstack.org',
  version: 'v1',
  plural: 'kuryrports',
  namespaced: true,
};

/** Reads KuryrPorts through `api`. */
export class KubeKuryrPortSource implements KuryrPortSource {
  constructor(private readonly api: KubeGetter) {}

  async get(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<KuryrPortView | undefined> {
    let obj: { spec?: unknown; status?: unknown };
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
