/**
 * Integration: the `vif` and `kuryrport` handlers against a REAL kube-apiserver (CRDs from deploy/crds)
 * and the REAL Neutron: Pod → KuryrPort (label, ownerRef, finalizer) → Neutron port bound to the node →
 * os-vif VIF in `status.vifs.eth0` (JSON patch on the main resource) → release on finalize.
 *
 * @module test/integration/controller/vif-handlers.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { NeutronPodVifDriver } from '../../../src/controller/drivers/pod-vif/neutron-vif.js';
import type { PodSubnet } from '../../../src/controller/drivers/pod-vif/types.js';
import { DefaultProjectDriver } from '../../../src/controller/drivers/project/default.js';
import { DefaultSecurityGroupsDriver } from '../../../src/controller/drivers/security-groups/default.js';
import { DefaultSubnetsDriver } from '../../../src/controller/drivers/subnets/default.js';
import { NoopVifPool } from '../../../src/controller/drivers/vif-pool/noop.js';
import { KuryrPortHandler } from '../../../src/controller/handlers/kuryrport.js';
import { VifHandler } from '../../../src/controller/handlers/vif.js';
import type { HandlerContext } from '../../../src/controller/pipeline/types.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { vifFromPrimitive } from '../../../src/models/vif-primitive.js';
import { testPrefix } from '../../helpers/prefix.js';
import { applyCrds, connectKube, deleteNamespace } from '../k8s/kube-env.js';
import {
  deleteTaggedPorts,
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from './controller-bed.js';

describe('vif + kuryrport handlers on a real apiserver and Neutron', () => {
  let bed: ControllerBed;
  let kube: KubeClient;
  let ns: string | undefined;
  let pod: PodSubnet;

  before(async () => {
    bed = await openControllerBed('kd-hdl');
    kube = await connectKube();
    await applyCrds(kube);
    ns = testPrefix('kd-hdl');
    await kube.create(KINDS.namespace, { metadata: { name: ns } });
    pod = await makePodNetwork(bed, 'pods', '10.237.1.0/24');
  });

  after(async () => {
    await deleteNamespace(kube, ns).catch(() => undefined);
    if (pod) await deleteTaggedPorts(bed, pod.network.id);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('pod → KuryrPort → bound port in status.vifs → released', async () => {
    const namespace = ns as string;
    const sg = await bed.neutron.securityGroups.create({
      name: `${bed.prefix}-sg`,
      project_id: bed.projectId,
    });
    bed.cleanup.push(`sg ${sg.id}`, () => bed.neutron.securityGroups.delete(sg.id));
    const podVif = new NeutronPodVifDriver(bed.neutron, bed.log, { resourceTags: [bed.prefix] });
    const kp = new KuryrPortHandler({
      podVif,
      pool: new NoopVifPool(podVif),
      project: new DefaultProjectDriver(bed.projectId),
      subnets: new DefaultSubnetsDriver(bed.neutron, pod.subnet.id),
      securityGroups: new DefaultSecurityGroupsDriver([sg.id]),
    });
    const vif = new VifHandler();
    const ctx: HandlerContext = {
      api: kube,
      events: new EventRecorder(kube, { log: bed.log, enabled: false }),
      log: bed.log,
      signal: new AbortController().signal,
    };
    const created = await kube.create(KINDS.pod, {
      metadata: { name: 'web', namespace },
      spec: { nodeName: bed.env.bindingHost, containers: [{ name: 'c', image: 'kd/none:0' }] },
    });
    const uid = created.metadata?.uid ?? '';

    await vif.onPresent(created, ctx);
    let kuryrPort = await kube.get(KINDS.kuryrPort, 'web', namespace);
    assert.equal(kuryrPort.spec.podUid, uid);
    assert.equal(kuryrPort.spec.podNodeName, bed.env.bindingHost);
    assert.equal(kuryrPort.metadata?.labels?.['kuryr.openstack.org/nodeName'], bed.env.bindingHost);
    assert.equal(kuryrPort.metadata?.ownerReferences?.[0]?.uid, uid);

    await kp.onPresent(kuryrPort, ctx);
    kuryrPort = await kube.get(KINDS.kuryrPort, 'web', namespace);
    const prim = kuryrPort.status?.vifs['eth0']?.vif;
    assert.ok(prim, 'status.vifs.eth0 stored by the API server');
    assert.equal(kuryrPort.status?.vifs['eth0']?.default, true);
    const v = vifFromPrimitive(prim);
    const port = await bed.neutron.ports.get(v.id);
    assert.equal(port.device_id, uid);
    assert.equal(port['binding:host_id'], bed.env.bindingHost);
    assert.deepEqual(port.security_groups, [sg.id]);
    assert.equal(v.network.subnets[0]?.ips[0], port.fixed_ips[0]?.ip_address);

    await kp.onPresent(kuryrPort, ctx); // second run: no second port
    const ports = await bed.neutron.ports.listAll({ network_id: pod.network.id, device_id: uid });
    assert.equal(ports.length, 1);

    await kp.onFinalize(kuryrPort, ctx);
    await assert.rejects(bed.neutron.ports.get(v.id), (e: unknown) => isNotFoundError(e));
  });
});
