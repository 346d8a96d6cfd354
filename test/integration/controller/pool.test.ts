/**
 * Integration: the `neutron` VIF pool over `neutron-vif` against the REAL Neutron: populate in bulk
 * batches → hand out with no Neutron call → release → "restart" (a new pool instance recovers from
 * Neutron, skipping ports referenced by KuryrPorts) → concurrent hand-out never repeats a port.
 *
 * @module test/integration/controller/pool.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { NeutronPodVifDriver } from '../../../src/controller/drivers/pod-vif/neutron-vif.js';
import type { PodSubnet, VifRequest } from '../../../src/controller/drivers/pod-vif/types.js';
import { NeutronVifPool } from '../../../src/controller/drivers/vif-pool/neutron-pool.js';
import {
  deleteTaggedPorts,
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from './controller-bed.js';

describe('neutron VIF pool against the real Neutron', () => {
  let bed: ControllerBed;
  let pod: PodSubnet;
  let req: VifRequest;

  function newPool(): NeutronVifPool {
    const driver = new NeutronPodVifDriver(bed.neutron, bed.log, { resourceTags: [bed.prefix] });
    return new NeutronVifPool(driver, bed.neutron, bed.log, {
      min: 2,
      batch: 4,
      max: 0,
      resourceTags: [bed.prefix],
    });
  }

  before(async () => {
    bed = await openControllerBed('kd-pool');
    pod = await makePodNetwork(bed, 'pods', '10.234.1.0/24');
    req = {
      pod: { uid: randomUUID(), namespace: 'default', name: 'p', nodeName: bed.env.bindingHost },
      projectId: bed.projectId,
      subnets: [pod],
      securityGroups: [],
    };
  });

  after(async () => {
    if (pod) await deleteTaggedPorts(bed, pod.network.id);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('populate, take, release, recover after a restart, no double allocation', async () => {
    const first = newPool();
    bed.http.reset();
    assert.equal(await first.populate(req, 10), 10);
    const posts = bed.http.requests.filter((r) => r.startsWith('POST'));
    assert.equal(posts.length, 3, 'batches of 4: 4+4+2 in three bulk POSTs');

    bed.http.reset();
    const taken = await Promise.all([1, 2, 3].map(() => first.requestVif(req)));
    assert.equal(bed.http.count, 0, 'hand-out from a filled pool makes no Neutron call');
    await first.releaseVif(taken[2] as never, req);
    const inUse = taken.slice(0, 2);

    // restart: the old instance is gone; KuryrPorts reference the two ports in use
    const second = newPool();
    const recovered = await second.sync(new Set(inUse.map((v) => v.id)));
    assert.equal(recovered, 8);
    bed.http.reset();
    const handed = await Promise.all(Array.from({ length: 8 }, () => second.requestVif(req)));
    assert.equal(bed.http.count, 0);
    const all = [...inUse, ...handed].map((v) => v.id);
    assert.equal(new Set(all).size, 10, 'every port handed out once');
    const inNeutron = await bed.neutron.ports.listAll({
      network_id: pod.network.id,
      tags: [bed.prefix],
    });
    assert.deepEqual(inNeutron.map((p) => p.id).sort(), [...all].sort());

    // the pool is empty now: the next request refills with one bulk POST
    bed.http.reset();
    await second.requestVif(req);
    assert.deepEqual(
      bed.http.requests.filter((r) => r.startsWith('POST')),
      ['POST /v2.0/ports'],
    );
  });
});
