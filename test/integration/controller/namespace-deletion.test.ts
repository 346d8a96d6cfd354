/**
 * Integration (issue #6 "namespace deletion with pods"): the REAL `kuryr controller` with the
 * `namespace` subnets driver on the REAL kube-apiserver and Neutron. A namespace with wired pods and a
 * leftover kuryr port (as a crash would leave) on its network is deleted the way Kubernetes deletes it;
 * afterwards its KuryrNetwork, the Neutron network, subnet and router interface, every pod port and the
 * leftover port are gone, and the namespace itself finished terminating.
 *
 * No kube-controller-manager runs on the test bed, so its namespace lifecycle controller is emulated
 * (restart-harness.ts `terminateNamespace`): plain DELETEs of everything in the namespace — kuryr's
 * finalizers are NOT stripped, the controller under test must release them — pods with grace 0 because
 * no kubelet confirms their end, then the `/finalize` subresource once the namespace is empty.
 * (test/integration/k8s/kube-env.ts `deleteNamespace` is a cleanup helper instead: it strips
 * finalizers and leaves the namespace Terminating.)
 *
 * Variants: `noop` pool and `neutron` pool (its free ports on the network are drained too).
 *
 * @module test/integration/controller/namespace-deletion.test
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { ControllerBed } from './controller-bed.js';
import {
  checkWiring,
  createPods,
  RobustnessSuite,
  waitUntil,
  wiredCount,
} from './restart-harness.js';
import { terminateNamespace } from './namespace-lifecycle.js';

const PODS = 6;
const gone = (p: Promise<unknown>) =>
  p.then(
    () => false,
    (e: unknown) => isNotFoundError(e),
  );

describe('namespace deletion with pods (real kuryr controller, apiserver, Neutron)', () => {
  const suite = new RobustnessSuite();
  let bed: ControllerBed;
  let kube: KubeClient;
  let routerId: string;
  let subnetPoolId: string;

  before(async () => {
    await suite.open('kc2-nsd');
    ({ bed, kube } = suite);
    const pool = await bed.neutron.subnetpools.createTagged(
      { name: `${bed.prefix}-pool`, prefixes: ['10.250.0.0/16'], default_prefixlen: 24 },
      [bed.prefix],
    );
    subnetPoolId = pool.id;
    bed.cleanup.push(`subnetpool ${pool.id}`, () => bed.neutron.subnetpools.delete(pool.id));
    const router = await bed.neutron.routers.createTagged({ name: `${bed.prefix}-router` }, [
      bed.prefix,
    ]);
    routerId = router.id;
    bed.cleanup.push(`router ${router.id}`, () => bed.neutron.routers.delete(router.id));
  });

  after(() => suite.close());

  async function deleteWithPods(variant: 'noop' | 'neutron') {
    const ns = `${bed.prefix}-${variant}`;
    const c = suite.start({
      watchNamespace: ns,
      enabledHandlers: 'vif,kuryrport,namespace,kuryrnetwork',
      podSubnetsDriver: 'namespace',
      namespaceSubnet: { routerId, subnetPoolId },
      vifPoolDriver: variant,
      vifPool: { min: 0, batch: 4, updateFrequency: 0 },
    });
    await suite.namespace(variant);
    const st = await waitUntil(
      'the namespace network in KuryrNetwork status',
      240_000,
      async () => {
        const kn = await kube.get(KINDS.kuryrNetwork, ns, ns).catch(() => undefined);
        return kn?.status?.netId && kn.status.subnetId ? kn.status : undefined;
      },
      [c],
    );
    const netId = st.netId as string;
    const subnetId = st.subnetId as string;
    const routerPorts = await bed.neutron.ports.listAll({ device_id: routerId, network_id: netId });
    assert.equal(routerPorts.length, 1, 'the subnet is attached to the pod router');

    const uids = await createPods(kube, ns, bed.env.bindingHost, PODS);
    await waitUntil(
      'every pod wired',
      180_000,
      async () => ((await wiredCount(kube, ns)) === PODS ? true : undefined),
      [c],
    );
    const w = await checkWiring(bed, kube, ns, uids, [netId]);
    // What a controller crash could leave: a kuryr port on the network that nothing references.
    const leftover = await bed.neutron.ports.create({
      network_id: netId,
      device_owner: 'compute:kuryr',
      device_id: randomUUID(),
      name: `${bed.prefix}-leftover`,
    });

    await terminateNamespace(kube, ns, [c]);
    suite.namespaces.splice(suite.namespaces.indexOf(ns), 1);

    assert.ok(await gone(kube.get(KINDS.kuryrNetwork, ns, ns)), 'KuryrNetwork gone');
    assert.ok(await gone(bed.neutron.networks.get(netId)), 'network gone');
    assert.ok(await gone(bed.neutron.subnets.get(subnetId)), 'subnet gone');
    const stillOnRouter = await bed.neutron.ports.listAll({ device_id: routerId });
    assert.ok(
      !stillOnRouter.some((p) => p.fixed_ips.some((f) => f.subnet_id === subnetId)),
      'router interface gone',
    );
    for (const id of [...w.referenced.keys(), ...w.freePool.map((p) => p.id), leftover.id]) {
      assert.ok(await gone(bed.neutron.ports.get(id)), `port ${id} gone`);
    }
    const failed = c.records().filter((r) => r['msg'] === 'handler failed for good (no retry)');
    assert.deepEqual(failed, [], 'no handler gave up');
    await c.stop('SIGTERM');
  }

  test('noop pool: namespace, KuryrNetwork, network, subnet, router interface, pod and leftover ports all gone', () =>
    deleteWithPods('noop'));

  test('neutron pool: the same, and the pool ports on the network are drained', () =>
    deleteWithPods('neutron'));
});
