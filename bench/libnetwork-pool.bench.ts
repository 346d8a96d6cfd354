/**
 * Bench of the libnetwork port pool against the real test-bed Neutron (scripts/openstack.sh start): network
 * create, container attach (RequestAddress + CreateEndpoint + Join), detach and network rm with a warm
 * `[vif_pool]` pool vs without, interleaved: Neutron requests (plugin's own client; pool refills run on another
 * client, off the request path), Neutron time, plugin time. Writes bench/results/libnetwork-pool.md.
 * Run: `node --import tsx bench/libnetwork-pool.bench.ts` (KL_BENCH_N rounds, default 10).
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { pino } from 'pino';
import { createLibnetworkServer } from '../src/libnetwork/create-libnetwork.js';
import { RestLibnetworkNeutron } from '../src/libnetwork/neutron-rest.js';
import { restBulkCreatePorts } from '../src/libnetwork/port-pool-bulk.js';
import { PortPool } from '../src/libnetwork/port-pool.js';
import { idTags } from '../src/common/tags.js';
import {
  attach,
  CountingClient,
  createDockerNetwork,
  detach,
  removeDockerNetwork,
  startBed,
} from '../test/integration/libnetwork/harness.js';

const N = Number(process.env.KL_BENCH_N ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f1 = (x: number) => x.toFixed(1);
const log = pino({ level: 'silent' });

/** `/v2.0/ports/<uuid>/tags` → `ports/{id}/tags`. */
const shortPath = (p: string) =>
  p.replace('/v2.0/', '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{id}');

async function main() {
  const bed = await startBed();
  // the pool has its own counting client: its pre-warm and refills run in the background, off the call path
  const poolClient = new CountingClient(bed.session.client('network'));
  const pool = new PortPool(
    new RestLibnetworkNeutron(poolClient),
    { min: 2, batch: 2, max: 4, host: bed.env.bindingHost },
    log,
    restBulkCreatePorts(poolClient),
  );
  const binder = {
    plug: (p: { id: string }) => Promise.resolve(`t_c${p.id.slice(0, 11)}`),
    unplug: () => Promise.resolve(),
  };
  const serve = async (portPool?: PortPool) => {
    await bed.server.close();
    bed.server = createLibnetworkServer({
      neutron: bed.neutron,
      binder,
      options: bed.options,
      log,
      portPool,
    });
    await bed.server.listen({ socketPath: bed.socket });
  };
  const rows = new Map<
    string,
    { calls: number[]; neutron: number[]; total: number[]; pool: number[] }
  >();
  /** The request sequence of each operation, first round (shows where each request goes). */
  const traces = new Map<string, string>();
  const measure = async <T>(kind: string, fn: () => Promise<T>): Promise<T> => {
    const row = rows.get(kind) ?? { calls: [], neutron: [], total: [], pool: [] };
    rows.set(kind, row);
    const c0 = bed.client.count;
    const q0 = poolClient.count;
    const m0 = bed.client.ms;
    const t0 = performance.now();
    const out = await fn();
    row.total.push(performance.now() - t0);
    row.calls.push(bed.client.count - c0);
    row.neutron.push(bed.client.ms - m0);
    row.pool.push(poolClient.count - q0);
    if (!traces.has(kind)) {
      const seq = bed.client.log.slice(c0).map((r) => `${r.method} ${shortPath(r.path)}`);
      traces.set(kind, seq.join(', ') || '(none)');
    }
    return out;
  };
  const background: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      for (const mode of ['no pool', 'warm pool'] as const) {
        const withPool = mode === 'warm pool';
        await serve(withPool ? pool : undefined);
        const p0 = poolClient.count;
        const net = await measure(`network create (${mode})`, () =>
          createDockerNetwork(bed, {
            v4: { pool: `10.240.${40 + i * 2 + (withPool ? 1 : 0)}.0/24` },
          }),
        );
        if (net.reply.status !== 200) throw new Error(JSON.stringify(net.reply.body));
        const subnet = await subnetOf(net.networkId);
        const opts = { noIpamMac: withPool };
        // one container first: same-process caches, as in steady state
        await detach(bed, net.networkId, await attach(bed, net, opts));
        if (withPool) await pool.fill(subnet);
        const ep = await measure(`attach (${mode})`, () => attach(bed, net, opts));
        if (ep.createEndpoint.status !== 200)
          throw new Error(JSON.stringify(ep.createEndpoint.body));
        await measure(`detach (${mode})`, () => detach(bed, net.networkId, ep));
        if (withPool) await pool.fill(subnet);
        await measure(`network rm (${mode})`, () => removeDockerNetwork(bed, net));
        if (withPool) background.push(poolClient.count - p0);
      }
    }
  } finally {
    await pool.close();
    await bed.close();
  }
  async function subnetOf(networkId: string) {
    const [n] = await bed.neutron.list('networks', { tags: idTags(networkId).join(',') });
    const [s] = n ? await bed.neutron.list('subnets', { network_id: n.id }) : [];
    if (!s) throw new Error('bench subnet missing');
    return s;
  }
  const lines = [
    '# libnetwork port pool bench',
    '',
    `Real test-bed Neutron, ${N} interleaved rounds (a fresh network per round and mode), medians.`,
    'Command: `node --import tsx bench/libnetwork-pool.bench.ts` (KL_BENCH_N). Pool: min 2, batch 2, max 4.',
    'Neutron requests = requests on the call path (the plugin client); plugin ms = call time − Neutron time.',
    `Machine load average at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')} (2 CPUs shared with the other engineers' tests), ${new Date().toISOString()}.`,
    '',
    '| Operation | Neutron requests | + by the pool during the call | Neutron time ms | plugin ms | total call time ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...[...rows].map(
      ([k, r]) =>
        `| ${k} | ${median(r.calls)} | ${median(r.pool)} | ${f1(median(r.neutron))} | ${f1(median(r.total) - median(r.neutron))} | ${f1(median(r.total))} |`,
    ),
    '',
    'Warm pool: the driver answers RequiresMACAddress=false, pooled ports are created bound (bulk POST), so the',
    'attach is ONE request: the tags PUT of CreateEndpoint (Zed accepts tags neither in POST nor in PUT bodies).',
    '`network rm` with the pool also deletes the free pooled ports of the subnet (here 2) before the subnet,',
    "through the pool's client (column 3; background refills can show there too). Plugin ms is negative where",
    'requests run concurrently (Neutron time is summed over parallel requests).',
    `Pool requests in the background per network lifetime (pre-warm, refills): median ${median(background)}.`,
    '',
    'Request sequences (first round):',
    '',
    '| Operation | requests |',
    '|---|---|',
    ...[...traces].map(([k, t]) => `| ${k} | ${t} |`),
    '',
  ];
  await writeFile('bench/results/libnetwork-pool.md', lines.join('\n'));
  process.stdout.write(lines.join('\n'));
}

await main();
