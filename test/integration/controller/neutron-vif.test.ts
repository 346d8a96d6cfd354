/**
 * Integration: the `neutron-vif` Pod VIF driver against the REAL Neutron: ports bound by the bed's L2
 * agent host, created in one bulk request, tagged, described as VIFs, released idempotently.
 *
 * @module test/integration/controller/neutron-vif.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { NotReadyError } from '../../../src/common/errors/index.js';
import { NeutronPodVifDriver } from '../../../src/controller/drivers/pod-vif/neutron-vif.js';
import type { PodSubnet, VifRequest } from '../../../src/controller/drivers/pod-vif/types.js';
import { vifToPrimitive } from '../../../src/models/vif-primitive.js';
import {
  deleteTaggedPorts,
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from './controller-bed.js';

describe('neutron-vif against the real Neutron', () => {
  let bed: ControllerBed;
  let pod: PodSubnet;
  let driver: NeutronPodVifDriver;
  let req: VifRequest;

  before(async () => {
    bed = await openControllerBed('kd-vif');
    pod = await makePodNetwork(bed, 'pods', '10.231.1.0/24');
    driver = new NeutronPodVifDriver(bed.neutron, bed.log, {
      portDebug: true,
      resourceTags: [bed.prefix],
    });
    req = {
      pod: {
        uid: randomUUID(),
        namespace: 'default',
        name: `${bed.prefix}-pod`,
        nodeName: bed.env.bindingHost,
      },
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

  test('requestVifs: N bound ports in ONE POST, tagged, then released', async () => {
    bed.http.reset();
    const vifs = await driver.requestVifs(req, 8);
    const posts = bed.http.requests.filter((r) => r.startsWith('POST'));
    assert.deepEqual(posts, ['POST /v2.0/ports'], 'one bulk create');
    assert.equal(new Set(vifs.map((v) => v.id)).size, 8);
    const ports = await bed.neutron.ports.listAll({
      network_id: pod.network.id,
      tags: [bed.prefix],
    });
    assert.equal(ports.length, 8);
    for (const p of ports) {
      assert.equal(p.device_owner, 'compute:kuryr');
      assert.equal(p.name, 'kuryr-pool-port');
      assert.equal(p['binding:host_id'], bed.env.bindingHost);
      assert.equal(p['binding:vif_type'], bed.env.vifType);
    }
    const v = vifs[0];
    assert.ok(v);
    assert.equal(v.type, bed.env.vifType === 'ovs' ? 'ovs' : 'bridge');
    assert.equal(v.network.subnets[0]?.cidr, '10.231.1.0/24');
    const prim = vifToPrimitive(v);
    assert.match(String(prim['versioned_object.name']), /^VIF(Bridge|OpenVSwitch)$/);
    await Promise.all(vifs.map((x) => driver.releaseVif(x)));
    await driver.releaseVif(v); // already gone: success
    const left = await bed.neutron.ports.listAll({
      network_id: pod.network.id,
      tags: [bed.prefix],
    });
    assert.equal(left.length, 0);
  });

  test('requestVif: pod port named <ns>/<pod> with device_id = pod uid; SG update; not ACTIVE', async () => {
    const vif = await driver.requestVif(req);
    const port = await bed.neutron.ports.get(vif.id);
    assert.equal(port.device_id, req.pod.uid);
    assert.equal(port.name, `default/${req.pod.name}`);
    assert.deepEqual(port.tags, [bed.prefix]);
    const sg = await bed.neutron.securityGroups.create({
      name: `${bed.prefix}-sg`,
      project_id: bed.projectId,
    });
    bed.cleanup.push(`sg ${sg.id}`, () => bed.neutron.securityGroups.delete(sg.id));
    await driver.updateVifSgs(vif, [sg.id]);
    assert.deepEqual((await bed.neutron.ports.get(vif.id)).security_groups, [sg.id]);
    // Nothing plugged the host side: the port stays DOWN and activation asks for a requeue.
    await assert.rejects(driver.activateVif(vif), NotReadyError);
    await driver.releaseVif(vif);
    await assert.rejects(bed.neutron.ports.get(vif.id), { name: 'NotFound' });
  });
});
