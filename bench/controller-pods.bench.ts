/**
 * Bench of the whole Kubernetes pod path (issue #6 speed targets) against the real test bed: N pods
 * created at once on a real kube-apiserver, the real `kuryr controller` process (handlers `vif` +
 * `kuryrport`, `neutron-vif`, pool `noop`) → time until every KuryrPort carries its VIF; peer in the same
 * script: Neutron's own bulk port create of N bound ports (the throughput floor the target compares to).
 * Needs root, scripts/openstack.sh and scripts/kube.sh running. Writes bench/results/controller-pods.md.
 * Run: `node --import tsx bench/controller-pods.bench.ts` (KT_BENCH_PODS, default 100).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KINDS } from '../src/k8s/kinds.js';
import { startController } from '../test/helpers/controller-process.js';
import { requireOpenStackEnv } from '../test/helpers/openstack-env.js';
import { testPrefix } from '../test/helpers/prefix.js';
import { adminNeutron, ROOT } from '../test/integration/cni/cni-harness.js';
import {
  applyCrds,
  connectKube,
  deleteNamespace,
  sleep,
} from '../test/integration/k8s/kube-env.js';

const N = Number(process.env.KT_BENCH_PODS ?? 100);
const os = requireOpenStackEnv();
const prefix = testPrefix('kt-bench');

async function main(): Promise<void> {
  const kube = await connectKube();
  await applyCrds(kube);
  const { neutron, session } = adminNeutron(os);
  const network = await neutron.networks.create({ name: `${prefix}-pods` });
  const subnet = await neutron.subnets.create({
    network_id: network.id,
    ip_version: 4,
    cidr: '10.239.0.0/22',
    enable_dhcp: false,
  });
  const sg = await neutron.securityGroups.create({ name: `${prefix}-pods` });
  const controller = startController(os, {
    projectId: network.project_id,
    podSubnetId: subnet.id,
    podSecurityGroupIds: [sg.id],
  });
  const namespace = prefix;
  try {
    // Peer: Neutron's own bulk create of N bound ports, in one request.
    const t0 = performance.now();
    const bulk = await neutron.ports.createBulk(
      Array.from({ length: N }, () => ({
        network_id: network.id,
        device_owner: 'compute:kuryr',
        'binding:host_id': os.bindingHost,
        security_groups: [sg.id],
      })),
    );
    const bulkMs = performance.now() - t0;
    await Promise.all(bulk.map((p) => neutron.ports.deleteIfExists(p.id)));

    await kube.create(KINDS.namespace, { metadata: { name: namespace } });
    await sleep(5000); // controller start-up (client-node import, informer sync) is not part of the target
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        kube.create(KINDS.pod, {
          metadata: { name: `p${i}`, namespace },
          spec: { nodeName: os.bindingHost, containers: [{ name: 'c', image: 'kt/none:0' }] },
        }),
      ),
    );
    let wired = 0;
    for (let i = 0; i < 1200 && wired < N; i++) {
      const kps = await kube.list(KINDS.kuryrPort, { namespace });
      wired = kps.items.filter(
        (kp) => (kp as { status?: { vifs?: { eth0?: unknown } } }).status?.vifs?.eth0,
      ).length;
      if (wired < N) await sleep(250);
    }
    const wireMs = performance.now() - t1;
    if (wired < N)
      throw new Error(
        `only ${wired}/${N} KuryrPorts got a VIF; controller log:\n${controller.log()}`,
      );
    const bulkRate = N / (bulkMs / 1000);
    const podRate = N / (wireMs / 1000);
    const lines = [
      `## Kubernetes pods → KuryrPort VIFs (real controller process, ${N} pods at once, no pool)`,
      '',
      `Command: \`node --import tsx bench/controller-pods.bench.ts\` (KT_BENCH_PODS=${N}; root, scripts/openstack.sh and`,
      'scripts/kube.sh up). Real kube-apiserver 1.20 and Neutron Zed; ports bound to the linuxbridge host;',
      'Neutron requests per pod on this path: 1 (port create; no resource_tags configured) + the status patches.',
      '',
      '| path | time for all (s) | ports or pods per s | vs Neutron bulk |',
      '|---|---:|---:|---:|',
      `| Neutron bulk POST of ${N} bound ports (peer) | ${(bulkMs / 1000).toFixed(1)} | ${bulkRate.toFixed(1)} | 1.00× |`,
      `| ${N} pods created at once → every KuryrPort has its VIF | ${(wireMs / 1000).toFixed(1)} | ${podRate.toFixed(1)} | ${(podRate / bulkRate).toFixed(2)}× |`,
      '',
      'Target (issue #6): pods wired per second ≥ 90 % of Neutron bulk throughput, no pool.',
      '',
    ];
    await writeFile(join(ROOT, 'bench/results/controller-pods.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        kube
          .delete(KINDS.pod, `p${i}`, namespace, { gracePeriodSeconds: 0 })
          .catch(() => undefined),
      ),
    );
    for (let i = 0; i < 240; i++) {
      const left = await kube.list(KINDS.pod, { namespace }).catch(() => ({ items: [] }));
      if (left.items.length === 0) break;
      await sleep(500);
    }
    controller.child.kill('SIGTERM');
    await deleteNamespace(kube, namespace).catch(() => undefined);
    const left = await neutron.ports.listAll({ network_id: network.id });
    await Promise.all(left.map((p) => neutron.ports.deleteIfExists(p.id)));
    await neutron.networks.deleteIfExists(network.id);
    await neutron.securityGroups.deleteIfExists(sg.id);
    await session.close();
  }
}

await main();
