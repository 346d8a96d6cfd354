/**
 * Bench of the whole Kubernetes pod path (issue #6 speed targets) against the real test bed: N pods
 * created at once on a real kube-apiserver, the real `kuryr controller` process (handlers `vif` +
 * `kuryrport`, `neutron-vif`) → time until every KuryrPort carries its VIF, in two modes:
 *  - no pool (`vif_pool_driver = noop`): concurrent same-key creations are coalesced into bulk POSTs;
 *  - pre-populated pool (`vif_pool_driver = neutron`): N pool ports exist before the controller starts
 *    and are recovered into its pool on activation (not timed); the per-pod path makes no port create.
 * Peer in the same script: Neutron's own bulk create of N bound ports (bulk requests of `--bulk` ports,
 * default 100), the throughput floor the no-pool target compares to. Neutron requests per pod are
 * counted from the controller's debug log (every OpenStack request it made while the pods were wired).
 * Needs root, scripts/openstack.sh and scripts/kube.sh running. Writes bench/results/controller-pods.md
 * (100 pods) or bench/results/controller-pods-<N>.md.
 * Run: `node --import tsx bench/controller-pods.bench.ts [--pods N] [--pool | --no-pool] [--bulk B]
 *   [--workers W]` (W = the controller's `[kubernetes] handler_workers`, default 32).
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KINDS } from '../src/k8s/kinds.js';
import { NeutronClient, type Port, type PortCreate } from '../src/openstack/neutron/index.js';
import { startController, type ControllerProcess } from '../test/helpers/controller-process.js';
import { requireOpenStackEnv } from '../test/helpers/openstack-env.js';
import { testPrefix } from '../test/helpers/prefix.js';
import { pino } from 'pino';
import { createOpenStackSession } from '../src/openstack/session.js';
import { adminConnection, ROOT } from '../test/integration/cni/cni-harness.js';
import {
  applyCrds,
  connectKube,
  deleteNamespace,
  sleep,
} from '../test/integration/k8s/kube-env.js';

const { values: args } = parseArgs({
  options: {
    pods: { type: 'string', default: process.env.KT_BENCH_PODS ?? '100' },
    pool: { type: 'boolean', default: false },
    'no-pool': { type: 'boolean', default: false },
    bulk: { type: 'string', default: '50' },
    workers: { type: 'string', default: '32' },
  },
});
const N = Number(args.pods);
const BULK = Number(args.bulk);
/** `[kubernetes] handler_workers` of the controller under test. */
const WORKERS = Number(args.workers);
const modes = args.pool ? ['pool'] : args['no-pool'] ? ['noop'] : ['noop', 'pool'];
const os = requireOpenStackEnv();
const prefix = testPrefix('kb2-bench');
type Kube = Awaited<ReturnType<typeof connectKube>>;

interface Wiring {
  mode: string;
  ms: number;
  requests: Map<string, number>;
  /** VIFs this controller wrote while the pods were wired: this bench's pods / other suites' pods. */
  written: { own: number; foreign: number };
  /** The peer measured right before this mode (Neutron load changes over a run). */
  floorMs: number;
}

/** N pool-style ports (what the controller's pool makes) in bulk requests of BULK; returns the time. */
async function bulkCreate(
  neutron: NeutronClient,
  body: PortCreate,
): Promise<{ ports: Port[]; ms: number }> {
  const t0 = performance.now();
  const ports: Port[] = [];
  for (let done = 0; done < N; done += BULK) {
    const n = Math.min(BULK, N - done);
    ports.push(...(await neutron.ports.createBulk(Array.from({ length: n }, () => ({ ...body })))));
  }
  return { ports, ms: performance.now() - t0 };
}

async function deletePorts(neutron: NeutronClient, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(ids.slice(i, i + 20).map((id) => neutron.ports.deleteIfExists(id)));
  }
}

