/**
 * Bench of the Service → KuryrLoadBalancer spec path on the real kube-apiserver: N Services (and their
 * Endpoints, 2 addresses) created at once → time until every KuryrLoadBalancer has its spec and both
 * members; every Endpoints scaled to 3 addresses → time until every spec follows; every Service deleted
 * → time until Services and KuryrLoadBalancers are gone. Handlers `service` + `endpoints` run in the
 * real pipeline (Dispatcher, default concurrency 8) in this process. API writes per Service are counted.
 * Peer in the same script: the API server's own floor — N KuryrLoadBalancer creates with the final spec,
 * then N merge patches of `spec.endpointSlices`, all issued at once.
 * Needs scripts/kube.sh running. Writes bench/results/services-spec.md.
 * Run: `node --import tsx bench/services-spec.bench.ts [--services N]`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DefaultProjectDriver } from '../src/controller/drivers/project/default.js';
import { DefaultSecurityGroupsDriver } from '../src/controller/drivers/security-groups/default.js';
import { EndpointsHandler } from '../src/controller/handlers/endpoints.js';
import { ServiceHandler } from '../src/controller/handlers/service.js';
import { KlbSpecWriter } from '../src/controller/lbaas/spec/klb-writer.js';
import { Dispatcher } from '../src/controller/pipeline/dispatcher.js';
import type { KubeApi } from '../src/k8s/client.js';
import { EventRecorder } from '../src/k8s/events.js';
import { KINDS } from '../src/k8s/kinds.js';
import type { KubeObject } from '../src/k8s/object.js';
import {
  applyCrds,
  connectKube,
  createNamespace,
  deleteNamespace,
  sleep,
} from '../test/integration/k8s/kube-env.js';

const { values: args } = parseArgs({
  options: { services: { type: 'string', default: process.env.KF2_BENCH_SERVICES ?? '50' } },
});
const N = Number(args.services);
const ROOT = new URL('..', import.meta.url).pathname;
const log = pino({ level: 'silent' });
const WRITES = ['create', 'replace', 'patchJson', 'patchMerge', 'delete'] as const;

/** Counts the writes made through `api`. */
function counting(api: KubeApi): { api: KubeApi; writes: () => number } {
  let n = 0;
  const wrapped = Object.create(api) as KubeApi;
  for (const m of WRITES) {
    const orig = api[m].bind(api) as (...a: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      n += 1;
      return orig(...a);
    };
  }
  return { api: wrapped, writes: () => n };
}

