/**
 * @module `kuryrnetwork` handler: KuryrNetwork → the namespace's Neutron network + subnet on the pod router
 * (namespace subnets driver), recorded in `status` (`netId`, `subnetId`, `subnetCIDR`, `routerId`,
 * `nsLabels`) with a JSON patch; on deletion the pool's free ports on the network and the network itself
 * are deleted before the finalizer goes.
 */
import { isNotFoundError } from '../../common/errors/index.js';
import { FINALIZER_KURYRNETWORK } from '../../k8s/constants.js';
import type { KuryrNetwork } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import type { NamespaceSubnetsDriver } from '../drivers/subnets/namespace.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { HandlerContext, ResourceHandler } from '../pipeline/types.js';

/** The `kuryrnetwork` handler. */
export class KuryrNetworkHandler implements ResourceHandler<KuryrNetwork> {
  readonly alias = 'kuryrnetwork';
  readonly kind = KINDS.kuryrNetwork;
  readonly finalizer = FINALIZER_KURYRNETWORK;

  constructor(
    private readonly subnets: NamespaceSubnetsDriver,
    private readonly pool?: VifPoolDriver,
  ) {}

  async onPresent(kn: KuryrNetwork, ctx: HandlerContext): Promise<void> {
    if (kn.status?.netId && kn.status.subnetId) return;
    const nsName = kn.spec.nsName;
    const ns = await ctx.api
      .get(KINDS.namespace, nsName, undefined, { signal: ctx.signal })
      .catch((e: unknown) => {
        if (isNotFoundError(e)) return undefined;
        throw e;
      });
    if (ns?.metadata?.uid === undefined) return; // namespace gone: the finalize path follows
    const net = await this.subnets.ensureNamespaceNetwork(
      { uid: ns.metadata.uid, name: nsName },
      kn.spec.projectId,
      ctx.signal,
    );
    await ctx.api.patchJson(
      KINDS.kuryrNetwork,
      kn.metadata?.name ?? '',
      kn.metadata?.namespace,
      [
        {
          op: 'add',
          path: '/status',
          value: { ...net, populated: false, nsLabels: kn.spec.nsLabels },
        },
      ],
      { signal: ctx.signal },
    );
    ctx.log.info({ namespace: nsName, networkId: net.netId }, 'namespace network ready');
  }

  async onFinalize(kn: KuryrNetwork, ctx: HandlerContext): Promise<void> {
    const netId = kn.status?.netId;
    if (netId) {
      await this.pool?.deleteNetworkPools(netId, { signal: ctx.signal });
      await this.subnets.deleteNamespaceNetwork({ netId }, ctx.signal);
      return;
    }
    // Crash between create and status write: find the network by its `<uid>/<name>` name.
    const uid = kn.metadata?.ownerReferences?.[0]?.uid;
    if (uid) await this.subnets.deleteNamespaceNetwork({ uid, name: kn.spec.nsName }, ctx.signal);
  }
}
