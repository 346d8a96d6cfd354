/**
 * Bench of the Neutron client (src/openstack/neutron/) against the real test bed:
 * 1. tagging a new port: `createTagged` (POST + one `PUT …/tags`) vs the Python Kuryr way (POST + one
 *    `PUT …/tags/{tag}` per tag, here 2 tags: lh + uh) — requests and median time per tagged port;
 * 2. `findOne` (1 request, limit=2) vs `listAll` + "take the only one" on a tagged network;
 * 3. listing 30 tagged networks with page sizes 5 / 30 / unpaged — requests and time.
 * Writes bench/results/neutron-client.md. Run: `node --import tsx bench/neutron-client.bench.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { NeutronClient } from '../src/openstack/neutron/index.js';
import { createOpenStackSession } from '../src/openstack/session.js';
import { CountingClient } from '../src/openstack/testing/counting-client.js';
import { requireOpenStackEnv } from '../test/helpers/openstack-env.js';
import { testPrefix } from '../test/helpers/prefix.js';

const ROUNDS = Number(process.env.KA_BENCH_ROUNDS ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f1 = (x: number) => x.toFixed(1);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  const env = requireOpenStackEnv();
  const session = createOpenStackSession(
    {
      auth: {
        type: 'password',
        authUrl: env.authUrl,
        username: env.kuryrUser.username,
        password: env.kuryrUser.password,
        projectName: env.kuryrUser.projectName,
        userDomainName: env.userDomainName,
        projectDomainName: env.projectDomainName,
      },
      regionName: env.region,
    },
    pino({ level: 'silent' }),
  );
  const http = new CountingClient(session.client('network'));
  const neutron = new NeutronClient(http);
  const p = testPrefix('ka-bench');
  const nets: string[] = [];
  const lines: string[] = ['## Neutron client (real Neutron Zed on the bed)', ''];
  try {
    const net = await neutron.networks.create({ name: `${p}-net` });
    nets.push(net.id);
    await neutron.subnets.create({ network_id: net.id, ip_version: 4, cidr: '10.239.0.0/22' });
    const tags = (i: number) => [`kuryr.net.uuid.lh:${p}-${i}`, `kuryr.net.uuid.uh:${p}-${i}`];

    const ours: number[] = [];
    const python: number[] = [];
    let oursReq = 0;
    let pyReq = 0;
    for (let i = 0; i < ROUNDS; i++) {
      http.reset();
      let id = '';
      ours.push(
        await timed(async () => {
          id = (await neutron.ports.createTagged({ network_id: net.id, name: `${p}-a` }, tags(i)))
            .id;
        }),
      );
      oursReq = http.count;
      await neutron.ports.delete(id);
      http.reset();
      python.push(
        await timed(async () => {
          id = (await neutron.ports.create({ network_id: net.id, name: `${p}-b` })).id;
          for (const t of tags(i)) await neutron.tags.add('ports', id, t);
        }),
      );
      pyReq = http.count;
      await neutron.ports.delete(id);
    }
    lines.push(
      `### Creating a port with the lh/uh tag pair (${ROUNDS} rounds, interleaved)`,
      '',
      '| Way | requests | median ms | ratio |',
      '|---|---|---|---|',
      `| POST + PUT /tags/{tag} per tag (Python Kuryr) | ${pyReq} | ${f1(median(python))} | 1.00 |`,
      `| createTagged: POST + one PUT /tags | ${oursReq} | ${f1(median(ours))} | ${(median(ours) / median(python)).toFixed(2)} |`,
      '',
    );

    for (let i = 0; i < 30; i++) {
      nets.push((await neutron.networks.createTagged({ name: `${p}-n${i}` }, [p, `${p}-${i}`])).id);
    }
    const one: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      one.push(await timed(() => neutron.networks.findOne({ tags: [p, `${p}-7`] })));
      all.push(await timed(() => neutron.networks.listAll({ tags: [p, `${p}-7`] })));
    }
    lines.push(
      `### Looking up one network by tags (${ROUNDS} rounds)`,
      '',
      '| Call | requests | median ms |',
      '|---|---|---|',
      `| listAll (unpaged) | 1 | ${f1(median(all))} |`,
      `| findOne (limit=2, ConflictError on >1) | 1 | ${f1(median(one))} |`,
      '',
      '### Listing 30 tagged networks',
      '',
      '| pageSize | requests | median ms |',
      '|---|---|---|',
    );
    for (const size of [5, 30, undefined]) {
      const times: number[] = [];
      let req = 0;
      for (let i = 0; i < Math.max(3, Math.floor(ROUNDS / 3)); i++) {
        http.reset();
        times.push(await timed(() => neutron.networks.listAll({ tags: [p] }, { pageSize: size })));
        req = http.count;
      }
      lines.push(`| ${size ?? 'unset'} | ${req} | ${f1(median(times))} |`);
    }
    lines.push(
      '',
      'Command: `node --import tsx bench/neutron-client.bench.ts` (KA_BENCH_ROUNDS=15).',
      '',
    );
  } finally {
    for (const id of nets.reverse()) {
      for (const port of await neutron.ports.listAll({ network_id: id })) {
        await neutron.ports.deleteIfExists(port.id);
      }
      await neutron.networks.deleteIfExists(id);
    }
    await session.close();
  }
  await writeFile('bench/results/neutron-client.md', lines.join('\n'));
  console.log(lines.join('\n'));
}

await main();
