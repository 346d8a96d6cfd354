/**
 * Integration, the whole Services chain on the REAL kube-apiserver, Neutron and Octavia (no-op
 * amphora provider): a Service with a TCP and a UDP port + its Endpoints → (`service`, `endpoints`
 * handlers) KuryrLoadBalancer spec → (`kuryrloadbalancer` handler) an Octavia load balancer whose VIP is
 * the cluster IP on the service subnet, one listener per port, members per ready endpoint on the
 * endpoint port; scaling the Endpoints down removes members; deleting the Service leaves nothing in
 * Octavia or Neutron and the Service goes only after that. All three handlers run in the real pipeline
 * in this process, restricted to the suite's namespace (other suites share the cluster).
 *
 * @module test/integration/services/service-octavia.test
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { defaultConfig } from '../../../src/common/config/index.js';
import { createKuryrLoadBalancerHandler } from '../../../src/controller/handlers/kuryrloadbalancer.js';
import { buildLbaasDeps } from '../../../src/controller/lbaas/build-lbaas.js';
import type { Dispatcher } from '../../../src/controller/pipeline/dispatcher.js';
import type { ResourceHandler } from '../../../src/controller/pipeline/types.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import type { KuryrLoadBalancer } from '../../../src/k8s/crds/types.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import type { PodSubnet } from '../../../src/controller/drivers/pod-vif/types.js';
import { OctaviaClient } from '../../../src/openstack/octavia/index.js';
import { requireOctaviaOpenStackEnv } from '../../helpers/openstack-env.js';
import {
  makePodNetwork,
  openControllerBed,
  type ControllerBed,
} from '../controller/controller-bed.js';
import { waitFor } from '../k8s/kube-env.js';
import {
  deleteServiceNamespace,
  klbWriter,
  openServiceNamespace,
  orMissing,
  startServicePipeline,
} from './service-pipeline.js';

/** kube.sh's --service-cluster-ip-range: the service subnet must hold every cluster IP. */
const SVC_CIDR = '10.0.0.0/24';

