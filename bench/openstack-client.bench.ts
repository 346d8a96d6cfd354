/**
 * Bench of the OpenStack client layer (src/openstack/):
 * 1. transport overhead: kuryr's HttpTransport (deadline, retry policy, typed errors, JSON, logging at
 *    info) vs a bare undici `request()` on the same Agent, against a local node:http server;
 * 2. against the real test-bed (scripts/openstack.sh start): Keystone password authentication time, and a
 *    Neutron `GET /v2.0/networks?limit=1` through a session vs bare undici with the same token.
 * Writes bench/results/openstack-client.md. Run: `node --import tsx bench/openstack-client.bench.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { startDeadline } from '../src/openstack/http/deadline.js';
import { HttpTransport } from '../src/openstack/http/transport.js';
import { createOpenStackSession } from '../src/openstack/session.js';
import { loadOpenStackEnv } from '../test/helpers/openstack-env.js';

const N = Number(process.env.KC_BENCH_N ?? 2000);
const log = pino({ level: 'info' });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const f2 = (x: number) => x.toFixed(2);

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function local(lines: string[]) {
  const srv = createServer((_q, s) => {
    s.writeHead(200, { 'content-type': 'application/json', 'x-openstack-request-id': 'req-x' });
    s.end('{"networks":[{"id":"x","name":"y"}]}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const agent = new Agent();
  const t = new HttpTransport({ dispatcher: agent }, log);
  const ours = () => {
    const d = startDeadline(10_000, undefined, Date.now);
    return t
      .send('network', url, { method: 'GET', path: '/v2.0/networks', query: { limit: 1 } }, d)
      .finally(() => d.dispose());
  };
  const bare = async () => {
    const r = await request(`${url}/v2.0/networks?limit=1`, {
      dispatcher: agent,
      headers: { accept: 'application/json' },
    });
    return await r.body.json();
  };
  await timeEach(200, ours);
  await timeEach(200, bare);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < N / 100; i++) {
    a.push(...(await timeEach(50, ours)));
    b.push(...(await timeEach(50, bare)));
  }
  lines.push(
    `### Transport overhead (local node:http server, ${a.length} sequential GETs each, interleaved)`,
    '',
    '| Client | median µs/request | ratio |',
    '|---|---|---|',
    `| bare undici request() | ${f2(median(b) * 1000)} | 1.00 |`,
    `| kuryr HttpTransport | ${f2(median(a) * 1000)} | ${f2(median(a) / median(b))} |`,
    '',
  );
  await agent.close();
  srv.close();
}

async function real(lines: string[]) {
  const env = loadOpenStackEnv();
  if (env === undefined) {
    lines.push('(real-bed section not run: scripts/openstack.sh start)', '');
    return;
  }
  const auth = {
    type: 'password' as const,
    authUrl: env.authUrl,
    username: env.kuryrUser.username,
    password: env.kuryrUser.password,
    userDomainName: env.userDomainName,
    projectName: env.kuryrUser.projectName,
    projectDomainName: env.projectDomainName,
  };
  const authTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const s = createOpenStackSession({ auth, regionName: env.region }, log);
    const t0 = performance.now();
    await s.identity.tokenInfo();
    authTimes.push(performance.now() - t0);
    await s.close();
  }
  const s = createOpenStackSession({ auth, regionName: env.region }, log);
  const net = s.client('network');
  const token = (await s.identity.tokenInfo()).token;
  const base = await net.endpoint();
  const agent = new Agent();
  const ours = () =>
    net.request({ method: 'GET', path: '/v2.0/networks', query: { limit: 1, fields: 'id' } });
  const bare = async () => {
    const r = await request(`${base.replace(/\/$/, '')}/v2.0/networks?limit=1&fields=id`, {
      dispatcher: agent,
      headers: { accept: 'application/json', 'x-auth-token': token },
    });
    return await r.body.json();
  };
  await timeEach(5, ours);
  await timeEach(5, bare);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 10; i++) {
    a.push(...(await timeEach(5, ours)));
    b.push(...(await timeEach(5, bare)));
  }
  lines.push(
    '### Real test-bed Keystone + Neutron',
    '',
    '| Operation | median ms | ratio |',
    '|---|---|---|',
    `| Keystone v3 password auth (project scope, catalog), fresh session, 10 runs | ${f2(median(authTimes))} | |`,
    `| Neutron GET /v2.0/networks?limit=1, bare undici + same token (${b.length} runs) | ${f2(median(b))} | 1.00 |`,
    `| same through session.client('network').request (${a.length} runs) | ${f2(median(a))} | ${f2(median(a) / median(b))} |`,
    '',
  );
  await agent.close();
  await s.close();
}

const lines = [
  '## OpenStack client',
  '',
  'Command: `node --import tsx bench/openstack-client.bench.ts` (real-bed rows need `scripts/openstack.sh start`).',
  '',
];
await local(lines);
await real(lines);
await writeFile(new URL('./results/openstack-client.md', import.meta.url), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
