/**
 * Integration: the `namespace` and `kuryrnetwork` handlers against a REAL kube-apiserver and the REAL
 * Neutron: Namespace → KuryrNetwork → network + subnet from a real subnetpool on a real router, recorded
 * in status; pods of the namespace then resolve that subnet; finalize deletes the Neutron side.
 *
 * @module test/integration/controller/namespace-handlers.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { DefaultProjectDriver } from '../../../src/controller/drivers/project/default.js';
import { NamespaceSubnetsDriver } from '../../../src/controller/drivers/subnets/namespace.js';
import { KuryrNetworkHandler } from '../../../src/controller/handlers/kuryrnetwork.js';
import { kuryrNetworkSubnetLookup } from '../../../src/controller/handlers/namespace-lookups.js';
import { NamespaceHandler } from '../../../src/controller/handlers/namespace.js';
import type { HandlerContext } from '../../../src/controller/pipeline/types.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { testPrefix } from '../../helpers/prefix.js';
import { applyCrds, connectKube, deleteNamespace } from '../k8s/kube-env.js';
import { openControllerBed, type ControllerBed } from './controller-bed.js';

describe('namespace + kuryrnetwork handlers on a real apiserver and Neutron', () => {
  let bed: ControllerBed;
  let kube: KubeClient;
  let ns: string | undefined;
  let subnets: NamespaceSubnetsDriver;

  before(async () => {
    bed = await openControllerBed('kd-nsh');
    kube = await connectKube();
    await applyCrds(kube);
    const pool = await bed.neutron.subnetpools.createTagged(
      { name: `${bed.prefix}-pool`, prefixes: ['10.238.0.0/16'], default_prefixlen: 24 },
      [bed.prefix],
    );
    bed.cleanup.push(`subnetpool ${pool.id}`, () => bed.neutron.subnetpools.delete(pool.id));
    const router = await bed.neutron.routers.createTagged({ name: `${bed.prefix}-router` }, [
      bed.prefix,
    ]);
    bed.cleanup.push(`router ${router.id}`, () => bed.neutron.routers.delete(router.id));
    subnets = new NamespaceSubnetsDriver(bed.neutron, bed.log, {
      routerId: router.id,
      subnetPoolId: pool.id,
      resourceTags: [bed.prefix],
      lookup: kuryrNetworkSubnetLookup(kube),
    });
    ns = testPrefix('kd-nsh');
  });

  after(async () => {
    await deleteNamespace(kube, ns).catch(() => undefined);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('namespace → KuryrNetwork → Neutron network in status → delete', async () => {
    const name = ns as string;
    const created = await kube.create(KINDS.namespace, {
      metadata: { name, labels: { team: 'kd' } },
    });
    const ctx: HandlerContext = {
      api: kube,
      events: new EventRecorder(kube, { log: bed.log, enabled: false }),
      log: bed.log,
      signal: new AbortController().signal,
    };
    await new NamespaceHandler(new DefaultProjectDriver(bed.projectId)).onPresent(created, ctx);
    let kn = await kube.get(KINDS.kuryrNetwork, name, name);
    assert.deepEqual(kn.spec, { nsName: name, projectId: bed.projectId, nsLabels: { team: 'kd' } });
    assert.deepEqual(kn.metadata?.finalizers, ['kuryrnetwork.finalizers.kuryr.openstack.org']);

    const h = new KuryrNetworkHandler(subnets);
    await h.onPresent(kn, ctx);
    kn = await kube.get(KINDS.kuryrNetwork, name, name);
    const st = kn.status;
    assert.ok(st?.netId && st.subnetId, 'status written through the API server');
    bed.cleanup.push(`ns network ${st.netId}`, () =>
      subnets.deleteNamespaceNetwork({ netId: st.netId ?? '' }),
    );
    const net = await bed.neutron.networks.get(st.netId);
    assert.equal(net.name, `${created.metadata?.uid}/${name}`);
    assert.match(st.subnetCIDR ?? '', /^10\.238\.\d+\.0\/24$/);
    const [ps] = await subnets.getSubnets({ namespace: name });
    assert.equal(ps?.subnet.id, st.subnetId, 'pods of the namespace resolve its subnet');

    await h.onFinalize(kn, ctx);
    await assert.rejects(bed.neutron.networks.get(st.netId), (e: unknown) => isNotFoundError(e));
  });
});
