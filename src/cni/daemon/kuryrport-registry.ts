/**
 * @module Node-local KuryrPort registry (ARCHITECTURE.md §2): an informer on the KuryrPorts labelled
 * `kuryr.openstack.org/nodeName=<this node>` keeps them in memory, so a waiting ADD reads a cache instead
 * of the API server. Until the first list completes (daemon start) it falls back to a direct GET.
 */
import type { Logger } from 'pino';
import type { KubeApi } from '../../k8s/client.js';
import { LABEL_KURYRPORT_NODE } from '../../k8s/constants.js';
import type { KuryrPort } from '../../k8s/crds/types.js';
import { Informer } from '../../k8s/informer.js';
import { KINDS } from '../../k8s/kinds.js';
import type { KuryrPortSource, KuryrPortView } from './kubernetes-service.js';
import { KubeKuryrPortSource } from './kuryrport-source.js';

function view(kp: KuryrPort): KuryrPortView {
  const vifs: Record<string, unknown> = {};
  for (const [ifName, entry] of Object.entries(kp.status?.vifs ?? {}))
    if (entry?.vif) vifs[ifName] = entry.vif;
  return { podUid: kp.spec?.podUid ?? '', vifs };
}

/** {@link KuryrPortSource} backed by a watch cache of this node's KuryrPorts. */
export class KuryrPortRegistry implements KuryrPortSource {
  private readonly informer: Informer<KuryrPort>;
  private readonly direct: KubeKuryrPortSource;

  constructor(api: KubeApi, nodeName: string, log: Logger) {
    this.direct = new KubeKuryrPortSource(api);
    this.informer = new Informer(
      api,
      KINDS.kuryrPort,
      { labelSelector: `${LABEL_KURYRPORT_NODE}=${nodeName}` },
      {},
      { log },
    );
  }

  start(): void {
    this.informer.start();
  }

  async get(
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<KuryrPortView | undefined> {
    if (!this.informer.hasSynced()) return this.direct.get(namespace, name, signal);
    const kp = this.informer.get(`${namespace}/${name}`);
    return kp ? view(kp) : undefined;
  }

  async close(): Promise<void> {
    await this.informer.stop();
  }
}
