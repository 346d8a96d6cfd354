/**
 * NetworkPolicy re-sync cost, CPU only (no API, no Neutron): what the `pod_label` handler computes after a
 * pod change — a cluster snapshot from P raw pod objects, then the rules of every one of N policies
 * (a podSelector peer, a namespaceSelector peer, a named port, an ipBlock with two excepts) — timed over
 * several rounds. Tells how far "re-compute every policy on every pod change" scales before informer
 * caches and per-policy dependency tracking would be needed. Writes bench/results/policy-resync.md.
 * Usage: `node --import tsx bench/policy-resync.bench.ts [pods] [policies]` (or `bash scripts/bench.sh
 * policy-resync`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { snapshotPod } from '../src/controller/policy/cluster-snapshot.js';
import { computePolicyRules } from '../src/controller/policy/rules.js';
import { snapshotResolver } from '../src/controller/policy/snapshot-resolver.js';
import type { NetworkPolicy } from '../src/controller/policy/types.js';
import type { KubeObject } from '../src/k8s/object.js';

const SIZES: [number, number][] =
  process.argv[2] !== undefined
    ? [[Number(process.argv[2]), Number(process.argv[3] ?? 50)]]
    : [
        [100, 10],
        [1000, 50],
        [2000, 100],
      ];
const ROUNDS = 5;
const NAMESPACES = 20;

function pods(n: number): KubeObject[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: {
      name: `p${i}`,
      namespace: `ns${i % NAMESPACES}`,
      labels: { app: `app${i % 10}`, tier: i % 2 ? 'front' : 'back' },
    },
    spec: { containers: [{ ports: [{ name: 'http', containerPort: 8000 + (i % 3) }] }] },
    status: { phase: 'Running', podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
  }));
}

function policies(n: number): NetworkPolicy[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: { name: `np${i}`, namespace: `ns${i % NAMESPACES}` },
    spec: {
      podSelector: { matchLabels: { app: `app${i % 10}` } },
      ingress: [
        {
          from: [
            { podSelector: { matchLabels: { tier: 'front' } } },
            { namespaceSelector: { matchLabels: { team: `t${i % 4}` } } },
          ],
          ports: [{ port: 'http' }],
        },
        {
          from: [
            { ipBlock: { cidr: '172.16.0.0/16', except: ['172.16.1.0/24', '172.16.9.0/24'] } },
          ],
        },
      ],
    },
  }));
}

const rows: string[] = [];
for (const [p, n] of SIZES) {
  const raw = pods(p);
  const nps = policies(n);
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({
    name: `ns${i}`,
    labels: { team: `t${i % 4}` },
  }));
  const times: number[] = [];
  let rules = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const resolve = snapshotResolver({ namespaces, pods: raw.map(snapshotPod) });
    rules = 0;
    for (const np of nps) {
      const spec = computePolicyRules(np, resolve);
      rules += spec.ingressSgRules.length + spec.egressSgRules.length;
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(ROUNDS / 2)] ?? NaN;
  rows.push(
    `| ${p} | ${n} | ${rules} | ${median.toFixed(1)} | ${(times.at(-1) ?? NaN).toFixed(1)} |`,
  );
  console.log(`pods=${p} policies=${n} rules=${rules} median=${median.toFixed(1)}ms`);
}

const md = [
  '# NetworkPolicy re-sync (CPU only)',
  '',
  `One re-sync = snapshot of P pods + rules of N policies; ${ROUNDS} rounds; ${cpus().length} CPUs, ` +
    `load ${loadavg()[0]?.toFixed(1)} at the end. Command: \`node --import tsx bench/policy-resync.bench.ts\`.`,
  '',
  '| pods | policies | rules | median ms | max ms |',
  '|---:|---:|---:|---:|---:|',
  ...rows,
  '',
].join('\n');
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/policy-resync.md', md);
console.log(md);