/**
 * The peer plus the pool hold N ports and the pods another N while the old ones are deleted, on top of
 * what the shared admin project already has: a default quota (500) refuses a 1000-pod run. Raises the
 * port quota for the run when it is short and returns how to put the previous value back.
 */
async function ensurePortQuota(
  neutron: NeutronClient,
  projectId: string,
): Promise<() => Promise<void>> {
  const quota = await neutron.quotas.get(projectId);
  const used = (await neutron.ports.listAll({ project_id: projectId })).length;
  const needed = used + 2 * N + 200;
  if (quota.port === -1 || quota.port >= needed) return async () => undefined;
  await neutron.quotas.update(projectId, { port: needed });
  process.stdout.write(
    `port quota of ${projectId} raised from ${quota.port} to ${needed} for the run\n`,
  );
  return async () => {
    await neutron.quotas.update(projectId, { port: quota.port });
  };
}

/** Creates the pods (at most 50 requests in flight) and waits until every KuryrPort has its VIF. */
async function wirePods(kube: Kube, namespace: string, c: ControllerProcess): Promise<number> {
  const t1 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(50, N) }, async () => {
      while (next < N) {
        const i = next++;
        await kube.create(KINDS.pod, {
          metadata: { name: `p${i}`, namespace },
          spec: { nodeName: os.bindingHost, containers: [{ name: 'c', image: 'kt/none:0' }] },
        });
      }
    }),
  );
  const pollMs = N > 300 ? 1000 : 250;
  let wired = 0;
  while (wired < N && performance.now() - t1 < 900_000) {
    const kps = await kube.list(KINDS.kuryrPort, { namespace });
    wired = kps.items.filter((kp) => kp.status?.vifs?.['eth0'] !== undefined).length;
    if (wired < N) await sleep(pollMs);
  }
  if (wired < N) throw new Error(`only ${wired}/${N} KuryrPorts got a VIF; log:\n${c.log()}`);
  return performance.now() - t1;
}

