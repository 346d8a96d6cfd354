import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Agent } from 'undici';
import { isNotReadyError } from '../../common/errors/index.js';
import { startDeadline } from './deadline.js';
import { Conflict, NotFound, RequestTimeout, ServiceUnavailable } from './errors.js';
import { startTestServer, type TestServer } from './test-server.js';
import { HttpTransport } from './transport.js';
import { redactHeaders } from './url.js';

const silent = pino({ level: 'silent' });
const agent = new Agent({ connect: { timeout: 2000 } });
after(() => agent.close());

const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});
async function server(...a: Parameters<typeof startTestServer>): Promise<TestServer> {
  const s = await startTestServer(...a);
  servers.push(s);
  return s;
}

function transport(sleeps: number[] = [], attempts = 4, log = silent): HttpTransport {
  return new HttpTransport(
    { dispatcher: agent, retries: { attempts, baseDelayMs: 10, maxDelayMs: 40 } },
    log,
    {
      random: () => 0.5,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    },
  );
}

const deadline = (ms = 5000) => startDeadline(ms, undefined, Date.now);

test('GET: JSON reply, query arrays repeat the key, request id read', async () => {
  const s = await server(() => ({
    body: { ports: [] },
    headers: { 'x-openstack-request-id': 'req-1' },
  }));
  const res = await transport().send<{ ports: unknown[] }>(
    'network',
    `${s.url}/`,
    {
      method: 'GET',
      path: '/v2.0/ports',
      query: { fields: ['id', 'name'], device_owner: 'x', skip: undefined },
    },
    deadline(),
  );
  assert.deepEqual(res.body, { ports: [] });
  assert.equal(res.requestId, 'req-1');
  assert.equal(s.requests[0]?.url, '/v2.0/ports?fields=id&fields=name&device_owner=x');
  assert.equal(s.requests[0]?.headers['accept'], 'application/json');
});

test('POST sends JSON; 204 gives an undefined body', async () => {
  const s = await server((r) =>
    r.method === 'DELETE' ? { status: 204 } : { status: 201, body: r.body },
  );
  const t = transport();
  const res = await t.send(
    'network',
    s.url,
    { method: 'POST', path: 'v2.0/networks', body: { network: { name: 'kc-n' } } },
    deadline(),
  );
  assert.equal(res.status, 201);
  assert.deepEqual(res.body, { network: { name: 'kc-n' } });
  assert.equal(s.requests[0]?.headers['content-type'], 'application/json');
  const del = await t.send(
    'network',
    s.url,
    { method: 'DELETE', path: '/v2.0/networks/x' },
    deadline(),
  );
  assert.equal(del.body, undefined);
});

test('GET retries 503 with backoff and then succeeds', async () => {
  const s = await server((_r, all) => (all.length < 3 ? { status: 503 } : { body: { ok: true } }));
  const sleeps: number[] = [];
  const res = await transport(sleeps).send(
    'network',
    s.url,
    { method: 'GET', path: '/' },
    deadline(),
  );
  assert.deepEqual(res.body, { ok: true });
  assert.equal(s.requests.length, 3);
  assert.deepEqual(sleeps, [5, 10]);
});

test('POST is not retried on 503 unless allowed', async () => {
  const s = await server(() => ({ status: 503 }));
  await assert.rejects(
    transport().send(
      'network',
      s.url,
      { method: 'POST', path: '/v2.0/ports', body: {} },
      deadline(),
    ),
    ServiceUnavailable,
  );
  assert.equal(s.requests.length, 1);
  await assert.rejects(
    transport([], 3).send(
      'network',
      s.url,
      { method: 'POST', path: '/v2.0/ports', body: {}, retryNonIdempotent: true },
      deadline(),
    ),
    ServiceUnavailable,
  );
  assert.equal(s.requests.length, 4);
});

test('429 honours Retry-After (seconds) even for POST', async () => {
  const s = await server((_r, all) =>
    all.length === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 201, body: {} },
  );
  const sleeps: number[] = [];
  await transport(sleeps).send(
    'network',
    s.url,
    { method: 'POST', path: '/x', body: {} },
    deadline(10_000),
  );
  assert.deepEqual(sleeps, [2000]);
  assert.equal(s.requests.length, 2);
});

