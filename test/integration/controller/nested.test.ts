/**
 * Integration: the nested Pod VIF drivers against the REAL Neutron: `nested-vlan` on a real trunk (parent
 * port created here stands for the worker VM), `nested-macvlan` on a real port's allowed_address_pairs
 * with concurrent requests (real `If-Match` revision checks).
 *
 * @module test/integration/controller/nested.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { NestedMacvlanPodVifDriver } from '../../../src/controller/drivers/pod-vif/nested-macvlan.js';
import { NestedVlanPodVifDriver } from '../../../src/controller/drivers/pod-vif/nested-vlan.js';
import type { PodSubnet, VifRequest } from '../../../src/controller/drivers/pod-vif/types.js';
import {
  deleteTaggedPorts,
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from './controller-bed.js';

describe('nested drivers against the real Neutron', () => {
  let bed: ControllerBed;
  let vmNet: PodSubnet;
  let podNet: PodSubnet;
  let trunkId: string | undefined;

  function request(i: number, hostIp: string): VifRequest {
    return {
      pod: { uid: randomUUID(), namespace: 'default', name: `p${i}`, nodeName: 'vm', hostIp },
      projectId: bed.projectId,
      subnets: [podNet],
      securityGroups: [],
    };
  }

  async function vmPort(name: string, hostIp: string): Promise<string> {
    const port = await bed.neutron.ports.createTagged(
      {
        network_id: vmNet.network.id,
        name: `${bed.prefix}-${name}`,
        fixed_ips: [{ subnet_id: vmNet.subnet.id, ip_address: hostIp }],
        project_id: bed.projectId,
      },
      [bed.prefix],
    );
    bed.cleanup.push(`port ${port.id}`, () => bed.neutron.ports.delete(port.id));
    return port.id;
  }

  before(async () => {
    bed = await openControllerBed('kd-nest');
    vmNet = await makePodNetwork(bed, 'vms', '10.233.1.0/24');
    podNet = await makePodNetwork(bed, 'pods', '10.233.2.0/24');
  });

  after(async () => {
    if (trunkId !== undefined) {
      const id = trunkId;
      const subs = await bed.neutron.trunks.getSubports(id).catch(() => []);
      if (subs.length > 0)
        await bed.neutron.trunks.removeSubports(
          id,
          subs.map((s) => s.port_id),
        );
    }
    if (podNet) await deleteTaggedPorts(bed, podNet.network.id);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('nested-vlan: concurrent pods get distinct free VLAN ids on the real trunk', async () => {
    const parent = await vmPort('vlan-vm', '10.233.1.10');
    const trunk = await bed.neutron.trunks.createTagged(
      { port_id: parent, name: `${bed.prefix}-trunk`, project_id: bed.projectId },
      [bed.prefix],
    );
    bed.cleanup.push(`trunk ${trunk.id}`, () => bed.neutron.trunks.delete(trunk.id));
    trunkId = trunk.id;
    // somebody else's subport already holds VLAN 1
    const foreign = await bed.neutron.ports.createTagged(
      { network_id: podNet.network.id, name: `${bed.prefix}-foreign` },
      [bed.prefix],
    );
    await bed.neutron.trunks.addSubports(trunk.id, [
      { port_id: foreign.id, segmentation_type: 'vlan', segmentation_id: 1 },
    ]);

    const driver = new NestedVlanPodVifDriver(bed.neutron, bed.log, {
      workerSubnets: [vmNet.subnet.id],
      resourceTags: [bed.prefix],
      random: () => 0, // lowest free id: maximises collisions between the concurrent requests
    });
    const reqs = [0, 1, 2, 3].map((i) => request(i, '10.233.1.10'));
    const vifs = await Promise.all(reqs.map((r) => driver.requestVif(r)));
    const subs = await bed.neutron.trunks.getSubports(trunk.id);
    assert.equal(subs.length, 5);
    const ids = subs.map((s) => s.segmentation_id);
    assert.equal(new Set(ids).size, 5, `distinct ids: ${ids.join(',')}`);
    for (const v of vifs) {
      assert.equal(v.type, 'vlan-nested');
      const sub = subs.find((s) => s.port_id === v.id);
      assert.ok(sub && v.type === 'vlan-nested' && sub.segmentation_id === v.vlanId);
      assert.notEqual(v.type === 'vlan-nested' ? v.vlanId : 0, 1);
    }
    await Promise.all(vifs.map((v, i) => driver.releaseVif(v, reqs[i]?.pod)));
    await driver.releaseVif(vifs[0] as never, reqs[0]?.pod); // idempotent
    assert.deepEqual(
      (await bed.neutron.trunks.getSubports(trunk.id)).map((s) => s.port_id),
      [foreign.id],
    );
  });

  test('nested-macvlan: concurrent pods all land in the VM port pairs; release removes them', async () => {
    const parent = await vmPort('macvlan-vm', '10.233.1.11');
    const driver = new NestedMacvlanPodVifDriver(bed.neutron, bed.log, {
      workerSubnets: [vmNet.subnet.id],
      revUpdateAttempts: 10,
      resourceTags: [bed.prefix],
    });
    const reqs = [0, 1, 2, 3, 4].map((i) => request(i, '10.233.1.11'));
    const vifs = await Promise.all(reqs.map((r) => driver.requestVif(r)));
    const pairs = (await bed.neutron.ports.get(parent)).allowed_address_pairs;
    assert.equal(pairs.length, 5, JSON.stringify(pairs));
    for (const v of vifs) {
      assert.equal(v.type, 'macvlan-nested');
      const ip = v.network.subnets[0]?.ips[0];
      assert.ok(pairs.some((p) => p.ip_address === ip && p.mac_address === v.address));
    }
    await Promise.all(vifs.map((v, i) => driver.releaseVif(v, reqs[i]?.pod)));
    assert.deepEqual((await bed.neutron.ports.get(parent)).allowed_address_pairs, []);
  });
});
