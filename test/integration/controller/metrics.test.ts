/**
 * Integration (issue #6 metrics): the REAL `kuryr controller` process on the REAL kube-apiserver and
 * Neutron. Pods get their VIFs, then the controller's `/metrics` is scraped: one pod-creation latency
 * observation per VIF this controller wrote, Neutron POSTs in the OpenStack request histogram, the
 * project's free port quota equal to limit − used read from Neutron, and the free addresses of a
 * namespace (`ns/`) subnet equal to its pool size minus the ports on it.
 *
 * @module test/integration/controller/metrics.test
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../../src/k8s/client.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { SecurityGroup } from '../../../src/openstack/neutron/index.js';
import { startController, type ControllerProcess } from '../../helpers/controller-process.js';
import { applyCrds, connectKube, deleteNamespace } from '../k8s/kube-env.js';
import { makePodNetwork, openControllerBed, type ControllerBed } from './controller-bed.js';
import { createPods, waitUntil, wiredCount } from './restart-harness.js';

const PODS = 3;

/** `name{labels}` → value of every sample of a Prometheus text exposition. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The sum of the samples named `name` whose labels include every `labels` pair. */
function sample(m: Map<string, number>, name: string, labels: Record<string, string> = {}) {
  let total: number | undefined;
  for (const [key, value] of m) {
    const brace = key.indexOf('{');
    if ((brace < 0 ? key : key.slice(0, brace)) !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => key.includes(`${k}="${v}"`))) continue;
    total = (total ?? 0) + value;
  }
  return total;
}

describe('controller /metrics (real kuryr controller, apiserver, Neutron)', () => {
  let bed: ControllerBed;
  let kube: KubeClient;
  let sg: SecurityGroup;
  let ns: string | undefined;
  let controller: ControllerProcess | undefined;
  let networkId: string | undefined;

  before(async () => {
    bed = await openControllerBed('kmx');
    kube = await connectKube();
    await applyCrds(kube);
    const found = await bed.neutron.securityGroups.findOne({
      name: 'default',
      project_id: bed.projectId,
    });
    assert.ok(found, 'the admin project has its default security group');
    sg = found;
  });

  after(async () => {
    await controller?.stop('SIGKILL');
    await deleteNamespace(kube, ns).catch(() => undefined);
    const ports = networkId ? await bed.neutron.ports.listAll({ network_id: networkId }) : [];
    for (const p of ports) await bed.neutron.ports.deleteIfExists(p.id).catch(() => undefined);
    await bed?.cleanup.run();
    await bed?.sessions.closeAll();
  });

  test('pod latency once per VIF written, Neutron POST durations, port quota and ns/ subnet gauges', async () => {
    // named like a namespace subnet, so the per-subnet gauge reports it
    const { network, subnet } = await makePodNetwork(bed, 'ns/pods', '10.244.9.0/24');
    networkId = network.id;
    assert.deepEqual(subnet.allocation_pools, [{ start: '10.244.9.2', end: '10.244.9.254' }]);
    ns = `${bed.prefix}-pods`;
    const c = startController(bed.env, {
      projectId: bed.projectId,
      podSubnetId: subnet.id,
      podSecurityGroupIds: [sg.id],
      resourceTags: [bed.prefix],
      watchNamespace: ns,
    });
    controller = c;
    const started = await waitUntil('the controller to start', 120_000, () => {
      const r = c.records().find((x) => x['msg'] === 'controller started');
      return r ? (r['healthPort'] as number) : undefined;
    });
    // [health_server] port = [prometheus_exporter] controller_exporter_port (= 0): /metrics is served
    // by the health listener, whose port the controller logs.
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${started}/metrics`, {
        signal: AbortSignal.timeout(20_000),
      });
      assert.equal(res.status, 200);
      return parseMetrics(await res.text());
    };
    await kube.create(KINDS.namespace, { metadata: { name: ns } });
    await createPods(kube, ns, bed.env.bindingHost, PODS);
    await waitUntil(
      `all ${PODS} KuryrPorts to carry a VIF`,
      300_000,
      async () => ((await wiredCount(kube, ns as string)) === PODS ? true : undefined),
      [c],
    );

    const m = await scrape();
    // Other suites' controllers (watching every namespace) may wire some of these pods: the
    // latency is observed exactly once per VIF THIS controller wrote.
    const written = c.records().filter((r) => r['msg'] === 'VIF written').length;
    assert.ok(written >= 1, 'this controller wrote at least one VIF');
    assert.equal(sample(m, 'kuryr_pod_creation_latency_count'), written);
    assert.ok((sample(m, 'kuryr_pod_creation_latency_sum') ?? -1) >= 0);
    assert.equal(
      sample(m, 'kuryr_pod_creation_latency_bucket', { le: '+Inf' }),
      written,
      'every observation lands in a bucket',
    );
    const posts = sample(m, 'kuryr_openstack_request_duration_seconds_count', {
      service: 'network',
      method: 'POST',
      status: '201',
    });
    assert.ok((posts ?? 0) >= 1, `network POSTs observed: ${posts}`);
    assert.ok(
      (sample(m, 'kuryr_openstack_request_duration_seconds_count', {
        service: 'identity',
        method: 'POST',
      }) ?? 0) >= 1,
      'the Keystone token request is observed too',
    );
    assert.ok(![...m.keys()].some((k) => k.includes('path=')), 'no path label');

    // Free port quota = limit − used at the same moment. Other suites create ports in the same
    // project concurrently: retry until Neutron's value is the same before and after the scrape.
    let checked = false;
    for (let i = 0; i < 15 && !checked; i++) {
      const before = await bed.neutron.quotas.getDetails(bed.projectId);
      await sleep(1100); // past the gauges' 1 s result reuse
      const scraped = sample(await scrape(), 'kuryr_quota_free_count', { resource: 'ports' });
      const afterwards = await bed.neutron.quotas.getDetails(bed.projectId);
      const expect = (d: typeof before) =>
        (d['port']?.limit ?? 0) < 0 ? -1 : (d['port']?.limit ?? 0) - (d['port']?.used ?? 0);
      if (expect(before) !== expect(afterwards)) continue;
      assert.equal(scraped, expect(before), 'kuryr_quota_free_count{resource="ports"}');
      checked = true;
    }
    assert.ok(checked, 'the project port usage never held still across a scrape');
    for (const r of ['subnets', 'networks', 'security_groups', 'security_group_rules']) {
      assert.notEqual(sample(m, 'kuryr_quota_free_count', { resource: r }), undefined, r);
    }

    // This subnet: 253 pool addresses minus the ports on it (only this controller uses it).
    const onSubnet = await bed.neutron.ports.listAll({ network_id: network.id });
    assert.equal(onSubnet.length, written, 'one port per VIF this controller wrote');
    assert.equal(
      sample(await scrape(), 'kuryr_port_quota_per_subnet', { subnet_id: subnet.id }),
      253 - onSubnet.length,
    );
    await c.stop('SIGTERM');
  });
});