test('a Retry-After beyond the deadline ends the retries at once', async () => {
  const s = await server(() => ({ status: 503, headers: { 'retry-after': '60' } }));
  const sleeps: number[] = [];
  await assert.rejects(
    transport(sleeps).send('network', s.url, { method: 'GET', path: '/' }, deadline(1000)),
    ServiceUnavailable,
  );
  assert.deepEqual(sleeps, []);
});

test('typed errors: 404 NotFound, 409 Conflict are not retried', async () => {
  const s = await server((r) =>
    r.url.includes('missing')
      ? {
          status: 404,
          body: {
            NeutronError: {
              type: 'NetworkNotFound',
              message: 'Network x could not be found.',
              detail: '',
            },
          },
        }
      : {
          status: 409,
          body: { NeutronError: { type: 'SubnetPoolInUse', message: 'in use', detail: '' } },
        },
  );
  await assert.rejects(
    transport().send('network', s.url, { method: 'GET', path: '/missing' }, deadline()),
    (e: unknown) => e instanceof NotFound && e.message === 'Network x could not be found.',
  );
  await assert.rejects(
    transport().send('network', s.url, { method: 'DELETE', path: '/x' }, deadline()),
    Conflict,
  );
  assert.equal(s.requests.length, 2);
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

test('connection refused: bounded retries, then ServiceUnavailable (POST retried: never sent)', async () => {
  const port = await closedPort();
  const sleeps: number[] = [];
  await assert.rejects(
    transport(sleeps, 3).send(
      'network',
      `http://127.0.0.1:${port}`,
      { method: 'POST', path: '/v2.0/ports', body: {} },
      deadline(),
    ),
    (e: unknown) =>
      e instanceof ServiceUnavailable &&
      isNotReadyError(e) &&
      /unreachable/.test(e.message) &&
      /ECONNREFUSED/.test(e.message) &&
      /after 3 attempts/.test(e.message),
  );
  assert.equal(sleeps.length, 2);
});

test('a server that never answers hits the deadline: RequestTimeout, no hang', async () => {
  const s = await server(() => ({ hang: true }));
  await assert.rejects(
    transport().send('network', s.url, { method: 'GET', path: '/slow' }, deadline(300)),
    (e: unknown) => e instanceof RequestTimeout && /GET \/slow/.test(e.message),
  );
});

test('the caller abort reason is passed through', async () => {
  const s = await server(() => ({ hang: true }));
  const ac = new AbortController();
  const d = startDeadline(5000, ac.signal, Date.now);
  setTimeout(() => ac.abort(new Error('caller gave up')), 50);
  await assert.rejects(
    transport().send('network', s.url, { method: 'GET', path: '/' }, d),
    /caller gave up/,
  );
  d.dispose();
});

test('logs carry method, path and status but never the token or the query', async () => {
  const s = await server(() => ({ body: {}, headers: { 'x-openstack-request-id': 'req-log' } }));
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  await transport([], 4, log).send(
    'network',
    s.url,
    {
      method: 'GET',
      path: '/v2.0/ports',
      query: { name: 'secret-q' },
      headers: { 'x-auth-token': 'TOKEN-123' },
    },
    deadline(),
  );
  const all = lines.join('');
  assert.match(all, /"path":"\/v2.0\/ports"/);
  assert.match(all, /"status":200/);
  assert.match(all, /req-log/);
  assert.doesNotMatch(all, /TOKEN-123|secret-q/);
  assert.equal(s.requests[0]?.headers['x-auth-token'], 'TOKEN-123');
});

test('redactHeaders hides token headers', () => {
  assert.deepEqual(redactHeaders({ 'X-Auth-Token': 't', 'x-subject-token': 's', accept: 'a' }), {
    'X-Auth-Token': '***',
    'x-subject-token': '***',
    accept: 'a',
  });
});