async function until(what: string, fn: () => Promise<boolean>, ms = 300_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

const ips = (i: number, n: number) => Array.from({ length: n }, (_, k) => `10.30.${i}.${k + 10}`);
const endpoints = (ns: string, name: string, addrs: string[]): KubeObject => ({
  metadata: { name, namespace: ns },
  subsets: [
    {
      addresses: addrs.map((ip) => ({ ip })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ],
});

async function main(): Promise<void> {
  const kube = await connectKube();
  await applyCrds(kube);
  const ns = await createNamespace(kube, 'kf2-bench');
  const { api, writes } = counting(kube);
  const writer = new KlbSpecWriter({
    project: new DefaultProjectDriver('kf2-project'),
    securityGroups: new DefaultSecurityGroupsDriver(['kf2-sg']),
    subnetId: 'kf2-subnet',
    provider: 'amphora',
    timeoutClientData: 0,
    timeoutMemberData: 0,
  });
  const dispatcher = new Dispatcher({
    api,
    log,
    events: new EventRecorder(kube, { log, enabled: false }),
    handlers: [
      new ServiceHandler(writer, { namespace: ns }),
      new EndpointsHandler(writer, { namespace: ns }),
    ],
    reconcilePeriodMs: 0,
  });
  const names = Array.from({ length: N }, (_, i) => `svc-${i}`);
  const members = async (n: number) => {
    const list = await kube.list(KINDS.kuryrLoadBalancer, { namespace: ns });
    return (
      list.items.length === N &&
      list.items.every(
        (k) => (k.spec.endpointSlices ?? []).flatMap((s) => s.endpoints ?? []).length === n,
      )
    );
  };
  const rows: string[] = [];
  try {
    dispatcher.start();
    await until('synced', () => Promise.resolve(dispatcher.hasSynced()));
    // 1. create
    let w0 = writes();
    let t = performance.now();
    await Promise.all(
      names.map(async (name, i) => {
        await kube.create(KINDS.service, {
          metadata: { name, namespace: ns },
          spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
        });
        await kube.create(KINDS.endpoints, endpoints(ns, name, ips(i, 2)));
      }),
    );
    await until('all KLBs with 2 members', () => members(2));
    const createMs = performance.now() - t;
    const createW = (writes() - w0) / N;
    // 2. scale up
    w0 = writes();
    t = performance.now();
    await Promise.all(
      names.map(async (name, i) => {
        const cur = await kube.get(KINDS.endpoints, name, ns);
        await kube.replace(KINDS.endpoints, {
          ...endpoints(ns, name, ips(i, 3)),
          metadata: { name, namespace: ns, resourceVersion: cur.metadata?.resourceVersion },
        });
      }),
    );
    await until('all KLBs with 3 members', () => members(3));
    const scaleMs = performance.now() - t;
    const scaleW = (writes() - w0) / N;
    // 3. delete
    w0 = writes();
    t = performance.now();
    await Promise.all(names.map((name) => kube.delete(KINDS.service, name, ns)));
    await until('all gone', async () => {
      const [s, k] = await Promise.all([
        kube.list(KINDS.service, { namespace: ns }),
        kube.list(KINDS.kuryrLoadBalancer, { namespace: ns }),
      ]);
      return s.items.length === 0 && k.items.length === 0;
    });
    const deleteMs = performance.now() - t;
    const deleteW = (writes() - w0) / N;
    await dispatcher.stop();
    // peer: the API server floor for the KLB writes alone
    t = performance.now();
    await Promise.all(
      names.map((name, i) =>
        kube.create(KINDS.kuryrLoadBalancer, {
          apiVersion: 'openstack.org/v1',
          kind: 'KuryrLoadBalancer',
          metadata: { name: `peer-${name}`, namespace: ns },
          spec: {
            ip: '10.0.0.9',
            ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: '8080' }],
            endpointSlices: [{ endpoints: ips(i, 2).map((ip) => ({ addresses: [ip] })) }],
          },
        }),
      ),
    );
    const peerCreateMs = performance.now() - t;
    t = performance.now();
    await Promise.all(
      names.map((name, i) =>
        kube.patchMerge(KINDS.kuryrLoadBalancer, `peer-${name}`, ns, {
          spec: { endpointSlices: [{ endpoints: ips(i, 3).map((ip) => ({ addresses: [ip] })) }] },
        }),
      ),
    );
    const peerPatchMs = performance.now() - t;
    const row = (what: string, ms: number, w: string, peer?: number) =>
      `| ${what} | ${w} | ${ms.toFixed(0)} | ${((N / ms) * 1000).toFixed(1)} | ${peer ? `${(peer / ms).toFixed(2)}×` : '—'} |`;
    rows.push(
      `## Services → KuryrLoadBalancer spec (real kube-apiserver 1.20, ${N} Services)`,
      '',
      '| phase | API writes / Service | total ms | Services/s | vs API floor |',
      '|---|---:|---:|---:|---:|',
      row('API floor: N KLB creates at once (peer)', peerCreateMs, '1'),
      row('API floor: N KLB merge patches at once (peer)', peerPatchMs, '1'),
      row('Service + Endpoints created → KLB complete', createMs, createW.toFixed(2), peerCreateMs),
      row('Endpoints 2 → 3 addresses → spec follows', scaleMs, scaleW.toFixed(2), peerPatchMs),
      row('Service deleted → KLB gone, finalizer released', deleteMs, deleteW.toFixed(2)),
      '',
      `Handlers in-process (Dispatcher concurrency 8, time includes the test's own creates and polling ` +
        `at 100 ms). Command: \`node --import tsx bench/services-spec.bench.ts --services ${N}\`.`,
      '',
    );
    process.stdout.write(rows.join('\n'));
    await writeFile(join(ROOT, 'bench/results/services-spec.md'), rows.join('\n'));
  } finally {
    await dispatcher.stop();
    for (const kind of [KINDS.service, KINDS.endpoints]) {
      const list = await kube.list(kind, { namespace: ns }).catch(() => ({ items: [] }));
      for (const o of list.items as KubeObject[]) {
        const name = o.metadata?.name ?? '';
        await kube
          .patchMerge(kind, name, ns, { metadata: { finalizers: null } })
          .catch(() => undefined);
        await kube.delete(kind, name, ns).catch(() => undefined);
      }
    }
    await deleteNamespace(kube, ns);
  }
}

await main();
