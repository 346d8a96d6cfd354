/**
 * Bench of the controller's pod-port path against the real test bed (admin, ports bound to the bed's
 * L2-agent host), peers measured in the same run:
 * 1. Neutron's own bulk port create (`POST /v2.0/ports` with N bodies) — ports/s, the ceiling;
 * 2. `neutron-vif` `requestVifs(N)` without a pool — untagged (1 request) and with one resource tag
 *    (1 + N requests: Neutron Zed ignores tags in POST bodies);
 * 3. `neutron-vif` `requestVif` one pod at a time (what `vif_pool_driver = noop` costs per pod);
 * 4. hand-out from a pre-populated `neutron` pool (no Neutron call) — VIFs/s.
 * Writes bench/results/controller.md. Run: `node --import tsx bench/controller-pool.bench.ts`.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { NeutronPodVifDriver } from '../src/controller/drivers/pod-vif/neutron-vif.js';
import { podPortBody } from '../src/controller/drivers/pod-vif/port-request.js';
import type { VifRequest } from '../src/controller/drivers/pod-vif/types.js';
import { NeutronVifPool } from '../src/controller/drivers/vif-pool/neutron-pool.js';
import { NeutronClient } from '../src/openstack/neutron/index.js';
import { createOpenStackSession } from '../src/openstack/session.js';
import { CountingClient } from '../src/openstack/testing/counting-client.js';
import { requireOpenStackEnv } from '../test/helpers/openstack-env.js';
import { testPrefix } from '../test/helpers/prefix.js';

const ROUNDS = Number(process.env.KD_BENCH_ROUNDS ?? 3);
const N = Number(process.env.KD_BENCH_PORTS ?? 10);
const POOL = Number(process.env.KD_BENCH_POOL ?? 100);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f1 = (x: number) => x.toFixed(1);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const env = requireOpenStackEnv();
  const log = pino({ level: 'silent' });
  const session = createOpenStackSession(
    {
      auth: {
        type: 'password',
        authUrl: env.authUrl,
        username: env.adminUser.username,
        password: env.adminUser.password,
        projectName: env.adminUser.projectName,
        userDomainName: env.userDomainName,
        projectDomainName: env.projectDomainName,
      },
      regionName: env.region,
    },
    log,
  );
  const http = new CountingClient(session.client('network'));
  const neutron = new NeutronClient(http);
  const p = testPrefix('kd-bench');
  const projectId = (await session.identity.tokenInfo()).project?.id ?? '';
  const net = await neutron.networks.create({ name: `${p}-net` });
  const lines = [
    `## Controller pod ports (real Neutron Zed, ${N} ports per bulk, host ${env.bindingHost})`,
    '',
  ];
  try {
    const subnet = await neutron.subnets.create({
      network_id: net.id,
      ip_version: 4,
      cidr: '10.236.0.0/21',
      enable_dhcp: false,
    });
    const req: VifRequest = {
      pod: { uid: randomUUID(), namespace: 'bench', name: 'p', nodeName: env.bindingHost },
      projectId,
      subnets: [{ subnet, network: await neutron.networks.get(net.id) }],
      securityGroups: [],
    };
    const dropAll = async () => {
      const ports = await neutron.ports.listAll({ network_id: net.id, fields: ['id'] });
      for (let i = 0; i < ports.length; i += 20) {
        await Promise.all(ports.slice(i, i + 20).map((x) => neutron.ports.deleteIfExists(x.id)));
      }
    };
    const plain = new NeutronPodVifDriver(neutron, log);
    const tagged = new NeutronPodVifDriver(neutron, log, { resourceTags: [p] });
    const body = podPortBody(req, { portDebug: false, pooled: true, hostId: env.bindingHost });
    const rows: [string, number[], number][] = [
      ['Neutron bulk POST (peer)', [], 0],
      ['requestVifs, no resource_tags', [], 0],
      ['requestVifs, 1 resource tag', [], 0],
      ['requestVif × N, one pod at a time', [], 0],
    ];
    const runs: (() => Promise<unknown>)[] = [
      () => neutron.ports.createBulk(Array.from({ length: N }, () => body)),
      () => plain.requestVifs(req, N),
      () => tagged.requestVifs(req, N),
      async () => {
        for (let i = 0; i < N; i++) await plain.requestVif(req);
      },
    ];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, run] of runs.entries()) {
        const row = rows[i] as [string, number[], number];
        http.reset();
        row[1].push(await timed(run));
        row[2] = http.count;
        await dropAll();
      }
    }
    const base = N / (median(rows[0]?.[1] ?? []) / 1000);
    lines.push(
      '| path | requests | median ms | ports/s | vs Neutron bulk |',
      '|---|---:|---:|---:|---:|',
    );
    for (const [name, ms, reqs] of rows) {
      const rate = N / (median(ms) / 1000);
      lines.push(
        `| ${name} | ${reqs} | ${f1(median(ms))} | ${f1(rate)} | ${(rate / base).toFixed(2)}× |`,
      );
    }

    const pool = new NeutronVifPool(plain, neutron, log, { batch: 50, min: 0 });
    const fill = await timed(() => pool.populate(req, POOL));
    http.reset();
    const take = await timed(async () => {
      for (let i = 0; i < POOL; i++) await pool.requestVif(req);
    });
    lines.push(
      `| pool hand-out (pre-populated, ${POOL} VIFs) | ${http.count} | ${f1(take)} | ${f1(POOL / (take / 1000))} | ${(POOL / (take / 1000) / base).toFixed(0)}× |`,
      '',
      `Pool fill: ${POOL} ports in ${Math.ceil(POOL / 50)} bulk requests took ${f1(fill)} ms ` +
        `(${f1(POOL / (fill / 1000))} ports/s). ${ROUNDS} rounds, median. ` +
        'Command: `node --import tsx bench/controller-pool.bench.ts` ' +
        '(KD_BENCH_ROUNDS, KD_BENCH_PORTS, KD_BENCH_POOL).',
      '',
    );
    await dropAll();
  } finally {
    await neutron.ports
      .listAll({ network_id: net.id, fields: ['id'] })
      .then((ps) => Promise.all(ps.map((x) => neutron.ports.deleteIfExists(x.id))));
    await neutron.networks.deleteIfExists(net.id);
    await session.close();
  }
  const text = lines.join('\n');
  console.log(text);
  await writeFile(new URL('./results/controller.md', import.meta.url), text + '\n');
}

await main();
