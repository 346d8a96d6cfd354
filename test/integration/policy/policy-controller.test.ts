/**
 * Integration: the REAL `kuryr controller` process (test/helpers/controller-process.ts) with
 * `enabled_handlers = vif,kuryrport,policy,kuryrnetworkpolicy,pod_label` and
 * `pod_security_groups_driver = policy`, on the real kube-apiserver and Neutron, restricted to this
 * suite's namespace (`--watch-namespace`). Proves the wiring end to end: a pod created AFTER a policy
 * that selects it gets the policy SG at port creation (kuryrport path → `policy` driver), a pod no policy
 * selects gets the default SG, the SG holds the policy's rules with the peer's IP, and deleting the
 * policy puts the port back on the default SG and deletes the SG.
 *
 * @module test/integration/policy/policy-controller.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { vifFromPrimitive } from '../../../src/models/vif-primitive.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import {
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from '../controller/controller-bed.js';
import { applyCrds, connectKube, deleteNamespace, waitFor } from '../k8s/kube-env.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import type { PodSubnet } from '../../../src/controller/drivers/pod-vif/types.js';
import { ruleLine } from './policy-probes.js';

const WAIT = 120_000;

describe('kuryr controller runs the NetworkPolicy handlers (real process)', () => {
  let bed: ControllerBed;
  let kube: KubeClient;
  let net: PodSubnet;
  let ns = '';
  let defaultSg = '';
  let controller: ControllerProcess | undefined;

  /** The pod's port id and IP once the controller wrote its VIF; the IP then goes into status. */
  async function podPort(name: string): Promise<{ id: string; ip: string }> {
    const vif = await waitFor(
      `VIF of ${name}`,
      async () => {
        const prim = (await kube.get(KINDS.kuryrPort, name, ns).catch(() => undefined))?.status
          ?.vifs['eth0']?.vif;
        return prim ? vifFromPrimitive(prim) : undefined;
      },
      WAIT,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; controller log:\n${controller?.log() ?? ''}`);
    });
    const ip = vif.network.subnets[0]?.ips[0] ?? '';
    await kube.patchMerge(
      KINDS.pod,
      name,
      ns,
      { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } },
      { subresource: 'status' },
    );
    return { id: vif.id, ip };
  }
  async function sgsOf(portId: string): Promise<string[]> {
    return [...(await bed.neutron.ports.get(portId)).security_groups].sort();
  }

  before(async () => {
    bed = await openControllerBed('kd2-ctl');
    kube = await connectKube();
    await applyCrds(kube);
    net = await makePodNetwork(bed, 'pods', '10.242.63.0/24');
    const sg = await bed.neutron.securityGroups.create({
      name: `${bed.prefix}-default`,
      project_id: bed.projectId,
    });
    defaultSg = sg.id;
    ns = bed.prefix;
    await kube.create(KINDS.namespace, { metadata: { name: ns } });
    controller = startController(bed.env, {
      projectId: bed.projectId,
      podSubnetId: net.subnet.id,
      podSecurityGroupIds: [defaultSg],
      resourceTags: [bed.prefix],
      enabledHandlers: 'vif,kuryrport,policy,kuryrnetworkpolicy,pod_label',
      podSecurityGroupsDriver: 'policy',
      watchNamespace: ns,
    });
  });

  after(async () => {
    await controller?.stop();
    await deleteNamespace(kube, ns).catch(() => undefined);
    for (const p of await bed.neutron.ports.listAll({ network_id: net.network.id }))
      await bed.neutron.ports.deleteIfExists(p.id).catch(() => false);
    const sgs = await bed.neutron.securityGroups.listAll({ project_id: bed.projectId });
    for (const s of sgs.filter((x) => x.name.startsWith(`sg/${ns}`)))
      await bed.neutron.securityGroups.deleteIfExists(s.id).catch(() => false);
    await bed.neutron.securityGroups.deleteIfExists(defaultSg).catch(() => false);
    await bed.cleanup.run();
    await bed.sessions.closeAll();
  });

  test('policy SG at pod creation, rules with the peer IP, default SG back after deletion', async () => {
    await waitFor(
      'controller started',
      () => controller?.records().some((r) => r['msg'] === 'controller started'),
      WAIT,
    );
    const pod = (name: string, app: string) => ({
      metadata: { name, namespace: ns, labels: { app } },
      spec: { nodeName: bed.env.bindingHost, containers: [{ name: 'c', image: 'kd2/none:0' }] },
    });
    await kube.create(KINDS.pod, pod('client', 'client'));
    const client = await podPort('client');
    await kube.create(KINDS.networkPolicy, {
      metadata: { name: 'web', namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
      },
    });
    const sgId = await waitFor(
      'KuryrNetworkPolicy status.securityGroupId',
      async () =>
        (await kube.get(KINDS.kuryrNetworkPolicy, 'web', ns).catch(() => undefined))?.status
          ?.securityGroupId,
      WAIT,
    );
    await kube.create(KINDS.pod, pod('web', 'web'));
    const web = await podPort('web');
    assert.deepEqual(await sgsOf(web.id), [sgId], 'web created with the policy SG');
    assert.deepEqual(await sgsOf(client.id), [defaultSg], 'client keeps the default SG');
    const want = [
      'egress IPv4 any all any',
      'egress IPv6 any all any',
      `ingress IPv4 any all ${client.ip}/32`,
    ];
    let got: string[] = [];
    await waitFor(
      'policy SG rules',
      async () => {
        const rules = await bed.neutron.securityGroupRules.listAll({ security_group_id: sgId });
        got = rules.map(ruleLine).sort();
        return JSON.stringify(got) === JSON.stringify(want);
      },
      WAIT,
    ).catch(() => undefined);
    assert.deepEqual(got, want);

    await kube.delete(KINDS.networkPolicy, 'web', ns);
    await waitFor(
      'policy SG deleted',
      async () =>
        bed.neutron.securityGroups.get(sgId).then(
          () => false,
          (e: unknown) => isNotFoundError(e),
        ),
      WAIT,
    );
    assert.deepEqual(await sgsOf(web.id), [defaultSg], 'web back on the default SG');
  });
});
