/**
 * NetworkPolicy enforced on real traffic, end to end: the REAL `kuryr controller` process (handlers
 * `vif,kuryrport,namespace,policy,kuryrnetworkpolicy,pod_label`, `pod_security_groups_driver = policy`)
 * on the REAL kube-apiserver and Neutron, pods scheduled on the bed's enforcing host (the OVS agent with
 * the `openvswitch` firewall, KURYR_OVS_BINDING_HOST), their controller-made ports plugged into netns by
 * kuryr's `ovs` binding driver (no kubelet: the test binds and writes `status.podIP` as a kubelet would).
 *
 * Namespaces: `srv` (pod `server`, a TCP listener), `yes` (labelled `ke2-access=<run>`) and `no`, one
 * client pod each. Without a policy both clients reach the server. A deny-all policy plus an
 * allow-from-namespace-label policy in `srv` blocks `no` and keeps `yes` (ping and TCP); labelling `no`
 * lets it in, removing the label shuts it out again; deleting the policies unblocks everything and the
 * policy SGs disappear from Neutron. Every expectation is polled (the controller and the agent act
 * asynchronously); latencies are diagnostics, never assertions.
 *
 * The controller talks to the apiserver through a loopback proxy that hides every other namespace
 * (namespace-proxy.ts): suites running at the same time keep their pods and policies to themselves.
 *
 * @module test/e2e/policy/network-policy-traffic.test
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import { vifFromPrimitive } from '../../../src/models/vif-primitive.js';
import type { SecurityGroup } from '../../../src/openstack/neutron/types.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import { requireOvsOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import { applyCrds, connectKube, deleteNamespace } from '../../integration/k8s/kube-env.js';
import {
  Cleanup,
  EnforcementBed,
  type Endpoint,
  pingOnce,
  startListener,
  stopListener,
  tcpOnce,
  waitFor,
} from './enforcement-bed.js';
import { startNamespaceProxy, type NamespaceProxy } from './namespace-proxy.js';

const P = testPrefix('ke2');
const cleanup = new Cleanup();
const PORT = 8080;
const HANDLERS = 'vif,kuryrport,namespace,policy,kuryrnetworkpolicy,pod_label';
const ns = { srv: `${P}-srv`, yes: `${P}-yes`, no: `${P}-no` };
const ACCESS = 'ke2-access';
const REAL_KUBECONFIG = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';

describe('NetworkPolicy on real traffic (kuryr controller + OVS agent firewall)', () => {
  let bed: EnforcementBed;
  let kube: KubeClient;
  let kubeConnected = false;
  let controller: ControllerProcess | undefined;
  let listener: ChildProcess | undefined;
  let proxy: NamespaceProxy | undefined;
  let defaultSg = '';
  let server: Endpoint;
  let fromYes: Endpoint;
  let fromNo: Endpoint;
  const net = { id: '', mtu: 1500, prefixLen: '24' };

  const ctlLog = (): string => `\ncontroller log tail:\n${controller?.log() ?? ''}`;
  const portSgs = async (e: Endpoint): Promise<string[]> =>
    [...(await bed.neutron.getPortFull(e.port.id)).security_groups].sort();
  const reaches = (c: Endpoint): Promise<boolean> => pingOnce(c.ns, server.ip);
  const policySgIds = async (): Promise<string[]> => {
    const knps = await kube.list(KINDS.kuryrNetworkPolicy, { namespace: ns.srv });
    return knps.items.map((k) => k.status?.securityGroupId ?? '').sort();
  };

  /** Creates a pod on the enforcing host, plugs the controller's port into a netns, reports its IP. */
  async function pod(namespace: string, name: string, labels: Record<string, string>) {
    await kube.create(KINDS.pod, {
      metadata: { name, namespace, labels },
      spec: {
        nodeName: bed.host,
        containers: [
          { name: 'c', image: 'ke2/none:0', ports: [{ name: 'http', containerPort: PORT }] },
        ],
      },
    });
    let portId = '';
    let seen = '';
    await waitFor(
      () => `KuryrPort of ${namespace}/${name} (last seen: ${seen || 'none'})${ctlLog()}`,
      async () => {
        const kp = await kube.get(KINDS.kuryrPort, name, namespace).catch(() => undefined);
        seen = kp ? JSON.stringify({ spec: kp.spec, status: kp.status }).slice(0, 600) : '';
        const prim = kp?.status?.vifs?.['eth0']?.vif;
        portId = prim ? vifFromPrimitive(prim).id : '';
        return portId !== '';
      },
      true,
      90_000,
    );
    const port = await bed.neutron.getPortFull(portId);
    // another suite's controller (they watch the whole apiserver) could have won the pod
    assert.equal(port.network_id, net.id, `port of ${name} made by this test's controller`);
    assert.equal(port['binding:vif_type'], 'ovs', `port of ${name} bound by ${bed.host}`);
    const e = await bed.plug(namespace, port, net);
    await kube.patchMerge(
      KINDS.pod,
      name,
      namespace,
      { status: { phase: 'Running', podIP: e.ip, podIPs: [{ ip: e.ip }] } },
      { subresource: 'status' },
    );
    return e;
  }

  before(async () => {
    const env = requireOvsOpenStackEnv();
    bed = new EnforcementBed(env, env.ovsBindingHost, cleanup);
    kube = await connectKube(REAL_KUBECONFIG);
    kubeConnected = true;
    await applyCrds(kube);
    const n = await bed.neutron.createNetwork(`${P}-pods`);
    cleanup.push(() => bed.neutron.delete('networks', n.id));
    net.id = n.id;
    net.mtu = n.mtu ?? 1500;
    const subnet = await bed.neutron.createSubnet({
      network_id: n.id,
      cidr: '10.216.4.0/24',
      ip_version: 4,
      name: `${P}-pods`,
    });
    // what pods no policy selects get: everything in (the upstream "not isolated" default)
    defaultSg = (await bed.securityGroup(`${P}-default`)).id;
    await bed.allowIngress(defaultSg, {});
    // policy SGs the controller might leave behind (it should not: asserted below)
    cleanup.push(async () => {
      const { security_groups: sgs } = await bed.neutron.call<{
        security_groups: SecurityGroup[];
      }>('GET', `/security-groups?project_id=${n.project_id}`);
      for (const sg of sgs.filter((s) => s.name.startsWith(`sg/${P}`)))
        await bed.neutron.call('DELETE', `/security-groups/${sg.id}`).catch(() => undefined);
    });
    cleanup.push(async () => {
      const { ports } = await bed.neutron.call<{ ports: { id: string }[] }>(
        'GET',
        `/ports?network_id=${n.id}`,
      );
      for (const p of ports) await bed.neutron.delete('ports', p.id);
    });
    cleanup.push(async () => {
      for (const name of Object.values(ns)) await deleteNamespace(kube, name);
    });
    await kube.create(KINDS.namespace, { metadata: { name: ns.srv } });
    await kube.create(KINDS.namespace, { metadata: { name: ns.yes, labels: { [ACCESS]: P } } });
    await kube.create(KINDS.namespace, { metadata: { name: ns.no } });

    // the controller sees only this test's namespaces (see namespace-proxy.ts for why)
    const dir = mkdtempSync(join(tmpdir(), 'ke2-np-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    proxy = await startNamespaceProxy(REAL_KUBECONFIG, P, join(dir, 'kubeconfig'));
    cleanup.push(() => proxy?.close());
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = proxy.kubeconfig; // startController's --kubeconfig
    try {
      controller = startController(env, {
        projectId: n.project_id,
        podSubnetId: subnet.id,
        podSecurityGroupIds: [defaultSg],
        resourceTags: [P],
        enabledHandlers: HANDLERS,
        podSecurityGroupsDriver: 'policy',
      });
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    [server, fromYes, fromNo] = await Promise.all([
      pod(ns.srv, 'server', { app: 'server' }),
      pod(ns.yes, 'client', { app: 'client' }),
      pod(ns.no, 'client', { app: 'client' }),
    ]);
    listener = await startListener(server.ns, [PORT]);
    cleanup.push(() => stopListener(listener));
  });

  after(async () => {
    if (!kubeConnected) return cleanup.run(); // the bed or the apiserver was missing: nothing in Kubernetes
    // Kubernetes objects go while the controller runs (it releases ports and finalizers) …
    for (const name of ['deny-all', 'allow-labelled']) {
      await kube.delete(KINDS.networkPolicy, name, ns.srv).catch(() => undefined);
    }
    const pods: [string, string][] = [
      [ns.srv, 'server'],
      [ns.yes, 'client'],
      [ns.no, 'client'],
    ];
    for (const [namespace, name] of pods) {
      await kube
        .delete(KINDS.pod, name, namespace, { gracePeriodSeconds: 0 })
        .catch(() => undefined);
    }
    await waitFor(
      'pods gone',
      async () => {
        for (const namespace of Object.values(ns)) {
          if ((await kube.list(KINDS.pod, { namespace })).items.length > 0) return false;
        }
        return true;
      },
      true,
      60_000,
    ).catch(() => undefined);
    await controller?.stop();
    // … then netns, leftover ports, namespaces (finalizers stripped), SGs and the network.
    await cleanup.run();
  });

  test('no policy: both namespaces reach the server (default SG)', async () => {
    assert.deepEqual(await portSgs(server), [defaultSg]);
    await waitFor('yes → server ping', () => reaches(fromYes), true);
    await waitFor('no → server ping', () => reaches(fromNo), true);
    assert.ok(await tcpOnce(fromYes.ns, server.ip, PORT), 'yes → server tcp');
    assert.ok(await tcpOnce(fromNo.ns, server.ip, PORT), 'no → server tcp');
  });

  test('deny-all + allow-from-namespace-label: only the labelled namespace gets in', async (t) => {
    const t0 = Date.now();
    await kube.create(KINDS.networkPolicy, {
      metadata: { name: 'deny-all', namespace: ns.srv },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    await kube.create(KINDS.networkPolicy, {
      metadata: { name: 'allow-labelled', namespace: ns.srv },
      spec: {
        podSelector: { matchLabels: { app: 'server' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { [ACCESS]: P } } }] }],
      },
    });
    // Neutron level: the server's port carries exactly the two policy SGs
    let want: string[] = [];
    await waitFor(
      () => `server port gets both policy SGs${ctlLog()}`,
      async () => {
        want = await policySgIds();
        return (
          want.length === 2 && !want.includes('') && String(await portSgs(server)) === String(want)
        );
      },
      true,
      90_000,
    );
    const sgsAt = Date.now() - t0;
    // … and the allow policy's SG admits exactly the labelled namespace's pod
    const remotes = async () =>
      (await Promise.all(want.map((id) => bed.ingressRules(id))))
        .flat()
        .map((r) => r.remote_ip_prefix)
        .sort();
    await waitFor(
      () => `policy SG rules list the yes pod${ctlLog()}`,
      async () => String(await remotes()) === `${fromYes.ip}/32`,
      true,
      90_000,
    );
    await waitFor('no → server ping blocked', () => reaches(fromNo), false);
    const blockedAt = Date.now() - t0;
    // the SG swap on the port can briefly drop established state: poll, then it must stay allowed
    await waitFor('yes → server ping allowed', () => reaches(fromYes), true);
    assert.ok(await tcpOnce(fromYes.ns, server.ip, PORT), 'yes → server tcp allowed');
    assert.equal(await tcpOnce(fromNo.ns, server.ip, PORT), false, 'no → server tcp blocked');
    // the clients themselves are not isolated: the server still reaches both
    assert.deepEqual(await portSgs(fromNo), [defaultSg]);
    assert.ok(await pingOnce(server.ns, fromNo.ip), 'server → no ping (not isolated)');
    t.diagnostic(`policy created → port SGs ${sgsAt} ms, traffic blocked ${blockedAt} ms`);
  });

  test('namespace label change: labelling "no" lets it in, unlabelling shuts it out', async (t) => {
    const t0 = Date.now();
    await kube.patchMerge(KINDS.namespace, ns.no, undefined, {
      metadata: { labels: { [ACCESS]: P } },
    });
    await waitFor(
      () => `no → server after labelling${ctlLog()}`,
      () => reaches(fromNo),
      true,
      90_000,
    );
    const on = Date.now() - t0;
    assert.ok(await tcpOnce(fromNo.ns, server.ip, PORT), 'no → server tcp after labelling');
    const t1 = Date.now();
    await kube.patchMerge(KINDS.namespace, ns.no, undefined, {
      metadata: { labels: { [ACCESS]: null } },
    });
    await waitFor(
      () => `no → server after unlabelling${ctlLog()}`,
      () => reaches(fromNo),
      false,
      90_000,
    );
    assert.ok(await reaches(fromYes), 'yes still allowed');
    t.diagnostic(`label → allowed ${on} ms, unlabel → blocked ${Date.now() - t1} ms`);
  });

  test('policies deleted: traffic unblocked, policy SGs gone from the port and Neutron', async (t) => {
    const sgs = await policySgIds();
    const t0 = Date.now();
    await kube.delete(KINDS.networkPolicy, 'deny-all', ns.srv);
    await kube.delete(KINDS.networkPolicy, 'allow-labelled', ns.srv);
    await waitFor(
      () => `no → server unblocked${ctlLog()}`,
      () => reaches(fromNo),
      true,
      90_000,
    );
    const open = Date.now() - t0;
    assert.ok(await tcpOnce(fromNo.ns, server.ip, PORT), 'no → server tcp unblocked');
    await waitFor(
      () => `KuryrNetworkPolicies and their SGs gone${ctlLog()}`,
      async () => {
        if ((await kube.list(KINDS.kuryrNetworkPolicy, { namespace: ns.srv })).items.length)
          return false;
        for (const id of sgs) {
          const gone = await bed.neutron
            .call('GET', `/security-groups/${id}`)
            .then(() => false)
            .catch((e: unknown) => isNotFoundError(e));
          if (!gone) return false;
        }
        return true;
      },
      true,
      90_000,
    );
    assert.deepEqual(await portSgs(server), [defaultSg]);
    t.diagnostic(`policies deleted → traffic open ${open} ms`);
  });
});
