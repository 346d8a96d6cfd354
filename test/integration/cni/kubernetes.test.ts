/**
 * Kubernetes mode of the CNI daemon against a REAL kube-apiserver (scripts/kube.sh) and the REAL test-bed
 * Neutron: the test plays the controller (creates the pod's Neutron port and writes the KuryrPort with its
 * VIF), the built kuryr-cni plays the runtime. ADD waits for the VIF, binds it into the netns, waits for
 * `active`; a wrong pod UID is code 3, a missing KuryrPort code 11; DEL unbinds and leaves the port.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { startCniDaemon, type RunningCniDaemon } from '../../../src/cni/daemon/cni-daemon.js';
import { KuryrPortRegistry } from '../../../src/cni/daemon/kuryrport-registry.js';
import { KubeClient } from '../../../src/k8s/client.js';
import { kubeConfigFromFile } from '../../../src/k8s/kube-config.js';
import { encodeVif } from '../../../src/models/vif-ovo.js';
import type { NeutronClient } from '../../../src/openstack/neutron/index.js';
import type { Network, Port, Subnet } from '../../../src/openstack/neutron/types.js';
import type { OpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';
import {
  addNetns,
  addressesIn,
  adminConnection,
  adminNeutron,
  buildCni,
  delNetns,
  ip,
  ROOT,
  runCni,
} from './cni-harness.js';
import { KubeRest } from './kube-rest.js';

const os = requireOpenStackEnv();
const kube = KubeRest.fromBed();
const prefix = testPrefix('kx');
const tag = prefix.slice(3);
const socket = `/tmp/kx-${tag}.sock`;
const nsName = `kx${tag}k`;
const podName = `${prefix}-pod`;
const podUid = randomUUID();
const KP = '/apis/openstack.org/v1/namespaces/default/kuryrports';

let neutron: NeutronClient;
let session: OpenStackSession;
let daemon: RunningCniDaemon;
let network: Network;
let subnet: Subnet;
let port: Port;
let netnsPath = '';

const conf = { cniVersion: '1.0.0', name: 'kuryr', type: 'kuryr-cni', daemon_socket: socket };
const env = (command: string, uid = podUid, name = podName) => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: `kx-${tag}-sandbox`,
  CNI_NETNS: netnsPath,
  CNI_IFNAME: 'eth0',
  CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${name};K8S_POD_INFRA_CONTAINER_ID=x;K8S_POD_UID=${uid}`,
});

function kuryrPort(vif: unknown): Record<string, unknown> {
  return {
    apiVersion: 'openstack.org/v1',
    kind: 'KuryrPort',
    metadata: { name: podName, labels: { 'kuryr.openstack.org/nodeName': os.bindingHost } },
    spec: { podUid, podNodeName: os.bindingHost },
    status: { vifs: { eth0: { default: true, vif } } },
  };
}

describe('kuryr-cni Kubernetes mode with KuryrPorts on a real kube-apiserver', () => {
  before(async () => {
    buildCni();
    await kube.ensureCrd(join(ROOT, 'deploy/crds/kuryrport.yaml'), KP);
    ({ neutron, session } = adminNeutron(os));
    network = await neutron.networks.create({ name: `${prefix}-net` });
    subnet = await neutron.subnets.create({
      network_id: network.id,
      ip_version: 4,
      cidr: '10.236.0.0/24',
      gateway_ip: '10.236.0.1',
      enable_dhcp: false,
    });
    // What the controller does for a pod: a port bound to the pod's node.
    port = await neutron.ports.create({
      network_id: network.id,
      device_owner: 'compute:kuryr',
      device_id: podUid,
      'binding:host_id': os.bindingHost,
    });
    network = await neutron.networks.get(network.id);
    netnsPath = addNetns(nsName);
    // The daemon reads KuryrPorts from a watch cache of this node's objects (informer on a real KubeClient).
    const registry = new KuryrPortRegistry(
      new KubeClient(kubeConfigFromFile('/tmp/kuryr-kube/kubeconfig')),
      os.bindingHost,
      pino({ level: 'silent' }),
    );
    registry.start();
    daemon = await startCniDaemon({
      connection: adminConnection(os),
      host: os.bindingHost,
      log: pino({ level: process.env.KX_DEBUG ? 'debug' : 'silent' }),
      socketPath: socket,
      kuryrPorts: registry,
      vifTimeoutMs: 20_000,
    });
  });

  after(async () => {
    await daemon?.close();
    delNetns(nsName);
    await kube.call('DELETE', `${KP}/${podName}`).catch(() => undefined);
    if (port) await neutron.ports.deleteIfExists(port.id);
    if (network) await neutron.networks.deleteIfExists(network.id);
    await session?.close();
    await kube.close();
  });

  test('ADD waits for the KuryrPort VIF, binds it, waits until the controller marks it active', async () => {
    const adding = runCni(env('ADD'), conf);
    await new Promise((r) => setTimeout(r, 1500)); // the CNI request arrives before the controller's write
    await kube.call('POST', KP, kuryrPort(encodeVif({ port, network, subnets: [subnet] })));
    let active = false;
    for (let i = 0; i < 60 && !active; i++) {
      active = (await neutron.ports.get(port.id)).status === 'ACTIVE';
      if (!active) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(active, 'Neutron never reported the plugged port ACTIVE');
    const fresh = await neutron.ports.get(port.id);
    await kube.call(
      'PATCH',
      `${KP}/${podName}`,
      kuryrPort(encodeVif({ port: fresh, network, subnets: [subnet] })),
      'application/merge-patch+json',
    );
    const r = await adding;
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const res = r.json as {
      ips: { address: string }[];
      interfaces: { name: string; sandbox?: string }[];
    };
    const want = `${port.fixed_ips[0]!.ip_address}/24`;
    assert.equal(res.ips[0]!.address, want);
    assert.equal(res.interfaces.find((i) => i.name === 'eth0')?.sandbox, netnsPath);
    assert.deepEqual(addressesIn(nsName, 'eth0'), [want]);
  });

  test('a pod UID different from the KuryrPort spec is code 3', async () => {
    const r = await runCni(env('ADD', randomUUID()), conf);
    assert.equal(r.status, 1);
    assert.equal(r.json?.code, 3);
  });

  test('a pod without KuryrPort times out with code 11', async () => {
    const r = await runCni(env('ADD', randomUUID(), `${prefix}-nokp`), conf);
    assert.equal(r.json?.code, 11, r.stdout);
  });

  test('DEL unbinds the interface and leaves the port to the controller', async () => {
    const r = await runCni(env('DEL'), conf);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.throws(() => ip('-n', nsName, 'link', 'show', 'eth0'));
    assert.equal((await neutron.ports.get(port.id)).id, port.id);
  });
});
