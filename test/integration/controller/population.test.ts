/**
 * Integration: the `kuryrnetwork_population` handler against a REAL kube-apiserver and the REAL Neutron:
 * Namespace → KuryrNetwork → network + subnet (namespace + kuryrnetwork handlers) → the population
 * handler fills the namespace's pool on the node (a real Node object named after the bed's L2 agent host)
 * with `ports_pool_min` bound pool ports in bulk batches and sets `status.populated`; it runs once, and
 * the namespace's pods are then served from those ports without a port create.
 *
 * @module test/integration/controller/population.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { NeutronPodVifDriver } from '../../../src/controller/drivers/pod-vif/neutron-vif.js';
import { DefaultProjectDriver } from '../../../src/controller/drivers/project/default.js';
import { NamespaceSubnetsDriver } from '../../../src/controller/drivers/subnets/namespace.js';
import { NeutronVifPool } from '../../../src/controller/drivers/vif-pool/neutron-pool.js';
import { KuryrNetworkPopulationHandler } from '../../../src/controller/handlers/kuryrnetwork-population.js';
import { KuryrNetworkHandler } from '../../../src/controller/handlers/kuryrnetwork.js';
import { kuryrNetworkSubnetLookup } from '../../../src/controller/handlers/namespace-lookups.js';
import { NamespaceHandler } from '../../../src/controller/handlers/namespace.js';
import { buildVifRequest } from '../../../src/controller/handlers/pod-info.js';
import type { HandlerContext } from '../../../src/controller/pipeline/types.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { testPrefix } from '../../helpers/prefix.js';
import { applyCrds, connectKube, deleteNamespace } from '../k8s/kube-env.js';
import { openControllerBed, type ControllerBed } from './controller-bed.js';

describe('kuryrnetwork_population on a real apiserver and Neutron', () => {
  let bed: ControllerBed;
  let kube: KubeClient;
  let ns: string | undefined;
  let nodeCreated = false;
  let subnets: NamespaceSubnetsDriver;
  let pool: NeutronVifPool;
  let ctx: HandlerContext;
  let netId: string | undefined;

  before(async () => {
    bed = await openControllerBed('kb2-pop');
    kube = await connectKube();
    await applyCrds(kube);
    const sp = await bed.neutron.subnetpools.createTagged(
      { name: `${bed.prefix}-pool`, prefixes: ['10.233.0.0/16'], default_prefixlen: 24 },
      [bed.prefix],
    );
    bed.cleanup.push(`subnetpool ${sp.id}`, () => bed.neutron.subnetpools.delete(sp.id));
    const router = await bed.neutron.routers.createTagged({ name: `${bed.prefix}-router` }, [
      bed.prefix,
    ]);
    bed.cleanup.push(`router ${router.id}`, () => bed.neutron.routers.delete(router.id));
    subnets = new NamespaceSubnetsDriver(bed.neutron, bed.log, {
      routerId: router.id,
      subnetPoolId: sp.id,
      resourceTags: [bed.prefix],
      lookup: kuryrNetworkSubnetLookup(kube),
    });
    const driver = new NeutronPodVifDriver(bed.neutron, bed.log, { resourceTags: [bed.prefix] });
    pool = new NeutronVifPool(driver, bed.neutron, bed.log, {
      min: 3,
      batch: 2,
      resourceTags: [bed.prefix],
    });
    ctx = {
      api: kube,
      events: new EventRecorder(kube, { log: bed.log, enabled: false }),
      log: bed.log,
      signal: new AbortController().signal,
    };
    // The node the pools are for: named like the bed's L2 agent host, so the ports really bind.
    const node = bed.env.bindingHost;
    const existing = await kube.get(KINDS.node, node).catch(() => undefined);
    if (existing === undefined) {
      await kube.create(KINDS.node, { metadata: { name: node, labels: { 'kb2-test': 'yes' } } });
      nodeCreated = true;
    }
    ns = testPrefix('kb2-pop');
  });

  after(async () => {
    if (netId !== undefined) {
      const ports = await bed.neutron.ports.listAll({ network_id: netId });
      await Promise.all(
        ports
          .filter((p) => p.device_owner === 'compute:kuryr')
          .map((p) => bed.neutron.ports.deleteIfExists(p.id)),
      );
      await subnets.deleteNamespaceNetwork({ netId }).catch(() => undefined);
    }
    await deleteNamespace(kube, ns).catch(() => undefined);
    if (nodeCreated) await kube.delete(KINDS.node, bed.env.bindingHost).catch(() => undefined);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('KuryrNetwork gets its subnet → pools pre-populated on the node → populated, once', async () => {
    const name = ns as string;
    await kube.create(KINDS.namespace, { metadata: { name } });
    const project = new DefaultProjectDriver(bed.projectId);
    await new NamespaceHandler(project).onPresent(await kube.get(KINDS.namespace, name), ctx);
    await new KuryrNetworkHandler(subnets, pool).onPresent(
      await kube.get(KINDS.kuryrNetwork, name, name),
      ctx,
    );
    let kn = await kube.get(KINDS.kuryrNetwork, name, name);
    netId = kn.status?.netId;
    assert.ok(netId && kn.status?.subnetId, 'namespace network in status');
    assert.equal(kn.status.populated, false);

    const deps = {
      pool,
      project,
      subnets,
      securityGroups: { alias: 'none', getSecurityGroups: () => Promise.resolve([]) },
    };
    const handler = new KuryrNetworkPopulationHandler(deps);
    bed.http.reset();
    await handler.onPresent(kn, ctx);
    const posts = bed.http.requests.filter((r) => r.startsWith('POST') && r.includes('/ports'));
    assert.equal(posts.length, 2, 'ports_pool_min 3 in bulk batches of 2: 2 + 1');

    kn = await kube.get(KINDS.kuryrNetwork, name, name);
    assert.equal(kn.status?.populated, true);
    const ports = (await bed.neutron.ports.listAll({ network_id: netId })).filter(
      (p) => p.device_owner === 'compute:kuryr',
    );
    assert.equal(ports.length, 3);
    for (const p of ports) {
      assert.equal(p.name, 'kuryr-pool-port');
      assert.equal(p['binding:host_id'], bed.env.bindingHost);
      assert.notEqual(p['binding:vif_type'], 'binding_failed');
    }
    const mine = pool.pools().find((p) => p.node === bed.env.bindingHost);
    assert.equal(mine?.free, 3);

    // Runs once: the populated KuryrNetwork creates nothing more.
    bed.http.reset();
    await handler.onPresent(kn, ctx);
    assert.equal(bed.http.requests.filter((r) => r.startsWith('POST')).length, 0);

    // A pod of the namespace on that node gets one of the pre-created ports, no port create.
    const req = await buildVifRequest(
      deps,
      { uid: randomUUID(), namespace: name, name: 'p', nodeName: bed.env.bindingHost },
      undefined,
    );
    bed.http.reset();
    const vif = await pool.requestVif(req);
    assert.ok(ports.some((p) => p.id === vif.id));
    assert.equal(bed.http.requests.filter((r) => !r.startsWith('GET')).length, 0);
  });
});
