/**
 * Integration: Kubernetes-side orphan GC against the REAL Neutron: pod ports whose pod UID is not live
 * and namespace networks whose namespace UID is not live are listed by a dry run and deleted by a real
 * run; live ones and free pool ports stay. Scoped by `resource_tags` = this suite's prefix.
 *
 * @module test/integration/controller/gc.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { NeutronPodVifDriver } from '../../../src/controller/drivers/pod-vif/neutron-vif.js';
import type { PodSubnet, VifRequest } from '../../../src/controller/drivers/pod-vif/types.js';
import { KubernetesOrphanCollector } from '../../../src/controller/gc.js';
import {
  deleteTaggedPorts,
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from './controller-bed.js';

describe('orphan GC against the real Neutron', () => {
  let bed: ControllerBed;
  let pod: PodSubnet;

  before(async () => {
    bed = await openControllerBed('kd-gc');
    pod = await makePodNetwork(bed, 'pods', '10.235.1.0/24');
  });

  after(async () => {
    if (pod) await deleteTaggedPorts(bed, pod.network.id);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('dry run lists, real run deletes only orphans', async () => {
    const driver = new NeutronPodVifDriver(bed.neutron, bed.log, { resourceTags: [bed.prefix] });
    const req = (uid: string): VifRequest => ({
      pod: { uid, namespace: 'default', name: 'p', nodeName: bed.env.bindingHost },
      projectId: bed.projectId,
      subnets: [pod],
      securityGroups: [],
    });
    const liveUid = randomUUID();
    const live = await driver.requestVif(req(liveUid));
    const orphan = await driver.requestVif(req(randomUUID()));
    const [pooled] = await driver.requestVifs(req(liveUid), 1);
    const nsUid = randomUUID();
    const nsNet = await bed.neutron.networks.createTagged(
      { name: `${nsUid}/${bed.prefix}-gone`, project_id: bed.projectId },
      [bed.prefix],
    );
    bed.cleanup.push(`network ${nsNet.id}`, () => bed.neutron.networks.delete(nsNet.id));

    const deletedNets: string[] = [];
    const gc = new KubernetesOrphanCollector(bed.neutron, bed.log, {
      resourceTags: [bed.prefix],
      graceSeconds: 0,
      deleteNetwork: async (id) => {
        deletedNets.push(id);
        await bed.neutron.networks.deleteIfExists(id);
      },
    });
    const owners = {
      livePodUids: new Set([liveUid]),
      liveNamespaceUids: new Set([randomUUID()]),
    };
    const dry = await gc.collect(owners, { dryRun: true });
    assert.deepEqual(dry.orphans.map((o) => o.id).sort(), [orphan.id, nsNet.id].sort());
    assert.deepEqual(dry.deleted, []);
    await bed.neutron.ports.get(orphan.id); // still there

    const real = await gc.collect(owners, { dryRun: false });
    assert.deepEqual(real.deleted.sort(), [orphan.id, nsNet.id].sort());
    assert.deepEqual(real.failed, []);
    assert.deepEqual(deletedNets, [nsNet.id]);
    await assert.rejects(bed.neutron.ports.get(orphan.id), (e: unknown) => isNotFoundError(e));
    await assert.rejects(bed.neutron.networks.get(nsNet.id), (e: unknown) => isNotFoundError(e));
    await bed.neutron.ports.get(live.id);
    await bed.neutron.ports.get(pooled?.id ?? '');
    assert.deepEqual((await gc.collect(owners, { dryRun: true })).orphans, []);
  });
});
