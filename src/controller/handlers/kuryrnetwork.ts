/**
 * @module `kuryrnetwork` handler: KuryrNetwork → the namespace's Neutron network + subnet on the pod router
 * (namespace subnets driver), recorded in `status` (`netId`, `subnetId`, `subnetCIDR`, `routerId`,
 * `nsLabels`) with a JSON patch; on deletion — once the namespace has no KuryrPort left — the pool's free
 * ports on the network and the network itself (router interface, leftover kuryr ports, subnet) are
 * deleted before the finalizer goes.
 */
import { isNotFoundError } from '../../common/errors/index.js';
import { FINALIZER_KURYRNETWORK } from '../../k8s/constants.js';
import type { KuryrNetwork } from '../../k8s/crds/types.js';
import { KINDS } from '../../k8s/kinds.js';
import type { NamespaceSubnetsDriver } from '../drivers/subnets/namespace.js';
import type { VifPoolDriver } from '../drivers/vif-pool/types.js';
import type { HandlerContext, HandlerResult, ResourceHandler } from '../pipeline/types.js';

/** Poll interval while the namespace still has KuryrPorts. */
const KURYRPORTS_POLL_MS = 1000;

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
    // Namespace gone or terminating: the finalize path follows; a network now would only be deleted.
    if (ns?.metadata?.uid === undefined || ns.metadata.deletionTimestamp) return;
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

  async onFinalize(kn: KuryrNetwork, ctx: HandlerContext): Promise<HandlerResult | void> {
    // The pods' ports go first: their KuryrPort finalizers release them (to the pool, which still
    // resolves this network through our status) and only then are the pool and the network drained.
    // Deleting the network earlier would pull ports from under live pods and let released ports land
    // in a pool of a network that no longer exists.
    const left = await ctx.api.list(
      KINDS.kuryrPort,
      { namespace: kn.spec.nsName, limit: 1 },
      { signal: ctx.signal },
    );
    if (left.items.length > 0) {
      ctx.log.info({ namespace: kn.spec.nsName }, 'waiting for the KuryrPorts of the namespace');
      return { requeueAfterMs: KURYRPORTS_POLL_MS };
    }
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