/** OpenStack requests the controller logged from record `from` on, by `METHOD path-shape`. */
function countRequests(c: ControllerProcess, from: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of c.records().slice(from)) {
    if (r['msg'] !== 'openstack request' && r['msg'] !== 'openstack request failed') continue;
    const path = String(r['path']).replace(/[0-9a-f-]{36}/g, '{id}');
    const key = `${String(r['method'])} ${path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function waitForLog(c: ControllerProcess, msg: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!c.records().some((r) => r['msg'] === msg)) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`controller never logged '${msg}':\n${c.log()}`);
    if (c.child.exitCode !== null) throw new Error(`controller exited:\n${c.log()}`);
    await sleep(200);
  }
}

async function runMode(
  mode: string,
  kube: Kube,
  neutron: NeutronClient,
  settings: { projectId: string; subnetId: string; sgId: string },
  pool: Port[],
): Promise<Omit<Wiring, 'floorMs'>> {
  const namespace = `${prefix}-${mode}`;
  await kube.create(KINDS.namespace, { metadata: { name: namespace } });
  const c = startController(os, {
    projectId: settings.projectId,
    podSubnetId: settings.subnetId,
    podSecurityGroupIds: [settings.sgId],
    vifPoolDriver: mode === 'pool' ? 'neutron' : 'noop',
    // `ports_pool_batch` caps the controller's bulk POSTs: the same size as the peer's bulk requests.
    vifPool: { batch: BULK, min: 5, updateFrequency: 20 },
    debug: true,
    watchNamespace: namespace,
    env: { OS_KUBERNETES__HANDLER_WORKERS: String(WORKERS) },
  });
  try {
    // Start-up (client-node import, informer sync, pool recovery) is not part of the target.
    await waitForLog(c, 'port pools recovered from Neutron', 600_000);
    if (mode === 'pool') {
      const rec = c.records().find((r) => r['msg'] === 'pools recovered from Neutron');
      if (Number(rec?.['recovered']) < pool.length) {
        throw new Error(`only ${String(rec?.['recovered'])}/${pool.length} pool ports recovered`);
      }
    }
    await sleep(2000);
    const from = c.records().length;
    const ms = await wirePods(kube, namespace, c);
    const requests = countRequests(c, from);
    const vifs = c
      .records()
      .slice(from)
      .filter((r) => r['msg'] === 'VIF written');
    const own = vifs.filter((r) => String(r['pod']).startsWith(`${namespace}/`)).length;
    return { mode, ms, requests, written: { own, foreign: vifs.length - own } };
  } finally {
    await cleanup(kube, neutron, namespace, c);
  }
}

async function cleanup(kube: Kube, neutron: NeutronClient, ns: string, c: ControllerProcess) {
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      kube.delete(KINDS.pod, `p${i}`, ns, { gracePeriodSeconds: 0 }).catch(() => undefined),
    ),
  );
  for (let i = 0; i < 600; i++) {
    const left = await kube.list(KINDS.pod, { namespace: ns }).catch(() => ({ items: [] }));
    if (left.items.length === 0) break;
    await sleep(1000);
  }
  await c.stop();
  await deleteNamespace(kube, ns).catch(() => undefined);
  void neutron;
}

function table(runs: Wiring[]): string[] {
  const modeFlag = modes.length === 1 ? (modes[0] === 'pool' ? ' --pool' : ' --no-pool') : '';
  const bulkFlag = BULK === 50 ? '' : ` --bulk ${BULK}`;
  const workersFlag = WORKERS === 32 ? '' : ` --workers ${WORKERS}`;
  const command = `node --import tsx bench/controller-pods.bench.ts --pods ${N}${modeFlag}${bulkFlag}${workersFlag}`;
  const rows = runs.flatMap((r) => {
    const floorRate = N / (r.floorMs / 1000);
    const rate = N / (r.ms / 1000);
    const total = [...r.requests.values()].reduce((a, b) => a + b, 0);
    const posts = r.requests.get('POST /v2.0/ports') ?? 0;
    const label =
      r.mode === 'pool'
        ? `${N} pods at once, pre-populated \`neutron\` pool`
        : `${N} pods at once, no pool (\`noop\`, batched creates)`;
    const w = `${r.written.own} + ${r.written.foreign}`;
    return [
      `| Neutron bulk create of ${N} bound ports, ${BULK} per request (peer, right before) | ${(r.floorMs / 1000).toFixed(1)} | ${floorRate.toFixed(1)} | 1.00× | ${Math.ceil(N / BULK)} | – |`,
      `| ${label} | ${(r.ms / 1000).toFixed(1)} | ${rate.toFixed(1)} | ${(rate / floorRate).toFixed(2)}× | ${posts} | ${w} | ${(total / N).toFixed(2)} |`,
    ];
  });
  const detail = runs.map(
    (r) =>
      `- ${r.mode}: ` +
      ([...r.requests.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `\`${k}\` ${v}`)
        .join(', ') || 'no Neutron request'),
  );
  return [
    `## Kubernetes pods → KuryrPort VIFs (real controller process, ${N} pods at once)`,
    '',
    `Command: \`${command}\` (root, scripts/openstack.sh and`,
    `scripts/kube.sh up); 2 CPUs, load average ${loadavg()[0]?.toFixed(1)} at the end, ${new Date().toISOString()}.`,
    'Real kube-apiserver 1.20 and Neutron Zed (one API worker); ports bound to the linuxbridge host, which',
    'never plugs them (no kubelet/CNI here), so KuryrPorts keep polling for ACTIVE during the run.',
    'Time = pods created (≤ 50 API requests in flight) → every KuryrPort has `status.vifs.eth0`. Pool mode:',
    `${N} pool ports created before the controller starts and recovered into its pool (not timed).`,
    'Neutron requests = every OpenStack request the controller logged while the pods were wired. The',
    'controller runs with `--watch-namespace` on the bench namespace; the second number of "VIFs written"',
    'counts pods of other namespaces it wired all the same (0 unless that scoping broke). A lost race',
    'shows up as a `DELETE` of a port whose status write failed.',
    '',
    "| path | time for all (s) | ports or pods per s | vs Neutron bulk | port POSTs | VIFs written (own + other suites' pods) | Neutron requests per pod |",
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'Requests by kind:',
    ...detail,
    '',
    'Targets (issue #6): no pool ≥ 0.90× Neutron bulk throughput; pre-populated pool: 1000 pods ≤ 60 s,',
    'no port create on the per-pod path.',
    '',
  ];
}

