/**
 * Integration: the `service` and `endpoints` handlers in the real controller pipeline (Dispatcher:
 * informers, queue, retries) against the REAL kube-apiserver: Services with several ports and protocols
 * → KuryrLoadBalancer spec; Endpoints scaled up and down → `spec.endpointSlices` follows; Endpoints
 * before their Service (selector-less Service, hand-written Endpoints); headless and ExternalName
 * skipped; Service deletion → KuryrLoadBalancer deleted, the Service finalizer released only once the
 * KuryrLoadBalancer (held by the `kuryrloadbalancer` finalizer, set here the way that handler's pipeline
 * sets it) is gone. The bed has no kube-controller-manager, so the tests write the Endpoints objects
 * exactly as the endpoints controller would.
 *
 * @module test/integration/services/service-handlers.test
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import {
  EVENT_REASON_HANDLER_FAILED,
  type Dispatcher,
} from '../../../src/controller/pipeline/dispatcher.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { FINALIZER_KURYRLOADBALANCER, FINALIZER_SERVICE } from '../../../src/k8s/constants.js';
import type { KuryrLoadBalancer } from '../../../src/k8s/crds/types.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { sleep, waitFor } from '../k8s/kube-env.js';
import {
  deleteServiceNamespace,
  klbWriter,
  openServiceNamespace,
  orMissing,
  startServicePipeline,
} from './service-pipeline.js';

const log = pino({ level: 'silent' });

describe('service + endpoints handlers on a real kube-apiserver', () => {
  let api: KubeClient;
  let ns: string;
  let dispatcher: Dispatcher | undefined;

  const getKlb = (name: string) => orMissing(api.get(KINDS.kuryrLoadBalancer, name, ns));
  const getSvc = (name: string) => orMissing(api.get(KINDS.service, name, ns));
  const memberIps = (klb: KuryrLoadBalancer | undefined) =>
    (klb?.spec.endpointSlices ?? [])
      .flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses ?? []))
      .sort();
  const sameIps = (a: string[], b: string[]) => JSON.stringify(a) === JSON.stringify([...b].sort());

  /** Endpoints as the endpoints controller writes them: one subset, named ports, pod targetRefs. */
  function endpointsOf(
    name: string,
    ips: string[],
    ports: { name: string; port: number; protocol: string }[],
  ) {
    return {
      metadata: { name, namespace: ns },
      subsets: ips.length
        ? [
            {
              addresses: ips.map((ip, i) => ({
                ip,
                nodeName: 'kf2-node',
                targetRef: {
                  kind: 'Pod',
                  namespace: ns,
                  name: `${name}-${i}`,
                  uid: `kf2-uid-${ip}`,
                },
              })),
              ports,
            },
          ]
        : [],
    } as KubeObject;
  }
  async function writeEndpoints(ep: KubeObject) {
    const name = ep.metadata!.name!;
    const cur = await api.get(KINDS.endpoints, name, ns).catch(() => undefined);
    if (!cur) return api.create(KINDS.endpoints, ep);
    return api.replace(KINDS.endpoints, {
      ...ep,
      metadata: { ...ep.metadata, resourceVersion: cur.metadata?.resourceVersion },
    });
  }

  before(async () => {
    ({ api, ns } = await openServiceNamespace('kf2'));
    const writer = klbWriter('kf2-project', ['kf2-sg-2', 'kf2-sg-1'], 'kf2-service-subnet');
    dispatcher = await startServicePipeline({ api, ns }, writer, {
      log,
      retry: { baseMs: 50, capMs: 400 },
    });
  });

  after(async () => {
    await dispatcher?.stop();
    if (api && ns) await deleteServiceNamespace({ api, ns });
  });

  test('several ports and protocols → KLB spec; Endpoints scaling up and down → endpointSlices follow', async () => {
    const svc = await api.create(KINDS.service, {
      metadata: { name: 'multi', namespace: ns },
      spec: {
        selector: { app: 'multi' },
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
          { name: 'assoc', port: 9000, protocol: 'SCTP', targetPort: 9000 },
        ],
      },
    });
    const clusterIP = (svc['spec'] as { clusterIP: string }).clusterIP;
    let klb = await waitFor('KLB of multi', () => getKlb('multi'));
    assert.equal(klb.spec.ip, clusterIP);
    assert.deepEqual(klb.spec.ports, [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
      { name: 'assoc', port: 9000, protocol: 'SCTP', targetPort: '9000' },
    ]);
    assert.equal(klb.spec.type, 'ClusterIP');
    assert.equal(klb.spec.project_id, 'kf2-project');
    assert.deepEqual(klb.spec.security_groups_ids, ['kf2-sg-1', 'kf2-sg-2']);
    assert.equal(klb.spec.subnet_id, 'kf2-service-subnet');
    assert.equal(klb.spec.provider, 'amphora');
    assert.equal(klb.spec.timeout_client_data, 0);
    assert.deepEqual(klb.spec.endpointSlices, []);
    assert.deepEqual(
      klb.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid]),
      [['Service', 'multi', svc.metadata?.uid]],
    );
    assert.deepEqual((await getSvc('multi'))?.metadata?.finalizers, [FINALIZER_SERVICE]);

    const ports = [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'assoc', port: 9000, protocol: 'SCTP' },
    ];
    for (const ips of [
      ['10.11.0.5', '10.11.0.6'],
      ['10.11.0.5', '10.11.0.6', '10.11.0.7', '10.11.0.8'],
      ['10.11.0.7'],
      [],
    ]) {
      await writeEndpoints(endpointsOf('multi', ips, ports));
      klb = await waitFor(`members ${ips.join(',') || 'none'}`, async () => {
        const k = await getKlb('multi');
        return k && sameIps(memberIps(k), ips) ? k : undefined;
      });
    }
    await writeEndpoints(endpointsOf('multi', ['10.11.0.9'], ports));
    klb = await waitFor('one member', async () => {
      const k = await getKlb('multi');
      return k && sameIps(memberIps(k), ['10.11.0.9']) ? k : undefined;
    });
    assert.deepEqual(klb.spec.endpointSlices, [
      {
        endpoints: [
          {
            addresses: ['10.11.0.9'],
            conditions: { ready: true },
            targetRef: { kind: 'Pod', name: 'multi-0', namespace: ns, uid: 'kf2-uid-10.11.0.9' },
            topology: { 'kubernetes.io/hostname': 'kf2-node' },
          },
        ],
        ports: [
          { name: 'assoc', port: 9000, protocol: 'SCTP' },
          { name: 'dns', port: 5353, protocol: 'UDP' },
          { name: 'http', port: 8080, protocol: 'TCP' },
        ],
      },
    ]);
    assert.equal(klb.spec.ip, clusterIP, 'the Endpoints writes keep the Service fields');
  });

  test('hand-written Endpoints before a selector-less LoadBalancer Service; annotations and loadBalancerIP', async () => {
    await api.create(
      KINDS.endpoints,
      endpointsOf(
        'manual',
        ['192.0.2.10', '192.0.2.11'],
        [{ name: 'web', port: 8000, protocol: 'TCP' }],
      ),
    );
    await sleep(300);
    assert.equal(await getKlb('manual'), undefined, 'Endpoints without a Service: no KLB');
    await api.create(KINDS.service, {
      metadata: {
        name: 'manual',
        namespace: ns,
        annotations: {
          'openstack.org/kuryr-timeout-client-data': '70000',
          'openstack.org/kuryr-timeout-member-data': '80000',
        },
      },
      spec: {
        type: 'LoadBalancer',
        loadBalancerIP: '203.0.113.7',
        ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 8000 }],
      },
    });
    const klb = await waitFor('KLB of manual with members', async () => {
      const k = await getKlb('manual');
      return k && memberIps(k).length === 2 ? k : undefined;
    });
    assert.deepEqual(memberIps(klb), ['192.0.2.10', '192.0.2.11']);
    assert.equal(klb.spec.type, 'LoadBalancer');
    assert.equal(klb.spec.lb_ip, '203.0.113.7');
    assert.equal(klb.spec.timeout_client_data, 70000);
    assert.equal(klb.spec.timeout_member_data, 80000);
    // a Service change is patched in without losing the members
    await api.patchMerge(KINDS.service, 'manual', ns, {
      metadata: { annotations: { 'openstack.org/kuryr-timeout-client-data': '1000' } },
    });
    const updated = await waitFor('timeout updated', async () => {
      const k = await getKlb('manual');
      return k?.spec.timeout_client_data === 1000 ? k : undefined;
    });
    assert.deepEqual(memberIps(updated), ['192.0.2.10', '192.0.2.11']);
  });

  test('headless and ExternalName Services are skipped (no KLB, no finalizer)', async () => {
    await api.create(KINDS.service, {
      metadata: { name: 'headless', namespace: ns },
      spec: { clusterIP: 'None', selector: { app: 'h' }, ports: [{ port: 80 }] },
    });
    await api.create(KINDS.endpoints, {
      ...endpointsOf('headless', ['10.11.1.1'], [{ name: '', port: 80, protocol: 'TCP' }]),
      metadata: {
        name: 'headless',
        namespace: ns,
        labels: { 'service.kubernetes.io/headless': '' },
      },
    });
    await api.create(KINDS.service, {
      metadata: { name: 'external', namespace: ns },
      spec: { type: 'ExternalName', externalName: 'db.example.org' },
    });
    // a marker Service created afterwards: once it is handled, the earlier ones were too (per-kind FIFO)
    await api.create(KINDS.service, {
      metadata: { name: 'marker', namespace: ns },
      spec: { ports: [{ port: 1 }] },
    });
    await waitFor('marker handled', () => getKlb('marker'));
    await sleep(300);
    assert.equal(await getKlb('headless'), undefined);
    assert.equal(await getKlb('external'), undefined);
    assert.equal((await getSvc('headless'))?.metadata?.finalizers, undefined);
    assert.equal((await getSvc('external'))?.metadata?.finalizers, undefined);
  });

  test('deletion: KLB deleted, Service kept until the KLB (held by its finalizer) is gone', async () => {
    await api.create(KINDS.service, {
      metadata: { name: 'gone', namespace: ns },
      spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    await waitFor('KLB of gone', () => getKlb('gone'));
    // what the kuryrloadbalancer handler's pipeline does before it creates anything in Octavia
    await api.patchMerge(KINDS.kuryrLoadBalancer, 'gone', ns, {
      metadata: { finalizers: [FINALIZER_KURYRLOADBALANCER] },
    });
    await api.delete(KINDS.service, 'gone', ns);
    await waitFor(
      'KLB being deleted',
      async () => (await getKlb('gone'))?.metadata?.deletionTimestamp,
    );
    await sleep(1500);
    const svc = await getSvc('gone');
    assert.ok(svc?.metadata?.deletionTimestamp, 'Service still Terminating while the KLB is held');
    assert.deepEqual(svc.metadata.finalizers, [FINALIZER_SERVICE]);
    // the kuryrloadbalancer handler finished its Octavia cleanup
    await api.patchMerge(KINDS.kuryrLoadBalancer, 'gone', ns, { metadata: { finalizers: null } });
    await waitFor('KLB gone', async () => (await getKlb('gone')) === undefined);
    await waitFor('Service gone', async () => (await getSvc('gone')) === undefined);

    // and without anything holding the KLB, deletion goes straight through
    await api.create(KINDS.service, {
      metadata: { name: 'quick', namespace: ns },
      spec: { ports: [{ port: 81 }] },
    });
    await waitFor('KLB of quick', () => getKlb('quick'));
    await api.delete(KINDS.service, 'quick', ns);
    await waitFor('Service quick gone', async () => (await getSvc('quick')) === undefined);
    assert.equal(await getKlb('quick'), undefined);
  });

  test('NodePort → ClusterIP load balancer; a bad timeout annotation → Warning Event, fixed → KLB', async () => {
    await api.create(KINDS.service, {
      metadata: { name: 'np', namespace: ns },
      spec: {
        type: 'NodePort',
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
      },
    });
    const np = await waitFor('KLB of np', () => getKlb('np'));
    assert.equal(np.spec.type, 'ClusterIP');
    assert.deepEqual(np.spec.ports, [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: '80' },
    ]);

    await api.create(KINDS.service, {
      metadata: {
        name: 'badtimeout',
        namespace: ns,
        annotations: { 'openstack.org/kuryr-timeout-client-data': '50s' },
      },
      spec: { ports: [{ port: 80 }] },
    });
    const events = await waitFor('Warning Event on badtimeout', async () => {
      const list = await api.list(KINDS.event, {
        namespace: ns,
        fieldSelector: 'involvedObject.name=badtimeout',
      });
      return list.items.length ? list.items : undefined;
    });
    const ev = events[0] as KubeObject & { type: string; reason: string; message: string };
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.reason, EVENT_REASON_HANDLER_FAILED);
    assert.match(
      ev.message,
      /kuryr-timeout-client-data must be a whole number of milliseconds, got '50s'/,
    );
    assert.equal(await getKlb('badtimeout'), undefined, 'nothing created from a bad Service');
    await api.patchMerge(KINDS.service, 'badtimeout', ns, {
      metadata: { annotations: { 'openstack.org/kuryr-timeout-client-data': '50000' } },
    });
    const klb = await waitFor('KLB after the fix', () => getKlb('badtimeout'));
    assert.equal(klb.spec.timeout_client_data, 50000);
  });
});