describe('Service → KuryrLoadBalancer → Octavia on the real bed', () => {
  let bed: ControllerBed;
  let api: KubeClient;
  let ns: string;
  let octavia: OctaviaClient;
  let svcNet: PodSubnet;
  let dispatcher: Dispatcher | undefined;
  const lbIds = new Set<string>();

  const getKlb = (name: string) => orMissing(api.get(KINDS.kuryrLoadBalancer, name, ns));

  before(async () => {
    requireOctaviaOpenStackEnv(); // fails with what to start when the bed runs without Octavia
    bed = await openControllerBed('kf2-oct');
    ({ api, ns } = await openServiceNamespace('kf2o'));
    octavia = new OctaviaClient(
      bed.sessions.open(bed.sessions.passwordAuth(bed.env.adminUser)).client('load-balancer'),
    );
    svcNet = await makePodNetwork(bed, 'svc', SVC_CIDR);
    // The project's own `default` SG (nothing created: the shared bed's SG quota is tight).
    const sg = await bed.neutron.securityGroups.findOne({
      name: 'default',
      project_id: bed.projectId,
    });
    assert.ok(sg, 'the admin project has its default security group');
    const config = defaultConfig();
    config.neutronDefaults.project = bed.projectId;
    config.neutronDefaults.serviceSubnet = svcNet.subnet.id;
    config.neutronDefaults.resourceTags = [bed.prefix];
    const klbHandler = createKuryrLoadBalancerHandler(
      buildLbaasDeps({ neutron: bed.neutron, octavia, config, log: bed.log }),
    );
    // Same handler, watch restricted to this suite's namespace.
    const scoped: ResourceHandler<KuryrLoadBalancer> = {
      alias: klbHandler.alias,
      kind: klbHandler.kind,
      finalizer: klbHandler.finalizer,
      watch: { namespace: ns },
      onPresent: (o, c) => klbHandler.onPresent(o, c),
      onFinalize: (o, c) => klbHandler.onFinalize(o, c),
    };
    const writer = klbWriter(bed.projectId, [sg.id], svcNet.subnet.id);
    // KF2_LOG=info shows the handlers' decisions when this suite fails
    const log = process.env.KF2_LOG ? pino({ level: process.env.KF2_LOG }) : bed.log;
    const retry = { baseMs: 200, capMs: 2000 };
    dispatcher = await startServicePipeline({ api, ns }, writer, { log, retry, extra: [scoped] });
  });

  after(async () => {
    await dispatcher?.stop();
    for (const id of lbIds) {
      await octavia.loadBalancers.delete(id, { cascade: true }).catch(() => undefined);
      await octavia.waitDeleted(id, { deadlineMs: 120_000 }).catch(() => undefined);
    }
    if (svcNet) {
      const ports = await bed.neutron.ports.listAll({ network_id: svcNet.network.id });
      await Promise.all(ports.map((p) => bed.neutron.ports.deleteIfExists(p.id)));
    }
    if (api && ns) await deleteServiceNamespace({ api, ns });
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  const endpoints = (name: string, ips: string[]): KubeObject => ({
    metadata: { name, namespace: ns },
    subsets: [
      {
        addresses: ips.map((ip) => ({
          ip,
          targetRef: { kind: 'Pod', namespace: ns, name: `pod-${ip.split('.')[3]}` },
        })),
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'dns', port: 5353, protocol: 'UDP' },
        ],
      },
    ],
  });

  /** Octavia's view: listener protocol:port → sorted member ip:port. */
  async function octaviaView(lbId: string): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    const listeners = await octavia.listeners.listAll({ loadbalancer_id: lbId });
    for (const l of listeners) {
      const members = l.default_pool_id ? await octavia.members.listAll(l.default_pool_id) : [];
      out[`${l.protocol}:${l.protocol_port}`] = members
        .map((m) => `${m.address}:${m.protocol_port}`)
        .sort();
    }
    return out;
  }

  test('two ports → VIP = clusterIP, two listeners, members follow scaling; deletion leaves nothing', async () => {
    const svc = await api.create(KINDS.service, {
      metadata: { name: 'web', namespace: ns },
      spec: {
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
        ],
      },
    });
    const clusterIP = (svc['spec'] as { clusterIP: string }).clusterIP;
    await api.create(KINDS.endpoints, endpoints('web', ['10.0.0.201', '10.0.0.202']));
    let klb = await waitFor(
      'status with 4 members',
      async () => {
        const k = await getKlb('web');
        return k?.status?.members?.length === 4 ? k : undefined;
      },
      240_000,
    );
    const lb = klb.status!.loadbalancer!;
    lbIds.add(lb.id);
    const live = await octavia.loadBalancers.get(lb.id);
    assert.equal(live.vip_address, clusterIP, 'VIP is the cluster IP');
    assert.equal(live.vip_subnet_id, svcNet.subnet.id);
    assert.equal(live.name, `${ns}/web`);
    assert.deepEqual(await octaviaView(lb.id), {
      'TCP:80': ['10.0.0.201:8080', '10.0.0.202:8080'],
      'UDP:53': ['10.0.0.201:5353', '10.0.0.202:5353'],
    });

    const cur = await api.get(KINDS.endpoints, 'web', ns);
    await api.replace(KINDS.endpoints, {
      ...endpoints('web', ['10.0.0.202']),
      metadata: { name: 'web', namespace: ns, resourceVersion: cur.metadata?.resourceVersion },
    });
    klb = await waitFor(
      'status with 2 members',
      async () => {
        const k = await getKlb('web');
        return k?.status?.members?.length === 2 ? k : undefined;
      },
      240_000,
    );
    assert.deepEqual(await octaviaView(lb.id), {
      'TCP:80': ['10.0.0.202:8080'],
      'UDP:53': ['10.0.0.202:5353'],
    });

    await api.delete(KINDS.service, 'web', ns);
    await waitFor(
      'Service gone',
      async () => (await orMissing(api.get(KINDS.service, 'web', ns))) === undefined,
      240_000,
    );
    assert.equal(await getKlb('web'), undefined);
    // the Service went only after the KuryrLoadBalancer, which went only after its Octavia cleanup
    await octavia.waitDeleted(lb.id, { deadlineMs: 60_000 });
    await waitFor(
      'no VIP port left on the service network',
      async () => (await bed.neutron.ports.listAll({ network_id: svcNet.network.id })).length === 0,
      60_000,
    );
  });
});
