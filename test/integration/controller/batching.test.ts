/**
 * Integration (issue #6 throughput): the REAL `kuryr controller` process (`neutron-vif`, `noop` pool) on
 * the REAL kube-apiserver and Neutron. N pods created at once get N distinct ports — each port names its
 * own pod (device_id) and is bound to the node — with fewer Neutron port POSTs than pods, because
 * concurrent same-key creations are coalesced into bulk requests. Deleting the pods deletes every port.
 * (Security groups are not asserted: other suites' policy controllers may change any pod port's SGs.)
 *
 * @module test/integration/controller/batching.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { SecurityGroup } from '../../../src/openstack/neutron/index.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import { applyCrds, connectKube, deleteNamespace } from '../k8s/kube-env.js';
import { makePodNetwork, openControllerBed, type ControllerBed } from './controller-bed.js';
import {
  createPods,
  deletePodsAndWait,
  kuryrPorts,
  vifPortIds,
  waitUntil,
  wiredCount,
} from './restart-harness.js';

const PODS = 16;

describe('batched pod port creation (real kuryr controller, apiserver, Neutron)', () => {
  let bed: ControllerBed;
  let kube: KubeClient;
  let sg: SecurityGroup;
  let ns: string | undefined;
  let controller: ControllerProcess | undefined;
  let networkId: string | undefined;

  before(async () => {
    bed = await openControllerBed('kb2-bat');
    kube = await connectKube();
    await applyCrds(kube);
    // The project's `default` group: the SG quota of the shared test project is small.
    const found = await bed.neutron.securityGroups.findOne({
      name: 'default',
      project_id: bed.projectId,
    });
    assert.ok(found, 'the admin project has its default security group');
    sg = found;
  });

  after(async () => {
    await controller?.stop('SIGKILL');
    // The controller's log, for a failed run (no secrets: debug lines carry method, path, status).
    const dump = join(tmpdir(), `${bed.prefix}-controller.jsonl`);
    writeFileSync(dump, (controller?.records() ?? []).map((r) => JSON.stringify(r)).join('\n'));
    await deleteNamespace(kube, ns).catch(() => undefined);
    // Every port on this suite's network, tagged or not: ports this controller made for other
    // suites' pods may have had their tags replaced by those suites' controllers.
    const ports = [
      ...(await bed.neutron.ports.listAll({ tags: [bed.prefix] })),
      ...(networkId ? await bed.neutron.ports.listAll({ network_id: networkId }) : []),
    ];
    for (const p of ports) await bed.neutron.ports.deleteIfExists(p.id).catch(() => undefined);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test(`${PODS} pods at once → ${PODS} distinct ports in fewer POSTs than pods; deletion deletes them`, async () => {
    const { network, subnet } = await makePodNetwork(bed, 'bat', '10.232.0.0/24');
    networkId = network.id;
    const c = startController(bed.env, {
      projectId: bed.projectId,
      podSubnetId: subnet.id,
      podSecurityGroupIds: [sg.id],
      resourceTags: [bed.prefix],
      vifPoolDriver: 'noop',
      vifPool: { batch: 10 },
      debug: true,
      watchNamespace: `${bed.prefix}-pods`,
    });
    controller = c;
    await waitUntil('the controller to start its handlers', 120_000, () =>
      c.records().some((r) => r['msg'] === 'port pools recovered from Neutron') ? true : undefined,
    );
    ns = `${bed.prefix}-pods`;
    await kube.create(KINDS.namespace, { metadata: { name: ns } });
    const from = c.records().length;
    const uids = await createPods(kube, ns, bed.env.bindingHost, PODS);
    await waitUntil(
      `all ${PODS} KuryrPorts to carry a VIF`,
      300_000,
      async () => ((await wiredCount(kube, ns as string)) === PODS ? true : undefined),
      [c],
    );

    // One VIF per pod, no port twice, every port names its own pod and is bound to the node.
    // NOTE: other suites' controllers share this apiserver and watch every namespace: they race this
    // controller for these pods (a pod may get its VIF from one of them, on their network) and this
    // controller wires their pods too. So: every pod has exactly one VIF, no port is referenced
    // twice, and every port THIS controller made for these pods is the one its pod references.
    const mine = new Set(uids.values());
    const referenced = new Map<string, string>();
    for (const kp of await kuryrPorts(kube, ns)) {
      const ids = vifPortIds(kp);
      assert.equal(ids.length, 1, `${kp.metadata?.name} has exactly one VIF`);
      const id = ids[0] as string;
      assert.ok(!referenced.has(id), `port ${id} referenced twice`);
      referenced.set(id, kp.spec.podUid);
    }
    assert.equal(referenced.size, PODS);
    const podPorts = (
      await bed.neutron.ports.listAll({ network_id: network.id, device_owner: 'compute:kuryr' })
    ).filter((p) => mine.has(p.device_id));
    for (const port of podPorts) {
      assert.equal(
        referenced.get(port.id),
        port.device_id,
        `port ${port.id} of pod ${port.device_id} is the one its KuryrPort references (no leak)`,
      );
      assert.equal(port['binding:host_id'], bed.env.bindingHost);
    }
    assert.ok(podPorts.length > 1, `this controller wired ${podPorts.length} of the ${PODS} pods`);
    const window = c.records().slice(from);
    const posts = window.filter(
      (r) =>
        r['msg'] === 'openstack request' && r['method'] === 'POST' && r['path'] === '/v2.0/ports',
    ).length;
    const written = window.filter((r) => r['msg'] === 'VIF written').length;
    assert.ok(posts >= 1, 'the controller logged its port POSTs');
    assert.ok(
      posts < written,
      `${written} VIFs written with ${posts} port POSTs (fewer POSTs than pods wired)`,
    );
    process.stdout.write(
      `# batching: ${written} VIFs written (${podPorts.length} for this suite's pods) with ${posts} port POSTs\n`,
    );

    await deletePodsAndWait(kube, ns, [c], 900_000);
    await waitUntil('every pod port to be deleted from Neutron', 600_000, async () => {
      const left = await bed.neutron.ports.listAll({
        network_id: network.id,
        device_owner: 'compute:kuryr',
      });
      return left.some((p) => mine.has(p.device_id)) ? undefined : true;
    });
    await c.stop('SIGTERM');
  });
});
