/**
 * Integration (issue #6 "restart of the controller mid-flight: no leak, no double allocation"): the REAL
 * `kuryr controller` process on the REAL kube-apiserver and Neutron. 30 pods are created, the controller
 * is SIGKILLed while their KuryrPorts are being wired, a new controller starts. Afterwards every pod has
 * exactly one VIF, no port is referenced twice, every other kuryr port on the pod network is a free pool
 * port that the restarted controller recovered into its pool (never a leak); deleting the pods leaves
 * Neutron as it was, apart from free pool ports (which outlive the process by design, are recovered by
 * the next controller and are deleted with their namespace network).
 *
 * Variants: `neutron-vif` + `noop` pool + `default` subnets; `neutron-vif` + `neutron` pool +
 * `namespace` subnets (the namespace network is created by the controller).
 *
 * @module test/integration/controller/restart.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { ControllerProcess, ControllerSettings } from '../../helpers/controller-process.js';
import { makePodNetwork, type ControllerBed } from './controller-bed.js';
import {
  checkWiring,
  createPods,
  deletePodsAndWait,
  loggedValues,
  RobustnessSuite,
  waitUntil,
  wiredCount,
} from './restart-harness.js';
import { terminateNamespace } from './namespace-lifecycle.js';

const PODS = 30;

describe('controller restart mid-flight (real kuryr controller, apiserver, Neutron)', () => {
  const suite = new RobustnessSuite();
  let bed: ControllerBed;
  let kube: KubeClient;

  before(async () => {
    await suite.open('kc2-rst');
    ({ bed, kube } = suite);
  });

  after(() => suite.close());

  const start = (settings: Partial<ControllerSettings>) => suite.start(settings);
  const newNamespace = (suffix: string) => suite.namespace(suffix);

  /** Create the pods, kill `first` once a few are wired, return the pods' UIDs. */
  async function createAndKill(ns: string, first: ControllerProcess): Promise<Map<string, string>> {
    const uids = await createPods(kube, ns, bed.env.bindingHost, PODS);
    const wired = await waitUntil(
      'the first KuryrPorts to get their VIF',
      120_000,
      async () => {
        const n = await wiredCount(kube, ns);
        return n >= 4 ? n : undefined;
      },
      [first],
    );
    await first.stop('SIGKILL');
    assert.ok(wired < PODS, `killed mid-flight (${wired}/${PODS} wired at the kill)`);
    return uids;
  }

  test('noop pool, default subnet: SIGKILL while wiring → one VIF per pod, no leak; deletion restores Neutron', async () => {
    const { network, subnet } = await makePodNetwork(bed, 'rst', '10.247.0.0/24');
    const before = await bed.neutron.ports.listAll({ network_id: network.id });
    const ns = await newNamespace('noop');
    const settings = { podSubnetId: subnet.id, vifPoolDriver: 'noop', watchNamespace: ns };
    const first = start(settings);
    const uids = await createAndKill(ns, first);

    const second = start(settings);
    await waitUntil(
      `all ${PODS} KuryrPorts to carry a VIF after the restart`,
      180_000,
      async () => ((await wiredCount(kube, ns)) === PODS ? true : undefined),
      [first, second],
    );
    const w = await checkWiring(bed, kube, ns, uids, [network.id]);
    assert.equal(w.freePool.length, 0, 'no pool: no unreferenced port at all');
    for (const [portId, uid] of w.referenced) {
      const port = await bed.neutron.ports.get(portId);
      assert.equal(port.device_id, uid, 'the port names its pod');
    }

    await deletePodsAndWait(kube, ns, [second]);
    const afterwards = await bed.neutron.ports.listAll({ network_id: network.id });
    assert.deepEqual(
      afterwards.map((p) => p.id).sort(),
      before.map((p) => p.id).sort(),
      'Neutron holds exactly what it held before',
    );
    await second.stop('SIGTERM');
  });

  test('neutron pool, namespace subnets: SIGKILL while wiring → free ports recovered into the pool, none leaked', async () => {
    const pool = await bed.neutron.subnetpools.createTagged(
      { name: `${bed.prefix}-pool`, prefixes: ['10.248.0.0/16'], default_prefixlen: 24 },
      [bed.prefix],
    );
    bed.cleanup.push(`subnetpool ${pool.id}`, () => bed.neutron.subnetpools.delete(pool.id));
    const router = await bed.neutron.routers.createTagged({ name: `${bed.prefix}-router` }, [
      bed.prefix,
    ]);
    bed.cleanup.push(`router ${router.id}`, () => bed.neutron.routers.delete(router.id));
    const settings = {
      enabledHandlers: 'vif,kuryrport,namespace,kuryrnetwork',
      podSubnetsDriver: 'namespace' as const,
      namespaceSubnet: { routerId: router.id, subnetPoolId: pool.id },
      vifPoolDriver: 'neutron',
      vifPool: { min: 0, batch: 4, updateFrequency: 0 },
      watchNamespace: `${bed.prefix}-pool`,
    };
    const first = start(settings);
    const ns = await newNamespace('pool');
    const netId = await waitUntil(
      'the namespace network in KuryrNetwork status',
      240_000,
      async () =>
        (await kube.get(KINDS.kuryrNetwork, ns, ns).catch(() => undefined))?.status?.netId,
      [first],
    );
    const uids = await createAndKill(ns, first);

    // What the dead controller left: every unreferenced kuryr port must be a free pool port.
    const atKill = await checkWiring(bed, kube, ns, 'in-flight', [netId]);
    const second = start(settings);
    await waitUntil(
      `all ${PODS} KuryrPorts to carry a VIF after the restart`,
      180_000,
      async () => ((await wiredCount(kube, ns)) === PODS ? true : undefined),
      [first, second],
    );
    const recovered = loggedValues(second, 'port pools recovered from Neutron', 'recovered');
    assert.equal(
      recovered.length,
      1,
      `the new controller recovered its pools once: ${second.log()}`,
    );
    // At least every free pool port seen right after the kill: a bulk create the dead process had sent
    // may still complete in Neutron after that look (and its ports must be recovered too, not leaked).
    assert.ok(
      Number(recovered[0]) >= atKill.freePool.length,
      `every free pool port was recovered (${String(recovered[0])} of ${atKill.freePool.length} ` +
        `seen at the kill: ${JSON.stringify(atKill.freePool.map((p) => ({ id: p.id, tags: p.tags })))})`,
    );
    const w = await checkWiring(bed, kube, ns, uids, [netId]);

    // Pods go: their ports go back into the pool (no port deleted, none referenced anymore).
    await deletePodsAndWait(kube, ns, [second]);
    const pooled = await checkWiring(bed, kube, ns, new Map(), [netId]);
    assert.equal(
      pooled.freePool.length,
      w.referenced.size + w.freePool.length,
      'every released port is a free pool port',
    );
    // A third controller recovers all of them: free pool ports outlive a controller, never leak.
    await second.stop('SIGTERM');
    const third = start(settings);
    await waitUntil(
      'the third controller to recover the pools',
      60_000,
      () => loggedValues(third, 'port pools recovered from Neutron', 'recovered')[0],
      [third],
    ).then((n) =>
      assert.equal(
        n,
        pooled.freePool.length,
        `third controller recovered every free pool port: ${JSON.stringify(
          pooled.freePool.map((p) => ({ id: p.id, tags: p.tags })),
        )}\n${third.log()}`,
      ),
    );

    // Namespace deletion drains the pool and deletes the network with its ports.
    await terminateNamespace(kube, ns, [third]);
    suite.namespaces.splice(suite.namespaces.indexOf(ns), 1);
    const left = await bed.neutron.ports.listAll({ network_id: netId });
    assert.deepEqual(left, [], 'no port left on the namespace network');
    await assert.rejects(bed.neutron.networks.get(netId), /not ?found/i);
    await third.stop('SIGTERM');
  });
});
