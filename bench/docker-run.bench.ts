/**
 * `docker run --rm … true` wall time on a kuryr network with a warm `[vif_pool]` port pool vs Docker's own
 * bridge driver (and kuryr without a pool), interleaved in one run against the real dockerd (scripts/docker.sh)
 * and the real test-bed Neutron (scripts/openstack.sh). The pool is refilled between rounds (off the clock), so
 * every timed run finds a warm pool. Also records the plugin's own time per call (server CallObserver) to show
 * where the time goes. Writes bench/results/docker-run.md.
 * Run (root): `node --import tsx bench/docker-run.bench.ts` (KL_BENCH_N rounds, default 10).
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { docker, startDockerBed, type DockerBed } from '../test/e2e/docker/docker-harness.js';

const N = Number(process.env.KL_BENCH_N ?? 10);
const IMAGE = 'kuryr-test/busybox:latest';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f1 = (x: number) => x.toFixed(1);

/** Per-call plugin times of the timed runs, per kuryr mode (filled by the servers' CallObservers). */
const calls = { pool: new Map<string, number[]>(), nopool: new Map<string, number[]>() };
let recording: keyof typeof calls | undefined;
const observe = (call: string, ms: number) => {
  if (!recording) return;
  const map = calls[recording];
  const list = map.get(call) ?? [];
  list.push(ms);
  map.set(call, list);
};

async function network(bed: DockerBed, subnet: string): Promise<string> {
  const name = `${bed.prefix}-run`;
  const d = bed.driver;
  await docker('network', 'create', '-d', d, '--ipam-driver', d, '--subnet', subnet, name);
  return name;
}

async function main() {
  const pooled = await startDockerBed({
    // min 1 / batch 2: with recycling, a `docker run --rm` churn takes a port and gives it back, so no
    // background bulk POST competes with the timed runs (see KL_BENCH_POOL_MIN to measure with refills)
    pool: { min: Number(process.env.KL_BENCH_POOL_MIN ?? 1), batch: 2, max: 4 },
    driver: 'ka2pool',
    prefixBase: 'ka2-bench',
    vifPluggingIsFatal: false,
    observe,
  });
  const plain = await startDockerBed({
    driver: 'ka2nopool',
    prefixBase: 'ka2-bench',
    vifPluggingIsFatal: false,
    observe,
  });
  const names: string[] = [];
  const rows = {
    bridge: [] as number[],
    userBridge: [] as number[],
    pool: [] as number[],
    nopool: [] as number[],
  };
  try {
    const poolNet = await network(pooled, '10.240.21.0/24');
    names.push(poolNet);
    const plainNet = await network(plain, '10.240.22.0/24');
    names.push(plainNet);
    // a user-defined bridge network has what a kuryr network has (embedded DNS, service records); the default
    // `bridge` network has neither
    const userBridge = `${pooled.prefix}-br`;
    await docker('network', 'create', '-d', 'bridge', '--subnet', '10.240.23.0/24', userBridge);
    names.push(userBridge);
    const netId = await docker('network', 'inspect', '-f', '{{.Id}}', poolNet);
    const [nn] = await pooled.neutron.list('networks', {
      tags: `kuryr.net.uuid.lh:${netId.slice(0, 32)}`,
    });
    const [subnet] = nn ? await pooled.neutron.list('subnets', { network_id: nn.id }) : [];
    if (!subnet || !pooled.portPool) throw new Error('pool network has no subnet');
    const warm = () => pooled.portPool!.fill(subnet);
    const run = async (net: string) => {
      const t0 = performance.now();
      await docker('run', '--rm', '--network', net, IMAGE, 'true');
      return performance.now() - t0;
    };
    // one untimed run each: image, caches, plugin activation
    await warm();
    for (const net of ['bridge', userBridge, poolNet, plainNet]) await run(net);
    for (let i = 0; i < N; i++) {
      await warm();
      rows.bridge.push(await run('bridge'));
      rows.userBridge.push(await run(userBridge));
      recording = 'pool';
      rows.pool.push(await run(poolNet));
      recording = 'nopool';
      rows.nopool.push(await run(plainNet));
      recording = undefined;
    }
  } finally {
    for (const n of names) await docker('network', 'rm', n).catch(() => '');
    await pooled.close();
    await plain.close();
  }
  const b = median(rows.bridge);
  const ratio = (xs: number[]) => (median(xs) / b).toFixed(2);
  const order = [
    '/IpamDriver.RequestAddress',
    '/NetworkDriver.CreateEndpoint',
    '/NetworkDriver.Join',
    '/NetworkDriver.ProgramExternalConnectivity',
    '/NetworkDriver.EndpointOperInfo',
    '/NetworkDriver.RevokeExternalConnectivity',
    '/NetworkDriver.Leave',
    '/NetworkDriver.DeleteEndpoint',
    '/IpamDriver.ReleaseAddress',
  ];
  const lines = [
    '## `docker run` with a warm port pool vs the bridge driver',
    '',
    `Command: \`node --import tsx bench/docker-run.bench.ts\` (root; scripts/openstack.sh + scripts/docker.sh up).`,
    `${N} interleaved rounds of \`docker run --rm --network <net> busybox true\`, medians; kuryr with`,
    `\`vif_plugging_is_fatal = False\`; pool min ${process.env.KL_BENCH_POOL_MIN ?? 1}, batch 2, max 4, refilled between rounds (off the clock);`,
    'released ports are recycled into the pool (one tags PUT).',
    `Machine load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')} (2 CPUs shared with the other engineers' tests), ${new Date().toISOString()}.`,
    '',
    '| network | median ms | ratio vs bridge |',
    '|---|---:|---:|',
    `| Docker bridge driver, default \`bridge\` network | ${f1(b)} | 1.00 |`,
    `| Docker bridge driver, user-defined network | ${f1(median(rows.userBridge))} | ${ratio(rows.userBridge)} |`,
    `| kuryr, warm port pool | ${f1(median(rows.pool))} | ${ratio(rows.pool)} |`,
    `| kuryr, no pool | ${f1(median(rows.nopool))} | ${ratio(rows.nopool)} |`,
    '',
    'Plugin call time during the timed runs (server side, median ms per call; Neutron requests included):',
    '',
    '| call | calls per run | warm pool ms | no pool ms |',
    '|---|---:|---:|---:|',
    ...order
      .filter((c) => calls.pool.has(c) || calls.nopool.has(c))
      .map((c) => {
        const xs = calls.pool.get(c) ?? [];
        const ys = calls.nopool.get(c) ?? [];
        return `| ${c.slice(1)} | ${(xs.length / N).toFixed(1)} | ${f1(median(xs))} | ${f1(median(ys))} |`;
      }),
    '',
  ];
  await writeFile('bench/results/docker-run.md', lines.join('\n'));
  process.stdout.write(lines.join('\n') + '\n');
}

await main();
