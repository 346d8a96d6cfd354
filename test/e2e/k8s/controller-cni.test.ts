/**
 * End to end, Kubernetes side (issue #6 "End to end with the CNI daemon"): the real `kuryr controller`
 * process (handlers `vif` + `kuryrport`, driver `neutron-vif`, pool `noop`) on a REAL kube-apiserver and
 * the REAL test-bed Neutron, and the CNI daemon in Kubernetes mode driven by the built `kuryr-cni` with
 * `K8S_POD_*` args, as a runtime would. No kubelet runs: the test creates pods with `nodeName` itself.
 * Two pods get KuryrPorts with VIFs written by the controller, are bound into two netns, ping each
 * other; deleting the pods releases their Neutron ports and the pods disappear (finalizers removed).
 *
 * @module test/e2e/k8s/controller-cni.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startCniDaemon, type RunningCniDaemon } from '../../../src/cni/daemon/cni-daemon.js';
import { KuryrPortRegistry } from '../../../src/cni/daemon/kuryrport-registry.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { NeutronClient } from '../../../src/openstack/neutron/index.js';
import type { Network, SecurityGroup, Subnet } from '../../../src/openstack/neutron/types.js';
import type { OpenStackSession } from '../../../src/openstack/session.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import {
  addNetns,
  adminConnection,
  adminNeutron,
  buildCni,
  delNetns,
  pingFrom,
  runCni,
} from '../../integration/cni/cni-harness.js';
import { applyCrds, connectKube, deleteNamespace, sleep } from '../../integration/k8s/kube-env.js';

const os = requireOpenStackEnv();
const prefix = testPrefix('kt-k8s');
const tag = prefix.slice(-6);
const socket = `/tmp/kt-k8s-${tag}.sock`;
const pods = ['a', 'b'].map((p) => ({
  name: `web-${p}`,
  netns: `ktk${tag}${p}`,
  path: '',
  ip: '',
}));

let kube: KubeClient;
let namespace: string | undefined;
let neutron: NeutronClient;
let session: OpenStackSession;
let network: Network | undefined;
let subnet: Subnet | undefined;
let sg: SecurityGroup | undefined;
let controller: ControllerProcess | undefined;
const controllerLog = (): string => controller?.log() ?? '';
let daemon: RunningCniDaemon | undefined;
let registry: KuryrPortRegistry | undefined;

const conf = { cniVersion: '1.0.0', name: 'kuryr', type: 'kuryr-cni', daemon_socket: socket };
function cniEnv(command: string, pod: (typeof pods)[number], uid: string): Record<string, string> {
  return {
    CNI_COMMAND: command,
    CNI_CONTAINERID: `kt-${tag}-${pod.name}`,
    CNI_NETNS: pod.path,
    CNI_IFNAME: 'eth0',
    CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${namespace};K8S_POD_NAME=${pod.name};K8S_POD_UID=${uid}`,
  };
}

async function waitUntil<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; controller log:\n${controllerLog()}`);
    }
    await sleep(500);
  }
}

describe('kuryr controller + CNI daemon (Kubernetes mode) on a real apiserver and Neutron', () => {
  before(async () => {
    buildCni();
    kube = await connectKube();
    await applyCrds(kube);
    ({ neutron, session } = adminNeutron(os));
    network = await neutron.networks.create({ name: `${prefix}-pods` });
    subnet = await neutron.subnets.create({
      network_id: network.id,
      name: `${prefix}-pods`,
      ip_version: 4,
      cidr: '10.238.0.0/24',
      gateway_ip: '10.238.0.1',
      enable_dhcp: false,
    });
    network = await neutron.networks.get(network.id);
    sg = await neutron.securityGroups.create({ name: `${prefix}-pods` });
    namespace = prefix;
    await kube.create(KINDS.namespace, { metadata: { name: namespace } });
    for (const p of pods) p.path = addNetns(p.netns);

    controller = startController(os, {
      projectId: network.project_id,
      podSubnetId: subnet.id,
      podSecurityGroupIds: [sg.id],
      resourceTags: [prefix],
      watchNamespace: prefix,
    });

    registry = new KuryrPortRegistry(kube, os.bindingHost, pino({ level: 'silent' }));
    registry.start();
    daemon = await startCniDaemon({
      connection: adminConnection(os),
      host: os.bindingHost,
      log: pino({ level: 'silent' }),
      socketPath: socket,
      kuryrPorts: registry,
      vifTimeoutMs: 90_000,
    });
  });

  after(async () => {
    await daemon?.close();
    await registry?.close();
    for (const p of pods) delNetns(p.netns);
    controller?.child.kill('SIGTERM');
    await deleteNamespace(kube, namespace).catch(() => undefined);
    if (network) {
      const left = await neutron.ports.listAll({ network_id: network.id });
      await Promise.all(left.map((p) => neutron.ports.deleteIfExists(p.id)));
      await neutron.networks.deleteIfExists(network.id);
    }
    if (sg) await neutron.securityGroups.deleteIfExists(sg.id);
    await session?.close();
  });

  test('pods get Neutron ports from the controller, the CNI daemon binds them, they ping, deletion releases', async () => {
    const uids: string[] = [];
    for (const p of pods) {
      const created = await kube.create(KINDS.pod, {
        metadata: { name: p.name, namespace },
        spec: { nodeName: os.bindingHost, containers: [{ name: 'c', image: 'kt/none:0' }] },
      });
      uids.push(created.metadata?.uid ?? '');
    }
    // The runtime calls ADD as soon as the sandbox exists; the daemon waits for the controller's VIF.
    const results = await Promise.all(pods.map((p, i) => runCni(cniEnv('ADD', p, uids[i]!), conf)));
    for (const [i, r] of results.entries()) {
      assert.equal(r.status, 0, `ADD ${pods[i]!.name}: ${r.stdout}${r.stderr}\n${controllerLog()}`);
      const res = r.json as { ips: { address: string }[] };
      pods[i]!.ip = res.ips[0]!.address.split('/')[0]!;
    }
    const ports = await neutron.ports.listAll({ network_id: network!.id });
    assert.deepEqual(
      ports.map((p) => p.device_id).sort(),
      [...uids].sort(),
      'one port per pod UID',
    );
    for (const port of ports) {
      assert.equal(port['binding:host_id'], os.bindingHost);
      assert.equal(port.device_owner, 'compute:kuryr');
      assert.deepEqual(port.security_groups, [sg!.id]);
      assert.ok(port.tags.includes(prefix), 'resource_tags applied');
    }
    assert.ok(await pingFrom(pods[0]!.netns, pods[1]!.ip), 'pod a reaches pod b');
    assert.ok(await pingFrom(pods[1]!.netns, pods[0]!.ip), 'pod b reaches pod a');

    for (const [i, p] of pods.entries()) {
      const r = await runCni(cniEnv('DEL', p, uids[i]!), conf);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      await kube.delete(KINDS.pod, p.name, namespace, { gracePeriodSeconds: 0 });
    }
    await waitUntil(
      'the pods to be gone (finalizers removed by the controller)',
      90_000,
      async () => {
        const left = await kube.list(KINDS.pod, { namespace });
        return left.items.length === 0 ? true : undefined;
      },
    );
    await waitUntil('the pod ports to be released', 60_000, async () => {
      const left = await neutron.ports.listAll({
        network_id: network!.id,
        device_owner: 'compute:kuryr',
      });
      return left.length === 0 ? true : undefined;
    });
  });
});
