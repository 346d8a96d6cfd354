/**
 * End to end through the REAL `kuryr controller` process (handlers `service`, `endpoints`,
 * `kuryrloadbalancer`, Octavia reached through the Keystone catalog exactly as in production) on the
 * REAL kube-apiserver, Neutron and Octavia: a LoadBalancer Service with two TCP ports (1.20 refuses mixed
 * protocols on LoadBalancer Services; UDP/SCTP are covered by lbaas.test.ts) plus its
 * Endpoints becomes an Octavia load balancer whose VIP is the clusterIP, with members on the endpoint
 * ports and a floating IP written to the Service status; scaling the Endpoints down removes members;
 * deleting the Service leaves nothing in Octavia or Neutron. Names: `kg2-e2e-<hex>`.
 *
 * @module test/integration/lbaas/service-e2e.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { VIP_PORT_OWNER } from '../../../src/controller/lbaas/names.js';
import { FINALIZER_KURYRLOADBALANCER } from '../../../src/k8s/constants.js';
import type { KuryrLoadBalancer } from '../../../src/k8s/crds/types.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import { requireOctaviaOpenStackEnv } from '../../helpers/openstack-env.js';
import { waitFor } from '../k8s/kube-env.js';
import { WAIT, cleanupKlb, openLbaasBed, readKlb, type LbaasBed } from './lbaas-bed.js';

/** kube.sh's --service-cluster-ip-range: the service subnet must hold every clusterIP. */
const SVC_CIDR = '10.0.0.0/24';
const WAIT_MS = 240_000;

interface Svc extends KubeObject {
  spec?: { clusterIP?: string };
  status?: { loadBalancer?: { ingress?: { ip: string }[] } };
}

function endpointsObject(ns: string, ips: string[]): KubeObject {
  return {
    metadata: { name: 'shop', namespace: ns },
    subsets: [
      {
        addresses: ips.map((ip) => ({
          ip,
          targetRef: { kind: 'Pod', name: `shop-${ip.split('.').pop()}`, namespace: ns },
        })),
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'https', port: 8443, protocol: 'TCP' },
        ],
      },
    ],
  };
}

