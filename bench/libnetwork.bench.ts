/**
 * Bench of the Docker libnetwork driver against the real test-bed Neutron (scripts/openstack.sh start):
 * 1. per container attach (RequestAddress + CreateEndpoint + Join) and detach (Revoke + Leave +
 *    DeleteEndpoint + ReleaseAddress): Neutron requests, Neutron time and plugin time (= call time − Neutron
 *    time), warm (same process) and cold (after a plugin restart);
 * 2. Neutron requests per `network create` / `network rm` sequence;
 * 3. `docker run --rm … true` wall time on a kuryr network vs Docker's bridge driver, interleaved
 *    (needs scripts/docker.sh start and root).
 * Writes bench/results/libnetwork.md. Run: `node --import tsx bench/libnetwork.bench.ts`.
 */
import { writeFile } from 'node:fs/promises';
import {
  attach,
  createDockerNetwork,
  detach,
  removeDockerNetwork,
  startBed,
} from '../test/integration/libnetwork/harness.js';
import { docker, startDockerBed } from '../test/e2e/docker/docker-harness.js';

const N = Number(process.env.KL_BENCH_N ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f1 = (x: number) => x.toFixed(1);

async function apiBench(lines: string[]) {
  const bed = await startBed();
  try {
    const n0 = bed.client.count;
    const net = await createDockerNetwork(bed, { v4: { pool: '10.240.1.0/24' } });
    const createCalls = bed.client.count - n0;
    const rows: { kind: string; calls: number[]; neutron: number[]; plugin: number[] }[] = [];
    const measure = async (kind: string, fn: () => Promise<unknown>) => {
      let row = rows.find((r) => r.kind === kind);
      if (!row) rows.push((row = { kind, calls: [], neutron: [], plugin: [] }));
      const c0 = bed.client.count;
      const m0 = bed.client.ms;
      const t0 = performance.now();
      await fn();
      const total = performance.now() - t0;
      row.calls.push(bed.client.count - c0);
      row.neutron.push(bed.client.ms - m0);
      row.plugin.push(total - (bed.client.ms - m0));
    };
    for (let i = 0; i < N; i++) {
      let ep: Awaited<ReturnType<typeof attach>> | undefined;
      await measure('attach (warm)', async () => (ep = await attach(bed, net)));
      if (ep) await measure('detach (warm)', () => detach(bed, net.networkId, ep!));
    }
    for (let i = 0; i < Math.min(N, 5); i++) {
      await bed.restart();
      let ep: Awaited<ReturnType<typeof attach>> | undefined;
      await measure('attach (after restart)', async () => (ep = await attach(bed, net)));
      await bed.restart();
      if (ep) await measure('detach (after restart)', () => detach(bed, net.networkId, ep!));
    }
    const n1 = bed.client.count;
    await removeDockerNetwork(bed, net);
    const rmCalls = bed.client.count - n1;
    lines.push(
      '| Operation (plugin API over its unix socket, real Neutron, no port pool) | Neutron requests (median) | Neutron time ms (median) | plugin time ms (median) |',
      '|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.kind} | ${median(r.calls)} | ${f1(median(r.neutron))} | ${f1(median(r.plugin))} |`,
      ),
      `| network create (RequestPool + gateway + CreateNetwork) | ${createCalls} | | |`,
      `| network rm (ReleaseAddress gw + ReleasePool + DeleteNetwork) | ${rmCalls} | | |`,
      '',
    );
  } finally {
    await bed.close();
  }
}

async function dockerBench(lines: string[]) {
  const bed = await startDockerBed({ vifPluggingIsFatal: false });
  const name = `${bed.prefix}-bench`;
  try {
    await docker(
      'network',
      'create',
      '-d',
      bed.driver,
      '--ipam-driver',
      bed.driver,
      '--subnet',
      '10.240.2.0/24',
      name,
    );
    const kuryr: number[] = [];
    const bridge: number[] = [];
    for (let i = 0; i < Math.min(N, 6); i++) {
      for (const [net, out] of [
        [name, kuryr],
        ['bridge', bridge],
      ] as const) {
        const t0 = performance.now();
        await docker('run', '--rm', '--network', net, 'kuryr-test/busybox:latest', 'true');
        out.push(performance.now() - t0);
      }
    }
    lines.push(
      '| `docker run --rm … true`, interleaved | median ms | ratio |',
      '|---|---|---|',
      `| Docker bridge driver | ${f1(median(bridge))} | 1.00 |`,
      `| kuryr (no pool, vif_plugging_is_fatal = False) | ${f1(median(kuryr))} | ${(median(kuryr) / median(bridge)).toFixed(2)} |`,
      '',
    );
  } finally {
    await docker('network', 'rm', name).catch(() => '');
    await bed.close();
  }
}

const lines = [
  '## Docker libnetwork driver',
  '',
  'Command: `node --import tsx bench/libnetwork.bench.ts` (root, scripts/openstack.sh + scripts/docker.sh up).',
  `Iterations: ${N}. Plugin time = call time minus time inside Neutron requests.`,
  '',
];
await apiBench(lines);
if (process.env.KL_BENCH_DOCKER !== '0') {
  try {
    await dockerBench(lines);
  } catch (error) {
    lines.push(`docker run comparison not measured: ${String(error)}`, '');
  }
}
await writeFile('bench/results/libnetwork.md', lines.join('\n'));
process.stdout.write(lines.join('\n') + '\n');