async function main(): Promise<void> {
  const kube = await connectKube();
  await applyCrds(kube);
  // Long timeouts: under load a bulk POST of bound ports can take minutes, and a client-side timeout
  // would leave Neutron creating ports nobody records.
  const session = createOpenStackSession(
    {
      ...adminConnection(os),
      timeouts: { headersMs: 900_000, bodyMs: 900_000, requestMs: 900_000 },
    },
    pino({ level: 'silent' }),
  );
  const neutron = new NeutronClient(session.client('network'));
  const network = await neutron.networks.create({ name: `${prefix}-pods` });
  const subnet = await neutron.subnets.create({
    network_id: network.id,
    ip_version: 4,
    cidr: '10.236.0.0/20',
    enable_dhcp: false,
  });
  // The project's `default` group: the SG quota of the shared test project is small.
  const sg = await neutron.securityGroups.findOne({
    name: 'default',
    project_id: network.project_id,
  });
  if (sg === undefined) throw new Error('the admin project has no default security group');
  const settings = { projectId: network.project_id, subnetId: subnet.id, sgId: sg.id };
  const runs: Wiring[] = [];
  const restoreQuota = await ensurePortQuota(neutron, network.project_id);
  try {
    for (const mode of modes) {
      // The peer: pool-style bound ports (kuryr's owner, name, SG), exactly what the pool holds.
      const { ports, ms } = await bulkCreate(neutron, {
        network_id: network.id,
        name: 'kuryr-pool-port',
        device_owner: 'compute:kuryr',
        'binding:host_id': os.bindingHost,
        security_groups: [sg.id],
      });
      process.stdout.write(`${mode}: bulk floor ${N} ports in ${(ms / 1000).toFixed(1)} s\n`);
      if (mode !== 'pool') {
        await deletePorts(
          neutron,
          ports.map((p) => p.id),
        );
      }
      const run = await runMode(mode, kube, neutron, settings, mode === 'pool' ? ports : []);
      process.stdout.write(`${mode}: ${N} pods wired in ${(run.ms / 1000).toFixed(1)} s\n`);
      runs.push({ ...run, floorMs: ms });
      const left = await neutron.ports.listAll({ network_id: network.id });
      await deletePorts(
        neutron,
        left.map((p) => p.id),
      );
    }
    const lines = table(runs);
    const suffix =
      `${N === 100 ? '' : `-${N}`}${modes.length === 1 ? `-${modes[0] ?? ''}` : ''}` +
      (WORKERS === 32 ? '' : `-w${WORKERS}`);
    const file = `controller-pods${suffix}.md`;
    await writeFile(join(ROOT, 'bench/results', file), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } catch (error) {
    process.stderr.write(`bench failed: ${String(error)}\n`);
    process.exitCode = 1;
  } finally {
    // A POST still running server-side may add ports after a listing: re-list until the network goes.
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const left = await neutron.ports.listAll({ network_id: network.id });
        await deletePorts(
          neutron,
          left.map((p) => p.id),
        );
        await neutron.networks.deleteIfExists(network.id);
        break;
      } catch (error) {
        process.stderr.write(`cleanup: ${String(error)}; retrying\n`);
        await sleep(15_000);
      }
    }
    await restoreQuota().catch((error: unknown) => {
      process.stderr.write(`could not restore the port quota: ${String(error)}\n`);
    });
    await session.close();
  }
}

await main();