describe('Service + Endpoints → Octavia through the real kuryr controller', () => {
  let bed: LbaasBed;
  let controller: ControllerProcess | undefined;

  before(async () => {
    bed = await openLbaasBed('kg2-e2e', SVC_CIDR, '192.0.2.0/24');
    // pod_security_groups is required; the service SG driver puts it on the VIP port.
    const sg = await bed.neutron.securityGroups.create({
      name: `${bed.prefix}-sg`,
      project_id: bed.projectId,
    });
    bed.cleanup.push(`security group ${sg.id}`, () => bed.neutron.securityGroups.delete(sg.id));
    controller = startController(requireOctaviaOpenStackEnv(), {
      projectId: bed.projectId,
      podSubnetId: bed.serviceSubnet.id,
      podSecurityGroupIds: [sg.id],
      resourceTags: [bed.prefix],
      enabledHandlers: 'service,endpoints,kuryrloadbalancer',
      services: { subnetId: bed.serviceSubnet.id, externalNetworkId: bed.extNet.id },
    });
    bed.cleanup.push('Service shop', () =>
      bed.kube.delete(KINDS.service, 'shop', bed.namespace).catch((e: unknown) => {
        if (!isNotFoundError(e)) throw e;
      }),
    );
  });

  after(async () => {
    const code = await controller?.stop();
    try {
      if (bed) await sweep(bed);
      await bed?.close();
    } finally {
      if (code !== undefined && code !== 0 && code !== 'SIGTERM') {
        console.log(`# controller exited with ${String(code)}; tail:\n${controller!.log()}`);
      }
    }
  });

  const klbWith = (what: string, ok: (k: KuryrLoadBalancer) => boolean) =>
    waitFor(
      what,
      async () => {
        if (controller?.child.exitCode !== null) {
          throw new Error(`the controller exited: ${controller?.log()}`);
        }
        const k = await readKlb(bed, 'shop');
        return k && ok(k) ? k : undefined;
      },
      WAIT_MS,
    );

  test('a LoadBalancer Service gets its Octavia load balancer, members and floating IP', async () => {
    const t0 = Date.now();
    await bed.kube.create(KINDS.service, {
      metadata: { name: 'shop', namespace: bed.namespace },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'shop' },
        ports: [
          { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
        ],
      },
    });
    await bed.kube.create(
      KINDS.endpoints,
      endpointsObject(bed.namespace, ['10.1.2.3', '10.1.2.4']),
    );
    const klb = await klbWith(
      'KuryrLoadBalancer with 4 members and a floating IP',
      (k) => (k.status?.members?.length ?? 0) === 4 && k.status?.service_pub_ip_info !== undefined,
    );
    cleanupKlb(bed, klb);
    const svc = await bed.kube.get<Svc>(KINDS.service, 'shop', bed.namespace);
    const lb = await bed.octavia.loadBalancers.get(klb.status!.loadbalancer!.id);
    assert.equal(lb.provisioning_status, 'ACTIVE');
    assert.equal(lb.vip_address, svc.spec!.clusterIP);
    assert.equal(lb.name, `${bed.namespace}/shop`);
    const listeners = await bed.octavia.listeners.listAll({ loadbalancer_id: lb.id });
    assert.deepEqual(listeners.map((l) => `${l.protocol}:${l.protocol_port}`).sort(), [
      'TCP:443',
      'TCP:80',
    ]);
    const members: string[] = [];
    for (const l of listeners) {
      for (const m of await bed.octavia.members.listAll(l.default_pool_id!)) {
        members.push(`${l.protocol_port} ${m.address}:${m.protocol_port}`);
      }
    }
    assert.deepEqual(members.sort(), [
      '443 10.1.2.3:8443',
      '443 10.1.2.4:8443',
      '80 10.1.2.3:8080',
      '80 10.1.2.4:8080',
    ]);
    // The ingress is written after the association: wait for it, then look at the floating IP.
    const withIngress = await waitFor(
      'Service status.loadBalancer.ingress',
      async () => {
        const s = await bed.kube.get<Svc>(KINDS.service, 'shop', bed.namespace);
        return s.status?.loadBalancer?.ingress?.length ? s : undefined;
      },
      WAIT_MS,
    );
    // A measurement, not an assertion (BRIEF: no wall-clock assertions).
    console.log(
      `# Service create -> ingress IP written (2 TCP ports, 2 endpoints): ${Date.now() - t0} ms`,
    );
    const info = klb.status!.service_pub_ip_info!;
    const fip = await bed.neutron.floatingIps.get(info.ip_id);
    assert.equal(fip.port_id, klb.status!.loadbalancer!.port_id);
    assert.deepEqual(withIngress.status!.loadBalancer!.ingress, [{ ip: fip.floating_ip_address }]);
  });

  test('Endpoints scaled down → the members follow', async () => {
    const cur = await bed.kube.get(KINDS.endpoints, 'shop', bed.namespace);
    await bed.kube.replace(KINDS.endpoints, {
      ...endpointsObject(bed.namespace, ['10.1.2.4']),
      metadata: { ...cur.metadata },
    });
    const klb = await klbWith('2 members', (k) => k.status?.members?.length === 2);
    const pools = await bed.octavia.pools.listAll({
      loadbalancer_id: klb.status!.loadbalancer!.id,
    });
    const addresses: string[] = [];
    for (const p of pools) {
      for (const m of await bed.octavia.members.listAll(p.id)) addresses.push(m.address);
    }
    assert.deepEqual(addresses, ['10.1.2.4', '10.1.2.4']);
  });

  test('deleting the Service leaves nothing in Octavia or Neutron', async () => {
    const klb = (await readKlb(bed, 'shop'))!;
    const st = klb.status!;
    await bed.kube.delete(KINDS.service, 'shop', bed.namespace);
    await waitFor(
      'the Service to be gone',
      async () => {
        try {
          await bed.kube.get(KINDS.service, 'shop', bed.namespace);
          return undefined;
        } catch (e) {
          if (isNotFoundError(e)) return true;
          throw e;
        }
      },
      WAIT_MS,
    );
    assert.equal(await readKlb(bed, 'shop'), undefined);
    await assert.rejects(bed.octavia.loadBalancers.get(st.loadbalancer!.id), isNotFoundError);
    await assert.rejects(bed.neutron.ports.get(st.loadbalancer!.port_id), isNotFoundError);
    await assert.rejects(
      bed.neutron.floatingIps.get(st.service_pub_ip_info!.ip_id),
      isNotFoundError,
    );
  });
});

/**
 * The real controller watches the whole cluster, so it may also have served KuryrLoadBalancers other
 * suites left behind (their clusterIPs fall into this suite's service subnet). Remove whatever it made on
 * this suite's networks, and its finalizer from those objects, before the networks go.
 */
async function sweep(bed: LbaasBed): Promise<void> {
  for (const lb of await bed.octavia.loadBalancers.listAll({
    vip_subnet_id: bed.serviceSubnet.id,
  })) {
    await bed.octavia.loadBalancers.deleteIfExists(lb.id, { cascade: true });
    await bed.octavia.waitDeleted(lb.id, WAIT);
  }
  for (const fip of await bed.neutron.floatingIps.listAll({ floating_network_id: bed.extNet.id })) {
    await bed.neutron.floatingIps.deleteIfExists(fip.id);
  }
  const vips = await bed.neutron.ports.listAll({
    network_id: bed.serviceNet.id,
    device_owner: VIP_PORT_OWNER,
  });
  for (const port of vips) await bed.neutron.ports.deleteIfExists(port.id);
  const all = await bed.kube.list(KINDS.kuryrLoadBalancer);
  for (const k of all.items) {
    const fin = k.metadata?.finalizers ?? [];
    if (!fin.includes(FINALIZER_KURYRLOADBALANCER)) continue;
    // Ours: on this suite's subnet, or a leftover in a namespace already being deleted.
    const ns = await bed.kube.get(KINDS.namespace, k.metadata!.namespace!).catch(() => undefined);
    const mine =
      k.status?.loadbalancer?.subnet_id === bed.serviceSubnet.id ||
      ns?.metadata?.deletionTimestamp !== undefined;
    if (!mine) continue;
    await bed.kube
      .patchMerge(KINDS.kuryrLoadBalancer, k.metadata!.name!, k.metadata!.namespace, {
        metadata: { finalizers: fin.filter((f) => f !== FINALIZER_KURYRLOADBALANCER) },
      })
      .catch(() => undefined);
  }
}
